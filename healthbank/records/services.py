"""Writes to the records a person keeps themselves: their measurements and calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from healthbank.people.models import Person
from healthbank.records.models import CalendarEvent, Measurement

# --- Measurements (生理量測) ---------------------------------------------------------------


@transaction.atomic
def add_measurements(
    *, person: Person, measured_at: dt.datetime, values: Mapping[str, Decimal | None]
) -> list[Measurement]:
    """Save one sitting's measurements: one row per kind given (None or absent is skipped).

    Ranges are checked by the form (bank.forms); here only the kinds and the time are.
    """
    unknown = set(values) - set(Measurement.Kind.values)
    if unknown:
        raise ValueError(f"unknown measurement kinds: {sorted(unknown)}")
    if measured_at.tzinfo is None:
        raise ValueError("measured_at must be timezone-aware")
    rows = [
        Measurement(person=person, kind=kind, value=value, measured_at=measured_at)
        for kind in Measurement.Kind.values  # in the model's order
        if (value := values.get(kind)) is not None
    ]
    if not rows:
        raise ValueError("no measurement given")
    return Measurement.objects.bulk_create(rows)


def delete_measurement(*, person: Person, pk: int) -> None:
    """Delete one of the person's own measurements; anyone else's is Measurement.DoesNotExist."""
    deleted, _ = Measurement.objects.filter(person=person, pk=pk).delete()
    if not deleted:
        raise Measurement.DoesNotExist


# --- Calendar (我的行事曆) ------------------------------------------------------------------


def _checked(event: CalendarEvent) -> CalendarEvent:
    event.title = event.title.strip()
    event.note = event.note.strip()
    event.full_clean(exclude=["person"])  # the form checks first; this keeps the invariants
    return event


def add_event(
    *, person: Person, title: str, date: dt.date, time: dt.time | None = None, note: str = ""
) -> CalendarEvent:
    """Add an event to the person's own calendar. ValidationError for a blank or long title."""
    event = _checked(CalendarEvent(person=person, title=title, date=date, time=time, note=note))
    event.save()
    return event


@transaction.atomic
def update_event(
    *,
    person: Person,
    pk: int,
    title: str,
    date: dt.date,
    time: dt.time | None = None,
    note: str = "",
) -> CalendarEvent:
    """Change one of the person's own events; anyone else's is CalendarEvent.DoesNotExist."""
    event = CalendarEvent.objects.select_for_update().get(person=person, pk=pk)
    event.title, event.date, event.time, event.note = title, date, time, note
    _checked(event).save()
    return event


def delete_event(*, person: Person, pk: int) -> None:
    """Delete one of the person's own events; anyone else's is CalendarEvent.DoesNotExist."""
    deleted, _ = CalendarEvent.objects.filter(person=person, pk=pk).delete()
    if not deleted:
        raise CalendarEvent.DoesNotExist
