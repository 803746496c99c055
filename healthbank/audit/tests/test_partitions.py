"""The audit trail by month: on PostgreSQL each month's rows in their own partition, made
ahead by the worker, dropped whole past retention; on SQLite the same retention by rows.
Reads of the person's trail and of their previous sign-in are the same whatever month
their rows sit in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from healthbank.audit import partitions
from healthbank.audit.models import AuditEvent
from healthbank.audit.selectors import events_for, logins, previous_login
from healthbank.audit.services import Action, record
from healthbank.people.identifiers import check_digit
from healthbank.people.models import Person, Sex

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)
NATIONAL_ID = "A20000002" + check_digit("A20000002")


@pytest.fixture
def person(db) -> Person:
    return Person.objects.create(
        national_id=NATIONAL_ID, name="王小明", sex=Sex.FEMALE, birth_date="1980-02-03"
    )


def _month(months_from_now: int, day: int = 15) -> dt.datetime:
    """Noon on `day` of the month that many months from this one (Asia/Taipei); from the
    real clock, which the tests' `clock` does not move."""
    now = dt.datetime.now(dt.UTC)
    start = partitions.add_months(partitions.month_start(now), months_from_now)
    return start.replace(day=day, hour=12)


def _recorded_at(clock, moment: dt.datetime, **fields) -> AuditEvent:
    clock.to(moment)
    return record(**{"action": Action.RECORDS_READ, **fields})


def _partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk]
        )
        return cursor.fetchone()[0]


@postgres_only
def test_the_trail_is_partitioned_by_month_with_a_default(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat, pg_get_partkeydef(partrelid) FROM pg_partitioned_table"
            " WHERE partrelid = 'audit_auditevent'::regclass"
        )
        assert cursor.fetchone() == ("r", "RANGE (at)")
    assert partitions.partitioned()
    names = partitions.monthly_partitions()
    kept = [partitions.partition_name(_month(month)) for month in range(-60, 2)]
    assert set(kept) <= set(names)  # every month kept and next month, made by the migration


@postgres_only
def test_rows_land_in_their_own_months_partition(person, clock):
    partitions.make_partitions(_month(-1))  # last month's, as upkeep made it then
    last_month = _recorded_at(clock, _month(-1), person=person)
    first_instant = _recorded_at(clock, partitions.month_start(_month(0)), person=person)
    last_instant = _recorded_at(
        clock, partitions.month_start(_month(1)) - dt.timedelta(microseconds=1), person=person
    )
    next_month = _recorded_at(clock, _month(1, day=1), person=person)

    assert _partition_of(last_month) == partitions.partition_name(_month(-1))
    assert _partition_of(first_instant) == partitions.partition_name(_month(0))
    assert _partition_of(last_instant) == partitions.partition_name(_month(0))
    assert _partition_of(next_month) == partitions.partition_name(_month(1))


@postgres_only
def test_a_month_upkeep_did_not_foresee_is_kept_then_moved_into_its_partition(person, clock):
    late = _recorded_at(clock, _month(3), person=person)  # no partition yet: DEFAULT takes it
    assert _partition_of(late) == partitions.DEFAULT

    made = partitions.make_partitions(_month(3))

    assert made == [partitions.partition_name(_month(3)), partitions.partition_name(_month(4))]
    assert _partition_of(late) == partitions.partition_name(_month(3))
    assert AuditEvent.objects.get(pk=late.pk).at == late.at


@postgres_only
def test_upkeep_makes_next_months_partition_ahead_and_again_makes_nothing(db):
    next_but_one = partitions.partition_name(_month(2))
    assert next_but_one not in partitions.monthly_partitions()

    first = partitions.upkeep(now=_month(1))
    second = partitions.upkeep(now=_month(1))

    assert first.created == [next_but_one]
    assert (second.created, second.dropped, second.deleted_rows) == ([], [], 0)
    assert next_but_one in partitions.monthly_partitions()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [next_but_one])
        indexes = {name for (name,) in cursor.fetchall()}
    assert f"{next_but_one}_login_by_person" in indexes  # a plan names the index it used


@override_settings(AUDIT_RETENTION_MONTHS=60)
def test_retention_drops_exactly_the_months_before_the_cut(person, clock):
    months = [-62, -61, -60, -59, 0]
    if partitions.partitioned():
        for month in months:
            partitions.make_partitions(_month(month))
    rows = {month: _recorded_at(clock, _month(month), person=person) for month in months}
    oldest_kept = _recorded_at(clock, partitions.month_start(_month(-60)), person=person)
    newest_gone = _recorded_at(
        clock, partitions.month_start(_month(-60)) - dt.timedelta(microseconds=1), person=person
    )

    if partitions.partitioned():  # check the rows' person now, as their commit would have
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    done = partitions.drop_expired(now=_month(0))

    kept = set(AuditEvent.objects.values_list("pk", flat=True))
    assert kept == {rows[-60].pk, rows[-59].pk, rows[0].pk, oldest_kept.pk}
    assert newest_gone.pk not in kept
    if partitions.partitioned():
        assert done.dropped == [
            partitions.partition_name(_month(-62)),
            partitions.partition_name(_month(-61)),
        ]
        assert done.deleted_rows == 0  # whole partitions, not rows
        assert partitions.partition_name(_month(-60)) in partitions.monthly_partitions()
    else:
        assert done.deleted_rows == 3


@postgres_only
@override_settings(AUDIT_RETENTION_MONTHS=60)
def test_retention_deletes_old_rows_the_default_partition_caught(person, clock):
    stray = _recorded_at(clock, _month(-70), person=person)  # no partition for that month
    recent = _recorded_at(clock, _month(-59), person=person)

    connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the commit would
    done = partitions.drop_expired(now=_month(0))

    assert done.deleted_rows == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEvent.objects.filter(pk=stray.pk).exists()


def test_the_persons_trail_and_previous_sign_in_read_across_months(person, clock):
    if partitions.partitioned():
        partitions.make_partitions(_month(-2))
    other = Person.objects.create(
        national_id="B10000000" + check_digit("B10000000"),
        name="林大同",
        sex=Sex.MALE,
        birth_date="1970-01-01",
    )
    older_sign_in = _recorded_at(clock, _month(-2), action=Action.LOGIN, person=person)
    read_then = _recorded_at(clock, _month(-2, day=16), person=person)
    _recorded_at(clock, _month(-1), action=Action.LOGIN, person=other)  # someone else's
    previous = _recorded_at(clock, _month(-1, day=20), action=Action.LOGIN, person=person)
    failed = _recorded_at(
        clock, _month(0, day=2), action=Action.LOGIN_FAILED, person=person, success=False
    )
    current = _recorded_at(clock, _month(0, day=3), action=Action.LOGIN, person=person)
    read_now = _recorded_at(clock, _month(0, day=3), person=person)

    assert list(events_for(person)) == [
        read_now,
        current,
        failed,
        previous,
        read_then,
        older_sign_in,
    ]
    assert list(logins(person)) == [current, previous, older_sign_in]
    assert previous_login(person) == previous


@postgres_only
def test_the_persons_newest_events_are_read_from_their_newest_months_only(person, clock):
    """A page of the person's trail must not cost one index probe per month kept (60): the
    DEFAULT partition is skipped, so at size the months are read newest first until the
    page is full (bench/audit.py's plans; with this few rows a sort of them is cheaper)."""
    for months_ago in (2, 1, 0):
        clock.to(_month(-months_ago))
        for _ in range(60):
            record(action=Action.RECORDS_READ, person=person, page="home")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")

    plan = events_for(person)[:50].explain(analyze=True)

    assert partitions.DEFAULT not in plan  # so the months can be read in order
    assert "Merge Append" not in plan  # not one probe of every month to merge them


def test_the_worker_drops_the_trail_past_retention(person, clock):
    past = _recorded_at(clock, _month(-70), person=person)
    kept = _recorded_at(clock, _month(-2), person=person)
    clock.to(dt.datetime.now(dt.UTC))

    call_command("worker", "--batch", "--interval", "0.01")

    assert list(AuditEvent.objects.filter(person=person)) == [kept]
    assert not AuditEvent.objects.filter(pk=past.pk).exists()
