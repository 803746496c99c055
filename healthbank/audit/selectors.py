"""Reading a person's audit trail: always starting from the person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from healthbank.audit import partitions
from healthbank.audit.models import AuditEvent
from healthbank.people.models import InsuredUnit, Person
from healthbank.records.models import Provider

# How many events a page of a trail shows: the staff account page's newest, and each page of
# the person's access record (存取紀錄).
RECENT_EVENTS = 50


def events_for(person: Person) -> QuerySet[AuditEvent]:
    """The person's trail as kept, newest first (within partitions.kept: on PostgreSQL the
    newest months are read first, and only as many as a page needs)."""
    start, end = partitions.kept(timezone.now())
    return AuditEvent.objects.filter(person=person, at__gte=start, at__lt=end).order_by(
        "-at", "-id"
    )


def events_in_month(person: Person, month: dt.datetime) -> QuerySet[AuditEvent]:
    """The person's events of the calendar month starting at `month` (partitions.month_start),
    newest first: bounded by the month, a read on PostgreSQL touches its partition only."""
    return AuditEvent.objects.filter(
        person=person, at__gte=month, at__lt=partitions.add_months(month, 1)
    ).order_by("-at", "-id")


def kept_months(now: dt.datetime) -> list[dt.datetime]:
    """The months of the trail as kept, newest first: this month back to the retention cut's
    (AUDIT_RETENTION_MONTHS + 1 months; next month's partition holds nothing yet)."""
    cut, month = partitions.retention_cut(now), partitions.month_start(now)
    months = []
    while month >= cut:
        months.append(month)
        month = partitions.add_months(month, -1)
    return months


@dataclass(frozen=True)
class AccessPage:
    """A page of the person's access record (存取紀錄): the events, whether a next page
    exists (one row more was read: no count over the trail), and the names of whoever acted
    on the person's data in them (other people, providers, insured units), by id."""

    events: list[AuditEvent]
    number: int
    has_next: bool
    people: dict[int, str] = field(default_factory=dict)
    providers: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def access_page(
    person: Person, *, month: dt.datetime | None = None, number: int = 1, size: int = RECENT_EVENTS
) -> AccessPage:
    """Page `number` (from 1) of the person's trail, of one month or of every month kept,
    newest first; the actors' names in one query per kind of actor that appears."""
    rows = events_in_month(person, month) if month is not None else events_for(person)
    start = (number - 1) * size
    events = list(rows[start : start + size + 1])
    has_next = len(events) > size
    events = events[:size]
    Actor = AuditEvent.Actor
    acted = [e for e in events if e.actor_id is not None]
    people = {e.actor_id for e in acted if e.actor == Actor.PERSON and e.actor_id != person.pk}
    providers = {e.actor_id for e in acted if e.actor == Actor.PROVIDER}
    units = {e.actor_id for e in acted if e.actor == Actor.UNIT}
    return AccessPage(
        events=events,
        number=number,
        has_next=has_next,
        people=_names(Person.objects.all(), people),
        providers=_names(Provider.objects.all(), providers),
        units=_names(InsuredUnit.objects.all(), units),
    )


def _names(rows: QuerySet[Any], ids: set[int | None]) -> dict[int, str]:
    return dict(rows.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def logins(person: Person) -> QuerySet[AuditEvent]:
    """The person's successful sign-ins, newest first (an index of their own: not one more
    row to pass over for every page the person opens)."""
    return events_for(person).filter(action=AuditEvent.Action.LOGIN, success=True)


def previous_login(person: Person) -> AuditEvent | None:
    """The successful sign-in before the current one (shown as 上次登入 after sign-in)."""
    return logins(person)[1:2].first()
