"""Whose records a signed-in person may open besides their own: their children under 15
(the portal's switcher, the virtual card)."""

from __future__ import annotations

import datetime as dt

from healthbank.people.models import Enrolment, Person
from healthbank.records.rules import CHILD_AGE_LIMIT


def children_in_care(parent: Person, today: dt.date) -> list[Person]:
    """Children under 15 insured as the parent's dependants now (seed 004: automatic
    authorisation to the parent they are insured under, until the child turns 15)."""
    born_after = dt.date(today.year - CHILD_AGE_LIMIT, today.month, today.day)
    if (today.month, today.day) == (2, 29):  # 15 years before a 29 February
        born_after = dt.date(today.year - CHILD_AGE_LIMIT, 2, 28)
    return list(
        Person.objects.filter(
            enrolments__insured_person=parent,
            enrolments__relation=Enrolment.Relation.CHILD,
            enrolments__status=Enrolment.Status.ACTIVE,
            birth_date__gt=born_after,
        )
        .distinct()
        .order_by("birth_date", "id")
    )
