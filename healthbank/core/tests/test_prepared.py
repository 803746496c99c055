"""Prepared queries (core/prepared.py): the same rows as the queryset they were built from,
for any values; a query whose SQL would change with its values is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from healthbank.core.prepared import PreparedQuery
from healthbank.records.models import Visit
from healthbank.records.tests.factories import PersonFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _visits(person: int, since: dt.date) -> object:
    return (
        Visit.objects.filter(person=person, visit_date__gte=since)
        .values("visit_date", "provider__name")
        .annotate(orders=Count("drug_orders"))
        .order_by("-visit_date")
    )


def test_rows_are_the_querysets_own_for_every_value():
    today = dt.date(2026, 12, 6)
    people = [PersonFactory(), PersonFactory()]
    for days in (3, 30, 300):
        VisitFactory(person=people[0], visit_date=today - dt.timedelta(days=days))
    VisitFactory(person=people[1], visit_date=today)
    prepared = PreparedQuery(_visits, person=int, since=dt.date)

    for person in people:
        for since in (today - dt.timedelta(days=40), dt.date(2000, 1, 1), today):
            rows = prepared(person=person.pk, since=since)
            assert rows == list(_visits(person.pk, since)), (person, since)
    dates = prepared(person=people[0].pk, since=dt.date(2000, 1, 1))
    assert [type(row["visit_date"]) for row in dates] == [dt.date] * 3  # converted as Django does


def test_a_query_whose_sql_changes_with_its_values_is_refused():
    def shape_shifting(person: int):
        visits = Visit.objects.values("id")
        return visits.filter(person=person) if person % 2 else visits.exclude(person=person)

    with pytest.raises(ValueError, match="changes with its values"):
        PreparedQuery(shape_shifting, person=int)(person=1)


def test_a_value_the_query_never_uses_is_refused():
    with pytest.raises(ValueError, match="not among its parameters"):
        PreparedQuery(lambda person: Visit.objects.values("id"), person=int)(person=1)
