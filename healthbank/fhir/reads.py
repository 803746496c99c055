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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from healthbank.fhir.access import Access
from healthbank.fhir.mapping import VISIT_DETAILS, api_resources, patient_entry
from healthbank.fhir.scopes import PATIENT, SHARED, categories_of
from healthbank.fhir.search import Query
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE, VISIT_KINDS, Category
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
