"""The visit lists' rows as plain dicts of display strings.

A list renders tens of rows with a few drugs each; the template engine resolving model
attributes, reversing a URL and formatting dates and numbers cell by cell cost most of such a
page. These functions do that once per row in Python, and the templates keep the markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from healthbank.core.templatetags.rocdate import isodate, rocdate
from healthbank.records.models import DrugOrder, Visit

# An id no record has, reversed once and replaced by each row's id.
_ANY_ID = 987654321


def record_urls(name: str) -> Callable[[int | str], str]:
    """The URL of the page `name` of a record by its id, from one reverse() for a list."""
    head, tail = reverse(name, args=[_ANY_ID]).rsplit(str(_ANY_ID), 1)
    return lambda pk: f"{head}{pk}{tail}"


def visit_urls() -> Callable[[int], str]:
    """The visit detail's URL by the visit's id."""
    return record_urls("bank:visit")


def visit_cells(visit: Visit, url: Callable[[int], str]) -> dict[str, Any]:
    """A visit's dates (shown and ISO) with its detail link, its provider and amounts."""
    return {
        "pk": visit.pk,
        "url": url(visit.pk),
        "date": rocdate(visit.visit_date),
        "iso": isodate(visit.visit_date),
        "discharge": rocdate(visit.discharge_date),
        "discharge_iso": isodate(visit.discharge_date),
        "provider": visit.provider.name if visit.provider else "",
        # Amounts stay numbers: templates print them with |grouped, as everywhere.
        "copayment": visit.copayment,
        "points": visit.points,
    }


def visit_row(visit: Visit, url: Callable[[int], str]) -> dict[str, Any]:
    """A visit's cells with its primary diagnosis (loaded with the visit)."""
    diagnosis = visit.primary_diagnosis
    return {
        **visit_cells(visit, url),
        "diagnosis": diagnosis.name if diagnosis else "",
        "diagnosis_code": diagnosis.code if diagnosis else "",
    }


def visit_rows(visits: Iterable[Visit]) -> list[dict[str, Any]]:
    url = visit_urls()
    return [visit_row(visit, url) for visit in visits]


def drug_row(order: DrugOrder) -> dict[str, Any]:
    """A drug order's cells; `dose` is the medications list's "30 days, total 60"."""
    quantity = floatformat(order.quantity, "-2")
    return {
        "code": order.drug.code,
        "name": order.drug.name,
        "days": str(order.days),
        "quantity": quantity,
        "dose": ngettext(
            "%(days)s day, total %(quantity)s", "%(days)s days, total %(quantity)s", order.days
        )
        % {"days": order.days, "quantity": quantity},
    }


def visit_rows_with_drugs(visits: Iterable[Visit]) -> list[dict[str, Any]]:
    """Visit rows with `drugs`, the rows of their prefetched drug orders."""
    url = visit_urls()
    return [
        {**visit_row(visit, url), "drugs": [drug_row(o) for o in visit.drug_orders.all()]}
        for visit in visits
    ]


def stay_rows(stays: Iterable[Visit]) -> list[dict[str, Any]]:
    """Inpatient stays with `summary_url`, their discharge summary's page or ""."""
    url, summary = visit_urls(), record_urls("bank:discharge_summary")
    return [
        {
            **visit_row(stay, url),
            "summary_url": summary(stay.summary_id) if stay.summary_id else "",  # type: ignore[attr-defined]
        }
        for stay in stays
    ]


def refill_rows(visits: Iterable[Visit]) -> list[dict[str, Any]]:
    """Chronic refill visits and dispensings with their department, card sequence number,
    which dispensing it was ("—" if not known) and their drugs."""
    url = visit_urls()
    rows = []
    for visit in visits:
        row = visit_row(visit, url)
        rows.append(
            {
                **row,
                "department": visit.department.name if visit.department else "",
                "card_sequence": visit.card_sequence,
                "refill_number": str(visit.refill_number) if visit.refill_number else "—",
                "drugs_caption": _("Drugs dispensed on %(date)s") % {"date": row["date"]},
                "drugs": [drug_row(o) for o in visit.drug_orders.all()],
            }
        )
    return rows
