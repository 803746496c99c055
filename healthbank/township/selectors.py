"""The signed-in person's township office standing and applications (their rows only)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from healthbank.identity.review import OPEN
from healthbank.people.models import Enrolment, InsuredUnit, Person, PremiumBill
from healthbank.township import rules
from healthbank.township.models import TownshipApplication


def latest_enrolment(person: Person) -> Enrolment | None:
    return (
        Enrolment.objects.filter(person=person)
        .select_related("unit", "insured_person")
        .order_by("-start_date", "-pk")
        .first()
    )


def home_office(person: Person) -> InsuredUnit | None:
    """The township office of the person's registered address (戶籍地公所)."""
    if person.household_id is None:
        return None
    township = person.household.village.township_id  # type: ignore[union-attr]
    return (
        InsuredUnit.objects.filter(kind=rules.OFFICE_KIND, township_id=township)
        .order_by("pk")
        .first()
    )


def settled_months(person: Person, since: dt.date) -> frozenset[dt.date]:
    """Months from `since` whose bill is paid, in an instalment plan or waiting in a direct
    debit the bank has not answered (it is being paid): not removable."""
    months = (
        PremiumBill.objects.filter(person=person, month__gte=since.replace(day=1))
        .filter(Q(payments__isnull=False) | Q(planned__isnull=False) | Q(debits__pending=True))
        .values_list("month", flat=True)
        .distinct()
    )
    return frozenset(months)


def standing(person: Person, today: dt.date) -> rules.Standing:
    return rules.Standing(
        today=today,
        latest=latest_enrolment(person),
        home_office=home_office(person),
        has_household=person.household_id is not None,
        pending=TownshipApplication.objects.filter(person=person, status__in=OPEN).exists(),
        paid_months=settled_months(person, rules.earliest_back(today)),
    )


def applications_of(person: Person) -> QuerySet[TownshipApplication]:
    return (
        TownshipApplication.objects.filter(person=person)
        .select_related("unit", "new_unit")
        .order_by("-submitted_at", "-pk")
    )


def application_of(person: Person, pk: int) -> TownshipApplication:
    """The person's own application; anyone else's is a 404."""
    try:
        return applications_of(person).get(pk=pk)
    except TownshipApplication.DoesNotExist:
        raise Http404 from None


def dependants_in_force(person: Person, on: dt.date) -> QuerySet[Enrolment]:
    """The open dependant rows under the person as insured."""
    return (
        Enrolment.objects.filter(
            insured_person=person, role=Enrolment.Role.DEPENDANT, start_date__lte=on
        )
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("person")
        .order_by("pk")
    )
