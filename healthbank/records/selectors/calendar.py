"""我的行事曆: the person's own events, their reminders and visits, laid out by month.

The reminders come from `records.selectors.reminders.reminders_for`, computed once by the
caller (the home page also lists them) and passed in.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404

from healthbank.people.models import Person
from healthbank.records.models import CalendarEvent, Visit
from healthbank.records.selectors.reminders import Reminder

# The seed's 本月行事曆 starts its weeks on Sunday (星期日).
WEEK_STARTS = pycalendar.SUNDAY
# The months a calendar may open: from ROC year 1 to well past any lifetime, so that the
# previous and next month always exist.
FIRST_MONTH = dt.date(1912, 1, 1)
LAST_MONTH = dt.date(2999, 12, 1)


@dataclass(frozen=True)
class Entry:
    """One line in a day: an own event, a reminder (from `date` to `end`) or a visit."""

    kind: str  # "event", "reminder" or "visit"
    date: dt.date
    title: str
    time: dt.time | None = None
    end: dt.date | None = None
    detail: str = ""
    event: CalendarEvent | None = None
    visit: Visit | None = None


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[Day]]
    entries: list[Entry]  # those of the month itself, in date order (the list view)
    previous: dt.date | None
    next: dt.date | None


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _shift_month(first: dt.date, months: int) -> dt.date | None:
    """The first of the month `months` away, or None outside FIRST_MONTH..LAST_MONTH."""
    index = first.year * 12 + first.month - 1 + months
    moved = dt.date(index // 12, index % 12 + 1, 1) if 1 <= index // 12 <= 9999 else None
    if moved is None or not FIRST_MONTH <= moved <= LAST_MONTH:
        return None
    return moved


def events_between(person: Person, start: dt.date, end: dt.date) -> list[CalendarEvent]:
    """The person's own events from start to end, in date and time order."""
    return list(
        CalendarEvent.objects.filter(person=person, date__gte=start, date__lte=end).order_by(
            "date", "time", "pk"
        )
    )


def all_events(person: Person) -> list[CalendarEvent]:
    """Every event of the person's calendar (the iCalendar export)."""
    return list(CalendarEvent.objects.filter(person=person).order_by("date", "time", "pk"))


def event(person: Person, pk: int) -> CalendarEvent:
    """One of the person's own events; anyone else's is a 404."""
    return get_object_or_404(CalendarEvent.objects.filter(person=person), pk=pk)


def visits_between(person: Person, start: dt.date, end: dt.date) -> list[Visit]:
    """The person's visits (admissions for inpatient stays) from start to end."""
    return list(
        Visit.objects.filter(person=person, visit_date__gte=start, visit_date__lte=end)
        .select_related("provider", "primary_diagnosis")
        .order_by("visit_date", "pk")
    )


def _order(entry: Entry) -> tuple[dt.date, int, dt.time, str]:
    rank = {"reminder": 0, "visit": 1, "event": 2}[entry.kind]
    return (entry.date, rank, entry.time or dt.time.min, entry.title)


def _reminder_entries(reminders: Sequence[Reminder], start: dt.date, end: dt.date) -> list[Entry]:
    """Reminders that fall in start..end, each on its first day in that span (a pick-up
    window that began last month shows on the first day shown, with its dates)."""
    found = []
    for r in reminders:
        last = r.end or r.start
        if r.start <= end and last >= start:
            found.append(
                Entry("reminder", max(r.start, start), r.title, end=r.end, detail=r.detail)
            )
    return found


def month(
    person: Person,
    first: dt.date,
    today: dt.date,
    reminders: Sequence[Reminder],
    *,
    with_visits: bool = True,
) -> Month:
    """The month's grid (whole weeks, Sunday first) with its events, reminders and visits.

    Two queries: the events and the visits of the weeks shown.
    """
    first = _month_start(first)
    weeks_of_dates = pycalendar.Calendar(WEEK_STARTS).monthdatescalendar(first.year, first.month)
    start, end = weeks_of_dates[0][0], weeks_of_dates[-1][-1]

    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    records = [
        Entry("event", e.date, e.title, time=e.time, detail=e.note, event=e)
        for e in events_between(person, start, end)
    ]
    if with_visits:
        records += [
            Entry("visit", v.visit_date, v.get_kind_display(), detail=v.provider.name, visit=v)
            for v in visits_between(person, start, end)
        ]
    in_grid = sorted(_reminder_entries(reminders, start, end) + records, key=_order)
    in_month = sorted(
        _reminder_entries(reminders, first, last) + [e for e in records if first <= e.date <= last],
        key=_order,
    )
    by_day: dict[dt.date, list[Entry]] = defaultdict(list)
    for entry in in_grid:
        by_day[entry.date].append(entry)

    weeks = [
        [Day(d, d.month == first.month, d == today, by_day.get(d, [])) for d in week]
        for week in weeks_of_dates
    ]
    return Month(
        first=first,
        weeks=weeks,
        entries=in_month,
        previous=_shift_month(first, -1),
        next=_shift_month(first, 1),
    )
