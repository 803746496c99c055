"""Amounts and NHI points as NHIA prints them: thousands grouped with a comma (34,800 點),
in Chinese as in English. The one formatting function for money and points, in templates
(`{% load numbers %}…|grouped`) and in code."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format


def grouped(value: int | Decimal | float | str | None) -> str:
    """1234567 -> "1,234,567"; decimals are kept as given; None or "" -> ""."""
    if value is None or value == "":
        return ""
    # force_grouping: Django groups only with USE_THOUSAND_SEPARATOR, which would also group
    # the years and record numbers every template prints; amounts ask for it here instead.
    return number_format(value, use_l10n=True, force_grouping=True)
