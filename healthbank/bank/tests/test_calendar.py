"""我的行事曆: the month view, own events (add, change, delete) and the iCalendar export."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from healthbank.people.models import Person
from healthbank.records import services
from healthbank.records.models import CalendarEvent, Visit
from healthbank.records.selectors.reminders import reminders_for
from tests.fixtures.personas import CHEN, LIN, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def calendar_page(client, month: str | None = None) -> str:
    url = reverse("bank:calendar") + (f"?month={month}" if month is not None else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def grid_cell(html: str, day: dt.date) -> str:
    """The month grid's cell of `day` (the list under the grid is not part of it)."""
    grid = html[
        html.index('<table class="month">') : html.index(
            "</table>", html.index('<table class="month">')
        )
    ]
    start = grid.index(f'<time datetime="{day.isoformat()}">')
    return grid[start : grid.index("</td>", start)]


def add(person: Person, title: str, day: dt.date, **extra) -> CalendarEvent:
    return CalendarEvent.objects.create(person=person, title=title, date=day, **extra)


# --- The month view --------------------------------------------------------------------------


def test_an_event_shows_on_its_day_and_today_is_marked(client, sign_in):
    chen = sign_in(english(client), CHEN)
    today = timezone.localdate()
    add(chen, "Blood test at the clinic", today, time=dt.time(8, 15))
    html = calendar_page(client)
    cell = grid_cell(html, today)
    assert "Blood test at the clinic" in cell and "08:15" in cell
    assert re.search(
        rf'aria-current="date">\s*<span class="day-number"><time datetime="{today}"', html
    )
    assert html.count('aria-current="date"') == 1
    assert f"{today:%B %Y}" in html


@pytest.mark.parametrize(("language", "roc"), [("en", False), ("zh-hant", True)])
def test_an_events_time_links_and_dates_in_the_grid_and_the_list(client, sign_in, language, roc):
    client.cookies["django_language"] = language
    chen = sign_in(client, CHEN)
    day = dt.date(2026, 3, 9)
    event = add(chen, "Eye check", day, time=dt.time(9, 5), note="Bring\nglasses")
    html = " ".join(calendar_page(client, "2026-03").split())
    edit = reverse("bank:event_edit", args=[event.pk])
    assert f'<li class="entry-event"> 09:05 <a href="{edit}">Eye check</a> </li>' in html
    shown = "115/03/09" if roc else "2026-03-09"
    assert f'<span class="when"><time datetime="2026-03-09">{shown}</time> 09:05</span>' in html
    assert "<strong>Eye check</strong> — Bring<br>glasses" in html
    assert f'<a href="{edit}">' in html.split('class="month-list"')[1]
    delete = reverse("bank:event_delete", args=[event.pk])
    assert f'<form action="{delete}" method="post">' in html


def test_a_reminder_shows_in_the_month_of_its_date(client, sign_in):
    chen = sign_in(english(client), CHEN)
    today = timezone.localdate()
    with translation.override("en"):  # the titles as the English page shows them
        reminders = reminders_for(chen, today)
    assert reminders, "陳志明 has chronic refill and preventive-check reminders"
    reminder = reminders[0]
    html = calendar_page(client, f"{reminder.start:%Y-%m}")
    assert reminder.title in grid_cell(html, reminder.start)
    listed = html[html.index('class="month-list"') :]
    assert reminder.title in listed and reminder.start.isoformat() in listed


def test_the_months_visits_are_listed_and_open_the_visit(client, sign_in):
    chen = sign_in(english(client), CHEN)
    visit = Visit.objects.filter(person=chen, kind=Visit.Kind.WESTERN).latest("visit_date")
    html = calendar_page(client, f"{visit.visit_date:%Y-%m}")
    cell = grid_cell(html, visit.visit_date)
    assert reverse("bank:visit", args=[visit.pk]) in cell
    assert visit.primary_diagnosis.name in html and visit.provider.name in html


def test_month_navigation_and_a_chosen_month(client, sign_in):
    sign_in(english(client), CHEN)
    html = calendar_page(client, "2026-03")
    assert "March 2026" in html
    assert "?month=2026-02" in html and "?month=2026-04" in html
    today = timezone.localdate()
    assert html.count('aria-current="date"') == (today.replace(day=1) == dt.date(2026, 3, 1))
    html = calendar_page(client, "2027-01")
    assert "January 2027" in html and "?month=2026-12" in html and "?month=2027-02" in html


def test_month_title_is_roc_in_chinese(client, sign_in):
    sign_in(client, CHEN)
    assert "115年3月" in calendar_page(client, "2026-03")


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "abc", "0000-01", "9999-12", "2026-1x", ""])
def test_a_bad_month_falls_back_to_this_month(client, sign_in, bad):
    sign_in(english(client), CHEN)
    html = calendar_page(client, bad)
    assert f"{timezone.localdate():%B %Y}" in html
    assert html.count('aria-current="date"') == 1


def test_the_calendar_shows_only_the_persons_own_events(client, sign_in, outsider):
    chen = Person.objects.get(national_id=CHEN)
    add(chen, "Chen's private appointment", timezone.localdate())
    html = english(outsider).get(reverse("bank:calendar")).content.decode()
    assert "Chen's private appointment" not in html


def test_empty_month_says_so(client, sign_in):
    sign_in(english(client), WU)
    assert "Nothing in this month." in calendar_page(client, "2020-02")


# --- Own events --------------------------------------------------------------------------------


def test_adding_an_event(client, sign_in):
    chen = sign_in(english(client), CHEN)
    assert client.get(reverse("bank:event_new")).status_code == 200
    response = client.post(
        reverse("bank:event_new"),
        {
            "title": " Revisit cardiology ",
            "date": "2026-12-03",
            "time": "14:30",
            "note": "Bring log",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-12")
    event = CalendarEvent.objects.get(person=chen, title="Revisit cardiology")
    assert (event.date, event.time, event.note) == (
        dt.date(2026, 12, 3),
        dt.time(14, 30),
        "Bring log",
    )
    assert "Revisit cardiology" in grid_cell(calendar_page(client, "2026-12"), event.date)


def test_an_event_date_may_be_typed_as_an_roc_date(client, sign_in):
    chen = sign_in(client, CHEN)
    client.post(reverse("bank:event_new"), {"title": "洗牙", "date": "115/12/01"})
    assert CalendarEvent.objects.get(person=chen, title="洗牙").date == dt.date(2026, 12, 1)
    client.post(reverse("bank:event_new"), {"title": "回診", "date": "１１５／１２／０２"})
    assert CalendarEvent.objects.get(person=chen, title="回診").date == dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "date": "2026-12-03"}, "title"),
        ({"title": "   ", "date": "2026-12-03"}, "title"),
        ({"title": "x" * 101, "date": "2026-12-03"}, "title"),
        ({"title": "Check-up", "date": "2026-02-30"}, "date"),
        ({"title": "Check-up", "date": "tomorrow"}, "date"),
        ({"title": "Check-up", "date": ""}, "date"),
        ({"title": "Check-up", "date": "1800-01-01"}, "date"),
        ({"title": "Check-up", "date": "2026-12-03", "time": "25:00"}, "time"),
        ({"title": "Check-up", "date": "2026-12-03", "note": "n" * 1001}, "note"),
    ],
)
def test_invalid_event_input_is_explained_and_nothing_is_saved(client, sign_in, data, field):
    chen = sign_in(english(client), CHEN)
    before = CalendarEvent.objects.filter(person=chen).count()
    response = client.post(reverse("bank:event_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert "Please correct the fields marked below." in html
    assert f'aria-describedby="id_{field}-errors"' in html
    assert CalendarEvent.objects.filter(person=chen).count() == before


@pytest.mark.parametrize(
    "body",
    [
        b"title=%FF%FEVisit&date=2026-12-03",  # percent-encoded, as a browser sends it
        b"title=Visit \xe9&date=2026-12-03",  # Latin-1 bytes, not percent-encoded
    ],
)
def test_a_title_that_is_not_utf8_is_refused_not_stored_with_replacements(client, sign_in, body):
    chen = sign_in(client, CHEN)
    before = set(CalendarEvent.objects.filter(person=chen).values_list("title", flat=True))
    response = client.generic(
        "POST",
        reverse("bank:event_new"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode() and "無法辨識" in response.content.decode()
    assert set(CalendarEvent.objects.filter(person=chen).values_list("title", flat=True)) == before
    # A title typed in Chinese, sent as UTF-8, is kept as typed.
    client.post(reverse("bank:event_new"), {"title": "回診帶藥袋", "date": "2026-12-03"})
    assert CalendarEvent.objects.filter(person=chen, title="回診帶藥袋").exists()


def test_changing_an_event(client, sign_in):
    chen = sign_in(english(client), CHEN)
    event = add(chen, "Old title", dt.date(2026, 11, 2), note="old")
    form = client.get(reverse("bank:event_edit", args=[event.pk])).content.decode()
    assert 'value="Old title"' in form and 'value="2026-11-02"' in form
    response = client.post(
        reverse("bank:event_edit", args=[event.pk]),
        {"title": "New title", "date": "2027-01-05", "time": "", "note": ""},
    )
    assert response.status_code == 302 and response["Location"].endswith("?month=2027-01")
    event.refresh_from_db()
    assert (event.title, event.date, event.time, event.note) == (
        "New title",
        dt.date(2027, 1, 5),
        None,
        "",
    )


def test_an_invalid_change_keeps_the_event(client, sign_in):
    chen = sign_in(english(client), CHEN)
    event = add(chen, "Keep me", dt.date(2026, 11, 2))
    response = client.post(reverse("bank:event_edit", args=[event.pk]), {"title": "", "date": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "date"}
    event.refresh_from_db()
    assert (event.title, event.date) == ("Keep me", dt.date(2026, 11, 2))


def test_deleting_an_event(client, sign_in):
    chen = sign_in(english(client), CHEN)
    event = add(chen, "Cancelled", dt.date(2026, 11, 2))
    assert client.get(reverse("bank:event_delete", args=[event.pk])).status_code == 405
    response = client.post(reverse("bank:event_delete", args=[event.pk]))
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-11")
    assert not CalendarEvent.objects.filter(pk=event.pk).exists()
    assert client.post(reverse("bank:event_delete", args=[event.pk])).status_code == 404


def test_another_persons_event_is_404_and_kept(client, sign_in, outsider):
    chen = Person.objects.get(national_id=CHEN)
    event = add(chen, "Chen's event", dt.date(2026, 11, 2))
    edit = reverse("bank:event_edit", args=[event.pk])
    assert outsider.get(edit).status_code == 404
    assert outsider.post(edit, {"title": "Hijacked", "date": "2026-11-03"}).status_code == 404
    assert outsider.post(reverse("bank:event_delete", args=[event.pk])).status_code == 404
    event.refresh_from_db()
    assert (event.title, event.date) == ("Chen's event", dt.date(2026, 11, 2))


def test_a_parent_keeps_the_childs_calendar(client, sign_in):
    mother = sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    add(mother, "Mother's own event", timezone.localdate())
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    client.post(reverse("bank:event_new"), {"title": "School vaccination", "date": "2026-12-10"})
    assert CalendarEvent.objects.get(title="School vaccination").person == daughter
    html = calendar_page(client)
    assert "Mother's own event" not in html
    assert "School vaccination" in calendar_page(client, "2026-12")


# --- iCalendar export --------------------------------------------------------------------------


def export(client) -> icalendar.Calendar:
    response = client.get(reverse("bank:calendar_ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == 'attachment; filename="healthbank-calendar.ics"'
    return icalendar.Calendar.from_ical(response.content)


def test_the_export_has_the_persons_events_and_reminders(client, sign_in):
    chen = sign_in(client, CHEN)
    other = Person.objects.get(national_id=WU)
    add(other, "Someone else's event", dt.date(2026, 12, 1))
    add(chen, "All-day event", dt.date(2026, 12, 24), note="Bring the card")
    timed = add(chen, "Timed event", dt.date(2026, 12, 25), time=dt.time(9, 30))
    own = CalendarEvent.objects.filter(person=chen)
    reminders = reminders_for(chen, timezone.localdate())

    events = export(client).walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    assert "Someone else's event" not in summaries
    for event in own:
        assert event.title in summaries
    assert len(events) == own.count() + len(reminders)

    by_summary = {str(e["SUMMARY"]): e for e in events}
    all_day = by_summary["All-day event"]
    assert all_day.decoded("DTSTART") == dt.date(2026, 12, 24)
    assert all_day.decoded("DTEND") == dt.date(2026, 12, 25)
    assert str(all_day["DESCRIPTION"]) == "Bring the card"
    start = by_summary["Timed event"].decoded("DTSTART")
    assert start == dt.datetime(2026, 12, 25, 9, 30, tzinfo=timezone.get_current_timezone())
    assert str(by_summary["Timed event"]["UID"]) == f"event-{timed.pk}@healthbank"

    reminder_events = [e for e in events if str(e["UID"]).startswith("reminder-")]
    assert len(reminder_events) == len(reminders)
    for reminder, item in zip(reminders, reminder_events, strict=True):
        assert str(item["SUMMARY"]).startswith(str(reminder.title))
        assert item.decoded("DTSTART") == reminder.start  # a date: all day
        assert item.decoded("DTEND") == (reminder.end or reminder.start) + dt.timedelta(days=1)


def test_export_uids_are_stable_and_unique(client, sign_in):
    chen = sign_in(client, CHEN)
    add(chen, "Event", dt.date(2026, 12, 24))
    first = [str(e["UID"]) for e in export(client).walk("VEVENT")]
    second = [str(e["UID"]) for e in export(client).walk("VEVENT")]
    assert first == second and len(set(first)) == len(first)


def test_export_of_a_person_without_events_has_only_their_reminders(client, sign_in):
    wu = sign_in(client, WU)
    cal = export(client)
    assert str(cal["VERSION"]) == "2.0"
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(reminders_for(wu, timezone.localdate()))
    assert all(uid.startswith(f"reminder-{wu.pk}-") for uid in uids)


# --- Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["calendar", "calendar_ics"])
def test_calendar_pages_use_a_bounded_number_of_queries(
    client, sign_in, django_assert_max_num_queries, name
):
    chen = sign_in(client, CHEN)
    for n in range(20):
        add(chen, f"Event {n}", timezone.localdate() + dt.timedelta(days=n % 5))
    with django_assert_max_num_queries(12):  # the frame's 8; events, visits, reminders
        assert client.get(reverse(f"bank:{name}")).status_code == 200


# --- Services ---------------------------------------------------------------------------------


def test_event_services_keep_to_the_persons_own_events(personas):
    chen = Person.objects.get(national_id=CHEN)
    wu = Person.objects.get(national_id=WU)
    event = services.add_event(person=chen, title="  Dentist ", date=dt.date(2026, 12, 1))
    assert (event.title, event.time, event.note) == ("Dentist", None, "")
    with pytest.raises(ValidationError):
        services.add_event(person=chen, title=" ", date=dt.date(2026, 12, 1))
    with pytest.raises(CalendarEvent.DoesNotExist):
        services.update_event(person=wu, pk=event.pk, title="Mine now", date=dt.date(2026, 12, 2))
    with pytest.raises(CalendarEvent.DoesNotExist):
        services.delete_event(person=wu, pk=event.pk)
    event.refresh_from_db()
    assert (event.person, event.title) == (chen, "Dentist")
    services.update_event(person=chen, pk=event.pk, title="Dentist 2", date=dt.date(2026, 12, 2))
    services.delete_event(person=chen, pk=event.pk)
    assert not CalendarEvent.objects.filter(pk=event.pk).exists()


def test_invalid_event_input_is_explained_in_chinese_too(client, sign_in):
    chen = sign_in(client, CHEN)  # the site's default language
    before = CalendarEvent.objects.filter(person=chen).count()
    response = client.post(reverse("bank:event_new"), {"title": "", "date": "2026-12-03"})
    assert "請修正下方標示的欄位。" in response.content.decode()
    assert CalendarEvent.objects.filter(person=chen).count() == before
