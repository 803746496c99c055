"""`rocmonth`: a bill's month as 115/10 in Chinese and 2026-10 in English."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import translation

from healthbank.core.rocdate import ROC_OFFSET

register = template.Library()


@register.filter
def rocmonth(value: dt.date | None) -> str:
    if not value:
        return ""
    if (translation.get_language() or "").startswith("zh"):
        return f"{value.year - ROC_OFFSET:03d}/{value.month:02d}"
    return f"{value:%Y-%m}"
