"""What the app shows of a record: a one-line summary for lists, and labelled details.

Details are read off the model's own fields and verbose names (translated), plus a visit's
diagnoses and orders. Only relations the category already joined or prefetched are shown,
so a detail costs no query beyond the category's own.

The longest lists (visits, lab results) are made from plain rows instead (`LISTS`): one
query and no model instances, the same JSON as `item` makes of the category's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from healthbank.api.schemas import RecordOut
from healthbank.codes.models import CodeTable, Diagnosis, LabItem
from healthbank.core.templatetags.rocdate import rocdate, rocdatetime
from healthbank.people.models import Person
from healthbank.records.categories import VISIT_KINDS, Category
from healthbank.records.models import (
    Allergy,
    CalendarEvent,
    DischargeSummary,
    ImagingReport,
    LabResult,
    Measurement,
    PreventiveCheck,
    Vaccination,
    Visit,
)
from healthbank.records.preventive import PREVENTIVE_SECTIONS
from healthbank.records.rules import Window
from healthbank.records.selectors import labs, visits

# Keys and bookkeeping a person has no use for; the provider is in the item itself.
HIDDEN = {"id", "person", "provider", "source_id", "received_at", "batch"}


def summary(row: Any) -> str:
    """The list's line: what the record is about, in the reader's language."""
    if isinstance(row, Visit):
        return row.primary_diagnosis.name
    if isinstance(row, LabResult):
        return f"{row.item.name} {row.value_text} {row.item.unit}".strip()
    if isinstance(row, ImagingReport):
        return row.service.name
    if isinstance(row, DischargeSummary):
        return row.diagnoses.splitlines()[0] if row.diagnoses else str(row)
    if isinstance(row, Allergy):
        return row.substance
    if isinstance(row, Vaccination):
        return row.vaccine.name
    if isinstance(row, CalendarEvent):
        return row.title
    if isinstance(row, Measurement):
        return f"{row.get_kind_display()} {row.value}"
    return str(row)


def _shown(value: object) -> str:
    if isinstance(value, CodeTable):
        return f"{value.code} {value.name}"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return rocdatetime(value)
    if isinstance(value, dt.date):
        return rocdate(value)
    return str(value)


def _field_details(row: Any) -> list[dict[str, str]]:
    details = []
    for field in row._meta.concrete_fields:
        if field.name in HIDDEN:
            continue
        if field.is_relation:
            if not field.is_cached(row):  # not joined by the category: skip, no query
                continue
            value = getattr(row, field.name)
        elif field.choices:
            value = getattr(row, f"get_{field.name}_display")()
        else:
            value = getattr(row, field.name)
        if value is None or value == "":
            continue
        details.append({"label": str(field.verbose_name), "value": _shown(value)})
    return details


def _visit_details(visit: Visit) -> list[dict[str, str]]:
    rows = [{"label": _("Diagnosis"), "value": _shown(d.diagnosis)} for d in visit.diagnoses.all()]
    rows += [
        {
            "label": _("Drug"),
            "value": _("%(drug)s, %(days)s days, total %(quantity)s")
            % {"drug": order.drug.name, "days": order.days, "quantity": order.quantity},
        }
        for order in visit.drug_orders.all()
    ]
    rows += [
        {"label": _("Treatment"), "value": _shown(order.service)}
        for order in visit.service_orders.all()
    ]
    rows += [
        {"label": _("Surgery"), "value": f"{_shown(s.service)} ({s.body_site.name})"}
        for s in visit.surgeries.all()
    ]
    return rows


def _preventive_details(check: PreventiveCheck) -> list[dict[str, str]]:
    """In the seed's table order, with its section names and units (as the portal shows)."""
    shown = [{"label": str(_("check date")), "value": rocdate(check.checked_on)}]
    for title, fields in PREVENTIVE_SECTIONS:
        for field in fields:
            if field.kind == "value":
                value = getattr(check, field.attr)
                if value is None or value == "":
                    continue
                text = f"{value} {field.unit}".strip()
            else:
                text = getattr(check, f"get_{field.attr}_display")()
            shown.append({"label": f"{title}: {field.label}", "value": text})
    return shown


def details(row: Any) -> list[dict[str, str]]:
    """Every field worth showing, labelled; a visit's diagnoses and orders after them."""
    if isinstance(row, PreventiveCheck):
        return _preventive_details(row)
    shown = _field_details(row)
    if isinstance(row, Visit):
        shown += _visit_details(row)
    return shown


def item(category: Category, row: Any) -> dict[str, Any]:
    """A record as the list returns it."""
    provider = getattr(row, "provider", None)
    out = {
        "id": row.pk,
        "date": category.date_of(row),
        "provider": provider.name if provider is not None else None,
        "summary": summary(row),
    }
    if isinstance(row, Visit):
        out |= {
            "diagnosis_code": row.primary_diagnosis.code,
            "diagnosis_name": row.primary_diagnosis.name,
            "copayment": row.copayment,
            "points": row.points,
        }
    elif isinstance(row, LabResult):
        out |= {
            "item": row.item.name,
            "value": row.value_text,
            "unit": row.item.unit,
            "flag": row.flag,
        }
    return out


# --- lists ---------------------------------------------------------------------------------

# Every key of RecordOut in its order, null where it does not apply: the list as ninja wrote
# it when it validated each row against the schema (the lists skip that, see api.records).
EMPTY = dict.fromkeys(RecordOut.model_fields)


def _names(table: type[CodeTable]) -> Callable[[str, str], str]:
    """A code's name in the reader's language (CodeTable.name), worked out once per name."""
    known: dict[tuple[str, str], str] = {}

    def name(zh: str, en: str) -> str:
        found = known.get((zh, en))
        if found is None:
            found = known[zh, en] = table(name_zh=zh, name_en=en).name
        return found

    return name


def _visit_list(kinds: tuple[str, ...]) -> Callable[[Person, Window], list[dict[str, Any]]]:
    def rows(person: Person, window: Window) -> list[dict[str, Any]]:
        name = _names(Diagnosis)
        out = []
        for row in visits.visit_list_rows(person, window, kinds):
            diagnosis = name(row["diagnosis_name_zh"], row["diagnosis_name_en"])
            out.append(
                EMPTY
                | {
                    "id": row["id"],
                    "date": row["visit_date"],
                    "provider": row["provider_name"],
                    "summary": diagnosis,
                    "diagnosis_code": row["diagnosis_code"],
                    "diagnosis_name": diagnosis,
                    "copayment": row["copayment"],
                    "points": row["points"],
                }
            )
        return out

    return rows


def _lab_list(person: Person, window: Window) -> list[dict[str, Any]]:
    name = _names(LabItem)
    out = []
    for row in labs.lab_list_rows(person, window):
        item_name = name(row["item_name_zh"], row["item_name_en"])
        out.append(
            EMPTY
            | {
                "id": row["id"],
                "date": row["collected_on"],
                "provider": row["provider_name"],
                "summary": f"{item_name} {row['value_text']} {row['item_unit']}".strip(),
                "item": item_name,
                "value": row["value_text"],
                "unit": row["item_unit"],
                "flag": row["flag"],
            }
        )
    return out


def _visit_one(kinds: tuple[str, ...]) -> Callable[[Person, Window, int], Visit | None]:
    return lambda person, window, pk: visits.visit_with_details(person, window, kinds, pk)


# The categories listed from plain rows.
LISTS: dict[str, Callable[[Person, Window], list[dict[str, Any]]]] = {
    **{code: _visit_list(kinds) for code, kinds in VISIT_KINDS.items()},
    "labs": _lab_list,
}
# The categories whose record is read alone, by id; the others' are found among their rows.
ONE: dict[str, Callable[[Person, Window, int], Any]] = {
    **{code: _visit_one(kinds) for code, kinds in VISIT_KINDS.items()},
    "labs": labs.lab_result,
}


def items(category: Category, person: Person, today: dt.date) -> list[dict[str, Any]]:
    """The category's list of the person over the period its page shows, newest first, each
    record with every key of RecordOut."""
    window = category.window(today)
    fast = LISTS.get(category.code)
    if fast is not None:
        return fast(person, window)
    return [EMPTY | item(category, row) for row in category.rows(person, window)]


def one(category: Category, person: Person, today: dt.date, pk: int) -> Any | None:
    """The person's record of this category and id over the period its page shows, with
    what `details` reads, or None."""
    window = category.window(today)
    read = ONE.get(category.code)
    if read is not None:
        return read(person, window, pk)
    return next((row for row in category.rows(person, window) if row.pk == pk), None)
