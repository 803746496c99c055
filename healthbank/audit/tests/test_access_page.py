"""The person's access record as audit's selectors read it: a month's events within that
month's bounds (on PostgreSQL, from that month's partition only), a page of them with a
next-page flag and no count, and the names of whoever acted, one query per kind."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from healthbank.audit import partitions
from healthbank.audit.selectors import access_page, events_in_month, kept_months
from healthbank.audit.services import Action, Actor, record
from healthbank.people.identifiers import check_digit
from healthbank.people.models import InsuredUnit, Person, Sex
from healthbank.records.tests.factories import ProviderFactory

NATIONAL_ID = "A20000003" + check_digit("A20000003")
OTHER_ID = "B20000003" + check_digit("B20000003")


@pytest.fixture
def person(db) -> Person:
    return Person.objects.create(
        national_id=NATIONAL_ID, name="王小明", sex=Sex.FEMALE, birth_date="1980-02-03"
    )


@pytest.fixture
def other(db) -> Person:
    return Person.objects.create(
        national_id=OTHER_ID, name="林大同", sex=Sex.MALE, birth_date="1970-01-01"
    )


def _month(months_from_now: int) -> dt.datetime:
    return partitions.add_months(partitions.month_start(dt.datetime.now(dt.UTC)), months_from_now)


def _at(clock, moment: dt.datetime, **fields):
    clock.to(moment)
    return record(**{"action": Action.RECORDS_READ, **fields})


def test_kept_months_run_from_this_month_back_to_the_retention_cut(settings):
    now = dt.datetime.now(dt.UTC)
    months = kept_months(now)
    assert len(months) == settings.AUDIT_RETENTION_MONTHS + 1
    assert months[0] == partitions.month_start(now)
    assert months[-1] == partitions.retention_cut(now)
    assert months == sorted(months, reverse=True)


def test_a_month_holds_the_persons_events_of_that_local_month_only(person, other, clock):
    month = _month(-2)
    if partitions.partitioned():
        partitions.make_partitions(dt.datetime.now(dt.UTC), since=_month(-3))
    first = _at(clock, month, person=person)  # 00:00 in Taipei: 16:00 UTC the day before
    last = _at(clock, partitions.add_months(month, 1) - dt.timedelta(seconds=1), person=person)
    _at(clock, month - dt.timedelta(seconds=1), person=person)  # the month before
    _at(clock, partitions.add_months(month, 1), person=person)  # the month after
    _at(clock, month + dt.timedelta(days=3), person=other)  # someone else's

    assert list(events_in_month(person, month)) == [last, first]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_a_months_page_reads_that_months_partition_only(person, clock):
    partitions.make_partitions(dt.datetime.now(dt.UTC), since=_month(-3))
    for months_ago in (3, 2, 1, 0):
        _at(clock, _month(-months_ago) + dt.timedelta(days=2), person=person)

    plan = events_in_month(person, _month(-2))[:51].explain()

    assert set(re.findall(r"\bon (audit_auditevent\w*)", plan)) == {
        partitions.partition_name(_month(-2))
    }


def test_a_page_says_whether_another_follows_without_counting(person):
    for n in range(7):
        record(action=Action.RECORDS_READ, person=person, n=n)
    with CaptureQueriesContext(connection) as queries:
        first = access_page(person, size=3)
    assert len(queries) == 1 and "COUNT" not in queries[0]["sql"].upper()
    assert [e.detail["n"] for e in first.events] == [6, 5, 4]
    assert first.has_next and not first.has_previous
    last = access_page(person, number=3, size=3)
    assert [e.detail["n"] for e in last.events] == [0]
    assert last.has_previous and not last.has_next


def test_the_names_of_those_who_acted_one_query_per_kind(person, other):
    provider = ProviderFactory(name="測試診所")
    unit = InsuredUnit.objects.create(code="900000009", name="測試公司", kind="employer")
    record(action=Action.RECORDS_READ, person=person, actor_id=person.pk)  # themself: no name
    record(action=Action.VCARD_QR_ISSUED, person=person, actor_id=other.pk)
    record(action=Action.VCARD_VERIFIED, person=person, actor=Actor.PROVIDER, actor_id=provider.pk)
    record(action=Action.REGISTRATION_EMPLOYER, person=person, actor=Actor.UNIT, actor_id=unit.pk)
    record(action=Action.SUSPENDED, person=person, actor=Actor.STAFF, actor_id=1)
    record(action=Action.LOGIN, person=other, actor_id=other.pk)  # other's own: not read

    with CaptureQueriesContext(connection) as queries:
        found = access_page(person)

    assert len(queries) == 4  # the events, then people, providers and units
    assert found.people == {other.pk: "林大同"}
    assert found.providers == {provider.pk: "測試診所"}
    assert found.units == {unit.pk: "測試公司"}
    assert len(found.events) == 5
