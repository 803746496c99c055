"""Reading a person's audit trail: always starting from the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from healthbank.audit import partitions
from healthbank.audit.models import AuditEvent
from healthbank.people.models import InsuredUnit, Person
from healthbank.records.models import Provider

Action, Actor = AuditEvent.Action, AuditEvent.Actor

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

    @property
    def app_ids(self) -> set[int]:
        """The third-party apps (fhir listings) that acted: named by the layer that knows them."""
        return {e.actor_id for e in self.events if e.actor == Actor.APP and e.actor_id is not None}

    @property
    def agency_ids(self) -> set[int]:
        """The agencies a person's identity was confirmed to (named by agencies.selectors)."""
        return {
            e.actor_id for e in self.events if e.actor == Actor.AGENCY and e.actor_id is not None
        }


def access_page(
    person: Person, *, month: dt.datetime | None = None, number: int = 1, size: int = RECENT_EVENTS
) -> AccessPage:
    """Page `number` (from 1) of the person's trail, of one month or of every month kept,
    newest first; the actors' names in one query per kind of actor that appears."""
    rows = events_in_month(person, month) if month is not None else events_for(person)
    start = (number - 1) * size
    events = list(rows[start : start + size + 1])
    return _named(person, events[:size], number=number, has_next=len(events) > size)


def _named(person: Person, events: list[AuditEvent], *, number: int, has_next: bool) -> AccessPage:
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


# --- Who read the person's data (查詢紀錄) -------------------------------------------------

# The events that are a read of the person's records or personal data: pages and downloads
# (portal, e-services, the NHI Express app), a provider's read of the virtual card, apps
# through the FHIR API (records.read by an app), NHIA staff at /staff/ (records.read with
# the reason they gave, and the files of the person's applications).
READ_ACTIONS = (
    Action.RECORDS_READ,
    Action.VCARD_VERIFIED,
    Action.VCARD_PHOTOS_READ,
    Action.APPLICATION_FILE_READ,
)


def reader_filters(person: Person) -> dict[str, Q]:
    """Who read, as the person filters their reads: their own sessions (website and app),
    a parent (another person: a child's record read by the parent it is insured under),
    third-party apps, providers through the virtual card, NHIA staff."""
    own = Q(actor=Actor.PERSON) & (Q(actor_id=person.pk) | Q(actor_id__isnull=True))
    return {
        "own": own,
        "family": Q(actor=Actor.PERSON, actor_id__isnull=False) & ~Q(actor_id=person.pk),
        "apps": Q(actor=Actor.APP),
        "providers": Q(actor=Actor.PROVIDER),
        "staff": Q(actor=Actor.STAFF),
    }


READERS = ("own", "family", "apps", "providers", "staff")  # the keys of reader_filters


def reads_for(person: Person, *, reader: str | None = None) -> QuerySet[AuditEvent]:
    """The person's reads as kept, newest first, of one kind of reader (READERS) or all."""
    rows = events_for(person).filter(action__in=READ_ACTIONS)
    if reader is not None:
        rows = rows.filter(reader_filters(person)[reader])
    return rows


def reads_page(
    person: Person, *, reader: str | None = None, number: int = 1, size: int = RECENT_EVENTS
) -> AccessPage:
    """Page `number` (from 1) of the person's reads, newest first, as access_page pages the
    whole trail: one row more read for the next-page link, names one query per kind."""
    start = (number - 1) * size
    events = list(reads_for(person, reader=reader)[start : start + size + 1])
    return _named(person, events[:size], number=number, has_next=len(events) > size)


def reads_in_pieces(
    person: Person, *, reader: str | None = None, size: int = 500
) -> Iterator[AccessPage]:
    """Every read kept, newest first, `size` at a time (the export): each piece starts where
    the last ended (after its oldest row's time and id), so no piece skips over the others."""
    rows = reads_for(person, reader=reader)
    number, after = 1, Q()
    while True:
        events = list(rows.filter(after)[: size + 1])
        piece = _named(person, events[:size], number=number, has_next=len(events) > size)
        yield piece
        if not piece.has_next:
            return
        last = piece.events[-1]
        after = Q(at__lt=last.at) | Q(at=last.at, id__lt=last.pk)
        number += 1


def _names(rows: QuerySet[Any], ids: set[int | None]) -> dict[int, str]:
    return dict(rows.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def logins(person: Person) -> QuerySet[AuditEvent]:
    """The person's successful sign-ins, newest first (an index of their own: not one more
    row to pass over for every page the person opens)."""
    return events_for(person).filter(action=AuditEvent.Action.LOGIN, success=True)


def previous_login(person: Person) -> AuditEvent | None:
    """The successful sign-in before the current one (shown as 上次登入 after sign-in)."""
    return logins(person)[1:2].first()
