"""Whose records a signed-in person may open besides their own: their children under 15
(the portal's switcher, the virtual card)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from healthbank.core.prepared import PreparedQuery
from healthbank.people.models import Enrolment, Person
from healthbank.records.rules import CHILD_AGE_LIMIT


def _children(parent: int, born_after: dt.date) -> QuerySet[Any, Any]:
    rows: QuerySet[Any, Any] = (
        Person.objects.filter(
            enrolments__insured_person=parent,
            enrolments__relation=Enrolment.Relation.CHILD,
            enrolments__status=Enrolment.Status.ACTIVE,
            birth_date__gt=born_after,
        )
        .distinct()
        .order_by("birth_date", "id")
        .values(*(field.attname for field in Person._meta.concrete_fields))
    )
    return rows


# Read on every portal page (the switcher): built once per process (core/prepared.py).
_children_of = PreparedQuery(_children, parent=int, born_after=dt.date)


def children_in_care(parent: Person, today: dt.date) -> list[Person]:
    """Children under 15 insured as the parent's dependants now (seed 004: automatic
    authorisation to the parent they are insured under, until the child turns 15)."""
    born_after = dt.date(today.year - CHILD_AGE_LIMIT, today.month, today.day)
    if (today.month, today.day) == (2, 29):  # 15 years before a 29 February
        born_after = dt.date(today.year - CHILD_AGE_LIMIT, 2, 28)
    return [Person(**row) for row in _children_of(parent=parent.pk, born_after=born_after)]
