"""What the township tests share: the personas, the day they are seeded as, making someone
category 6 at the township office, filing as of a day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from healthbank.people.models import Enrolment, InsuredUnit, Person
from healthbank.township import services

TODAY = dt.date(2026, 11, 23)
ZHANG = "E223456785"  # 張淑芬, 67: category 6 at 新北市板橋區公所, no dependants
LIN = "F223456786"  # 林雅婷: employed; her two children are insured under her
CHILDREN = ("F224681354", "F135792464")
HUANG = "B123456780"  # 黃冠宇: employed (category 1 to 3)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


NOW = at(TODAY)


def office_of(person: Person) -> InsuredUnit:
    return InsuredUnit.objects.get(
        kind=InsuredUnit.Kind.OFFICE, township=person.household.village.township
    )


def make_regional(person: Person) -> None:
    """The person's open period (and their dependants') moved to category 6 at the office."""
    office = office_of(person)
    Enrolment.objects.filter(person=person, end_date__isnull=True).update(
        unit=office, category=6, insured_amount=0
    )
    Enrolment.objects.filter(insured_person=person, end_date__isnull=True).update(
        unit=office, category=6, insured_amount=0
    )


def current(person: Person) -> Enrolment:
    return Enrolment.objects.filter(person=person).order_by("-start_date", "-pk").first()


def file(person: Person, kind: str, effective_date: dt.date, now=NOW, **fields):
    return services.apply(
        person=person, kind=kind, effective_date=effective_date, now=now, **fields
    )
