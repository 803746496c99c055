"""The resources an app may read: the person in context's rows of the categories the
grant covers, through the records read layer (records/categories.py), rendered by the one
mapper (fhir/mapping.py).

A search reads only the categories its type is served from (fhir/scopes.py) that the grant
covers, over each category's own window, narrowed by the search's date bounds. A read by id
looks the row up alone where the read layer has a one-row read (a visit, a lab result),
and otherwise among its category's rows: either way a row another category, another person
or an older window holds is not found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from healthbank.fhir.access import Access
from healthbank.fhir.mapping import (
    VISIT_DETAILS,
    api_resources,
    instant,
    patient_entry,
    resource_id,
)
from healthbank.fhir.scopes import PATIENT, SHARED, categories_of
from healthbank.fhir.search import Query, order_key
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE, VISIT_KINDS, Category
from healthbank.records.models import Visit
from healthbank.records.rules import Window
from healthbank.records.selectors import labs, visits


@dataclass
class Found:
    records: list[dict] = field(default_factory=list)  # search entries of the type
    organizations: dict[str, dict] = field(default_factory=dict)  # "Organization/<id>"


def _render(
    found: Found,
    category: Category,
    person: Person,
    rows: list,
    resource_type: str,
    *,
    today: dt.date,
    base: str,
) -> None:
    if not rows:
        return
    types = (resource_type,) if resource_type else None  # "": every type (Organizations)
    records, organizations = api_resources(
        category, person, rows, today=today, base=base, types=types
    )
    found.records += [e for e in records if e["resource"]["resourceType"] == resource_type]
    for entry in organizations:
        found.organizations.setdefault(f"Organization/{entry['resource']['id']}", entry)


def search(access: Access, query: Query, *, today: dt.date, base: str) -> Found:
    """Every resource of the query's type the access sees whose row lies in the window the
    query narrows to (not yet matched against the query's other parameters)."""
    found = Found()
    resource_type = query.spec.name
    # The visit categories granted over one window: their visits in one read (five
    # queries, not five per category), rendered as the first of them (one renderer).
    kinds: dict[Window, tuple[Category, list[str]]] = {}
    for code in categories_of(resource_type):
        if code not in access.categories:
            continue
        category = BY_CODE[code]
        window = query.window(category.window(today))
        if window is None:
            continue
        if code in VISIT_KINDS:
            kinds.setdefault(window, (category, []))[1].extend(VISIT_KINDS[code])
            continue
        rows = category.rows(access.person, window)
        _render(found, category, access.person, rows, resource_type, today=today, base=base)
    for window, (category, visit_kinds) in kinds.items():
        details = VISIT_DETAILS[resource_type]  # what the type is made of, not every detail
        rows = visits.visits_with_details(access.person, window, visit_kinds, details=details)
        _render(found, category, access.person, rows, resource_type, today=today, base=base)
    return found


# --- a page read before it is rendered ------------------------------------------------

# Types of a visit whose rows are one resource each (a visit, a diagnosis, a drug order):
# the detail of visits.visit_keys they are keyed by, and their date element.
_KEYED: dict[str, tuple[str, str]] = {
    "Encounter": ("", "period"),
    "ExplanationOfBenefit": ("", "created"),
    "Condition": ("diagnoses", "recordedDate"),
    "MedicationRequest": ("drug_orders", "authoredOn"),
}
PAGED_TYPES = frozenset(_KEYED)


def _stub(resource_type: str, row: Mapping[str, Any]) -> dict | None:
    """What a keyed row's resource holds that a search without token or reference
    parameters compares and orders by: its id, date element and meta.lastUpdated, as the
    mapper makes them (fhir/mapping.py's _visits). None: the row makes no resource."""
    day = row["visit_date"].isoformat()
    date: Any = day
    key: object = row["key"]
    if resource_type == "Encounter":
        date = {"start": day}
        if row["discharge_date"] or row["kind"] != Visit.Kind.INPATIENT:
            date["end"] = (row["discharge_date"] or row["visit_date"]).isoformat()
    elif resource_type == "ExplanationOfBenefit":
        key = f"claim/{row['visit_id']}"
    elif key is None and resource_type == "Condition":
        key = f"visit-{row['visit_id']}"  # no diagnoses: the primary diagnosis
    elif key is None:
        return None  # a visit without drug orders
    return {
        "resourceType": resource_type,
        "id": resource_id(key),
        "meta": {"lastUpdated": instant(row["updated_at"])},
        _KEYED[resource_type][1]: date,
    }


@dataclass
class Page:
    entries: list[dict]  # the page's entries, in order
    total: int  # how many match
    organizations: dict[str, dict]  # those the page's records name


def page(access: Access, query: Query, *, today: dt.date, base: str) -> Page | None:
    """The page a search asks for, read as keys first (ordered, matched and counted
    without rendering) and rendered for the page's visits alone; None when the search
    cannot be answered so (another type, a token or reference parameter): then `search`
    and matching every resource give the same answer."""
    resource_type = query.spec.name
    if resource_type not in PAGED_TYPES or query.tokens or query.references:
        return None
    detail, _element = _KEYED[resource_type]
    kinds: dict[Window, tuple[Category, list[str]]] = {}
    for code in categories_of(resource_type):
        if code not in access.categories:
            continue
        category = BY_CODE[code]
        window = query.window(category.window(today))
        if window is not None:
            kinds.setdefault(window, (category, []))[1].extend(VISIT_KINDS[code])
    stubs: list[tuple[dict, Window, int]] = []
    for window, (_category, visit_kinds) in kinds.items():
        for row in visits.visit_keys(access.person, window, visit_kinds, detail):
            stub = _stub(resource_type, row)
            if stub is not None:
                stubs.append((stub, window, row["visit_id"]))
    matches = [s for s in stubs if query.matches(s[0])]
    matches.sort(key=lambda s: order_key(query.spec, s[0]))
    chosen = matches[query.offset : query.offset + query.count]
    found = Found()
    for window, (category, visit_kinds) in kinds.items():
        ids = {visit for _stub_, w, visit in chosen if w == window}
        if not ids:
            continue
        details = VISIT_DETAILS[resource_type]
        rows = visits.visits_with_details(
            access.person, window, visit_kinds, details=details, ids=ids
        )
        _render(found, category, access.person, rows, resource_type, today=today, base=base)
    by_id = {entry["resource"]["id"]: entry for entry in found.records}
    entries = [by_id[stub["id"]] for stub, _w, _v in chosen]
    return Page(entries, len(matches), found.organizations)


# A read's id -> (category codes, a one-row read) where the read layer has one.
_OneRow = Callable[[Person, Window, int], Any]


def _visit(kinds: tuple[str, ...]) -> _OneRow:
    details = VISIT_DETAILS["Encounter"]
    return lambda person, window, pk: visits.visit_with_details(
        person, window, kinds, pk, details=details
    )


_ONE: dict[str, tuple[re.Pattern[str], dict[str, _OneRow]]] = {
    "Encounter": (
        re.compile(r"^([0-9]{1,18})$"),
        {code: _visit(kinds) for code, kinds in VISIT_KINDS.items()},
    ),
    "Observation": (re.compile(r"^lab-([0-9]{1,18})$"), {"labs": labs.lab_result}),
}


def one(
    access: Access, query: Query, resource_id: str, *, today: dt.date, base: str
) -> dict | None:
    """The entry of the query's type with this id, if the access sees it."""
    resource_type = query.spec.name
    fast = _ONE.get(resource_type)
    match = fast[0].match(resource_id) if fast else None
    if fast is not None and match is not None:
        found = Found()
        for code, read in fast[1].items():
            if code not in access.categories:
                continue
            category = BY_CODE[code]
            row = read(access.person, category.window(today), int(match[1]))
            if row is not None:
                person = access.person
                _render(found, category, person, [row], resource_type, today=today, base=base)
                break
    else:
        found = search(access, query, today=today, base=base)
    return next((e for e in found.records if e["resource"]["id"] == resource_id), None)


def organizations(access: Access, *, today: dt.date, base: str) -> dict[str, dict]:
    """The Organizations the records the access sees name (a provider, NHIA)."""
    found = Found()
    for code in sorted(access.categories):
        if not set(SHARED.get(code, ())) & access.resource_types:
            continue
        category = BY_CODE[code]
        rows = category.rows(access.person, category.window(today))
        _render(found, category, access.person, rows, "", today=today, base=base)
    return found.organizations


def patient(access: Access, *, base: str) -> dict:
    """The person in context's Patient: name, sex, birth date and national id only with
    the demographics the person granted; else the id alone (a subject to refer to)."""
    if access.demographics:
        return patient_entry(access.person, base=base)
    pid = str(access.person.pk)
    return {"fullUrl": f"{base}/{PATIENT}/{pid}", "resource": {"resourceType": PATIENT, "id": pid}}
