"""我的行事曆: a month of own events, reminders and visits; own events added, changed and
deleted; the whole calendar exported as an iCalendar file."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo

import icalendar
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.presenters.calendar import month_rows
from healthbank.core.rocdate import ROC_OFFSET, parse_roc
from healthbank.core.typed import ascii_typed
from healthbank.people.models import Person
from healthbank.records import services
from healthbank.records.models import CalendarEvent
from healthbank.records.selectors import calendar as selectors
from healthbank.records.selectors.reminders import Reminder, reminders_for

_MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ICS_FILENAME = "healthbank-calendar.ics"
ICS_PRODID = "-//healthbank//My Health Bank calendar//EN"
UID_DOMAIN = "healthbank"
NOTE_MAX_LENGTH = 1000


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """?month=2026-11 as the first of that month; anything else is this month."""
    match = _MONTH_RE.match(value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        first, last = selectors.FIRST_MONTH, selectors.LAST_MONTH
        if 1 <= month <= 12 and (first.year, first.month) <= (year, month) <= (
            last.year,
            last.month,
        ):
            return dt.date(year, month, 1)
    return today.replace(day=1)


def month_title(first: dt.date) -> str:
    """115年11月 in Chinese (the ROC year), November 2026 otherwise."""
    if (translation.get_language() or "").startswith("zh"):
        return f"{first.year - ROC_OFFSET}年{first.month}月"
    return f"{first:%B %Y}"


def weekday_names(week: list[dt.date]) -> list[tuple[str, str]]:
    """Each weekday's full and short name: (星期日, 日) in Chinese, (Sunday, Sun) otherwise."""
    chinese = (translation.get_language() or "").startswith("zh")
    names = []
    for day in week:
        full = date_format(day, "l")
        names.append((full, full[-1] if chinese else date_format(day, "D")))
    return names


def month_context(
    portal: Portal, first: dt.date, reminders: list[Reminder], *, with_visits: bool = True
) -> dict:
    """What bank/includes/month.html needs (the calendar page and the home page)."""
    month = selectors.month(portal.subject, first, portal.today, reminders, with_visits=with_visits)
    return {
        "month": month,
        **month_rows(month),
        "weekdays": weekday_names([day.date for day in month.weeks[0]]),
        "month_title": month_title(first),
        "nav_url": reverse("bank:calendar"),
    }


@portal_page
def calendar(request: HttpRequest, portal: Portal) -> HttpResponse:
    first = parse_month(request.GET.get("month"), portal.today)
    context = month_context(portal, first, reminders_for(portal.subject, portal.today))
    context["editable"] = True
    context["this_month"] = portal.today.replace(day=1) == first
    context["notes"] = [
        _(
            "Events are what you enter yourself; reminders are suggestions from your records "
            "(dental scaling, chronic refill pick-up and revisit, adult preventive check); "
            "visits are those providers reported."
        ),
        _(
            "The export holds all your events and the current reminders, each reminder as an "
            "all-day event; importing it again updates them."
        ),
    ]
    return render(request, "bank/calendar/calendar.html", context)


# --- Own events --------------------------------------------------------------------------


class DateField(forms.DateField):
    """A date typed as 2026-11-24 (the browser's date picker) or as an ROC date 115/11/24."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            try:
                return parse_roc(ascii_typed(str(value)))  # full-width typed: ASCII
            except ValueError:
                raise ValidationError(
                    _("Enter a date such as 2026-11-24 or 115/11/24."), code="invalid"
                ) from None


class EventForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=CalendarEvent._meta.get_field("title").max_length,
    )
    date = DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.TimeField(
        label=gettext_lazy("Time (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:  # point each field to its message
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-errors"}
                )

    def clean_date(self):
        day = self.cleaned_data["date"]
        first = selectors.FIRST_MONTH
        last = selectors.LAST_MONTH.replace(day=31)
        if not first <= day <= last:
            raise ValidationError(_("Enter a date between 1912 and 2999."), code="out_of_range")
        return day


def _back_to(day: dt.date) -> str:
    return f"{reverse('bank:calendar')}?month={day:%Y-%m}"


@portal_page
def event_new(request: HttpRequest, portal: Portal) -> HttpResponse:
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            event = services.add_event(person=portal.subject, **form.cleaned_data)
            return redirect(_back_to(event.date))
    else:
        day = request.GET.get("date", "")
        form = EventForm(initial={"date": day if _DAY_RE.fullmatch(day) else ""})
    return render(request, "bank/calendar/event_form.html", {"form": form, "event": None})


@portal_page
def event_edit(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    event = selectors.event(portal.subject, pk)
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = services.update_event(person=portal.subject, pk=pk, **form.cleaned_data)
            except CalendarEvent.DoesNotExist:  # deleted meanwhile
                raise Http404 from None
            return redirect(_back_to(event.date))
    else:
        form = EventForm(
            initial={
                "title": event.title,
                "date": event.date,
                "time": event.time,
                "note": event.note,
            }
        )
    return render(request, "bank/calendar/event_form.html", {"form": form, "event": event})


@require_POST
@portal_page
def event_delete(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    event = selectors.event(portal.subject, pk)
    services.delete_event(person=portal.subject, pk=event.pk)
    return redirect(_back_to(event.date))


# --- iCalendar export ----------------------------------------------------------------------


def reminder_uid(person: Person, reminder: Reminder) -> str:
    """The same reminder gets the same UID in every export, so calendars update it in place."""
    what = f"{reminder.kind}|{reminder.start:%Y%m%d}|{reminder.detail}".encode()
    return f"reminder-{person.pk}-{hashlib.sha256(what).hexdigest()[:16]}@{UID_DOMAIN}"


def ics_calendar(
    person: Person,
    events: list[CalendarEvent],
    reminders: list[Reminder],
    now: dt.datetime,
) -> bytes:
    """RFC 5545: own events (at their local time, or all day) and reminders as all-day events
    spanning their dates."""
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    cal = icalendar.Calendar()
    cal.add("prodid", ICS_PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("My Health Bank calendar"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = now.astimezone(dt.UTC)
    for e in events:
        item = icalendar.Event()
        item.add("uid", f"event-{e.pk}@{UID_DOMAIN}")
        item.add("dtstamp", stamp)
        item.add("summary", e.title)
        if e.time is None:
            item.add("dtstart", e.date)
            item.add("dtend", e.date + dt.timedelta(days=1))
        else:
            item.add("dtstart", dt.datetime.combine(e.date, e.time, tzinfo=local))
        if e.note:
            item.add("description", e.note)
        cal.add_component(item)
    for r in reminders:
        item = icalendar.Event()
        item.add("uid", reminder_uid(person, r))
        item.add("dtstamp", stamp)
        item.add("summary", f"{r.title}: {r.detail}" if r.detail else r.title)
        item.add("dtstart", r.start)
        item.add("dtend", (r.end or r.start) + dt.timedelta(days=1))
        item.add("categories", [_("Reminder")])
        item.add("transp", "TRANSPARENT")
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


@portal_page
def calendar_ics(request: HttpRequest, portal: Portal) -> HttpResponse:
    body = ics_calendar(
        portal.subject,
        selectors.all_events(portal.subject),
        reminders_for(portal.subject, portal.today),
        timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ICS_FILENAME}"'
    return response
