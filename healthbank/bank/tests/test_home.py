"""我的首頁: latest visits, this month's calendar, reminders, duplicate medication, news."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from healthbank.bank.models import Announcement
from healthbank.people.models import Person
from healthbank.records.models import CalendarEvent, Visit
from healthbank.records.rules import record_window
from healthbank.records.selectors.reminders import reminders_for
from healthbank.records.tests.factories import duplicate_prescriptions
from tests.fixtures.personas import CHEN, CHEN_WIFE, LIN, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def home(client) -> str:
    response = client.get(reverse("bank:home"))
    assert response.status_code == 200
    return response.content.decode()


def latest(person: Person, kind: str) -> Visit | None:
    window = record_window(timezone.localdate())
    return (
        Visit.objects.filter(person=person, kind=kind, visit_date__gte=window.start)
        .order_by("-visit_date", "-pk")
        .first()
    )


def row(html: str, label: str) -> str:
    table = html[html.index('class="latest-visits"') :]
    start = table.index(f'<th scope="row">{label}</th>')
    return table[start : table.index("</tr>", start)]


@pytest.mark.parametrize(
    ("who", "kinds"),
    [
        (CHEN, {"Western medicine": "western", "Dentistry": "dental"}),
        (
            CHEN_WIFE,
            {"Western medicine": "western", "Dentistry": "dental", "Chinese medicine": "tcm"},
        ),
    ],
)
def test_home_shows_the_latest_visit_of_each_kind(client, sign_in, who, kinds):
    person = sign_in(english(client), who)
    html = home(client)
    for label, kind in kinds.items():
        visit = latest(person, kind)
        assert visit is not None
        cells = row(html, label)
        assert visit.visit_date.isoformat() in cells
        assert visit.provider.name in cells
        assert visit.primary_diagnosis.name in cells
        assert f'hx-get="{reverse("bank:visit", args=[visit.pk])}"' in cells
    assert 'id="detail-dialog"' in html


def test_a_kind_without_visits_says_so(client, sign_in):
    chen = sign_in(english(client), CHEN)
    assert latest(chen, "tcm") is None
    assert "No visit in the last three years" in row(home(client), "Chinese medicine")


def test_a_person_without_records_sees_empty_states(client, sign_in):
    sign_in(english(client), WU)
    html = home(client)
    for label in ("Western medicine", "Dentistry", "Chinese medicine"):
        assert "No visit in the last three years" in row(html, label)
    assert "No visits are on record for you in the last three years." in html
    assert "Possible duplicate medication" not in html
    assert "This is your first sign-in." in html  # the previous-login line is kept


def test_this_months_calendar_has_own_events_and_the_reminders(client, sign_in):
    chen = sign_in(english(client), CHEN)
    today = timezone.localdate()
    CalendarEvent.objects.create(person=chen, title="Home-page event", date=today)
    CalendarEvent.objects.create(
        person=chen, title="Next month event", date=today.replace(day=28) + dt.timedelta(days=10)
    )
    html = home(client)
    assert escape(f"This month's calendar: {today:%B %Y}") in html
    assert "Home-page event" in html and "Next month event" not in html
    reminders = reminders_for(chen, today)
    block = html[html.index('class="reminders"') :]
    for reminder in reminders:
        assert str(reminder.title) in block
    this_month = [
        r for r in reminders if r.start.month == today.month and r.start.year == today.year
    ]
    listed = html[html.index('class="month-list"') :]
    for reminder in this_month:
        assert reminder.start.isoformat() in listed
    assert f"{reverse('bank:calendar')}?month=" in html  # previous and next go to the calendar


def test_duplicate_medication_is_warned_on_home(client, sign_in):
    wu = sign_in(english(client), WU)
    providers = duplicate_prescriptions(wu)
    html = home(client)
    assert "Possible duplicate medication" in html
    assert providers[0].name in html and providers[1].name in html


def test_current_announcements_and_health_news(client, sign_in):
    sign_in(english(client), WU)
    today = timezone.localdate()
    Announcement.objects.all().delete()
    Announcement.objects.create(title_zh="系統維護", title_en="Maintenance on Sunday")
    Announcement.objects.create(title_zh="茲卡", title_en="Know about Zika", kind="news")
    Announcement.objects.create(
        title_zh="過期",
        title_en="Expired notice",
        published_on=today - dt.timedelta(days=30),
        until=today - dt.timedelta(days=1),
    )
    html = home(client)
    announcements = html[html.index('id="announcements-title"') : html.index('id="news-title"')]
    news = html[html.index('id="news-title"') :]
    assert "Maintenance on Sunday" in announcements and "Know about Zika" not in announcements
    assert "Know about Zika" in news
    assert "Expired notice" not in html


def test_another_persons_home_never_shows_the_owners_visits(client, sign_in, outsider):
    chen = Person.objects.get(national_id=CHEN)
    visit = latest(chen, "western")
    html = english(outsider).get(reverse("bank:home")).content.decode()
    assert reverse("bank:visit", args=[visit.pk]) not in html
    assert visit.provider.name not in html


def test_a_parent_switched_to_a_child_sees_the_childs_home(client, sign_in):
    mother = sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    CalendarEvent.objects.create(person=mother, title="Mother event", date=timezone.localdate())
    CalendarEvent.objects.create(person=daughter, title="Daughter event", date=timezone.localdate())
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    html = home(client)
    visit = latest(daughter, "western")
    assert visit.visit_date.isoformat() in row(html, "Western medicine")
    assert reverse("bank:visit", args=[visit.pk]) in html
    mothers = latest(mother, "western")
    assert reverse("bank:visit", args=[mothers.pk]) not in html
    assert "Daughter event" in html and "Mother event" not in html


def test_a_parent_viewing_a_child_is_greeted_with_her_own_name_and_sign_in(client, sign_in):
    from healthbank.audit.services import Action, record

    mother = sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    for address in ("198.51.100.1", "198.51.100.2"):  # her previous sign-in, then this one
        record(action=Action.LOGIN, person=mother, method="password", address=address)
    registration = f'href="{reverse("identity:register")}"'
    assert registration in home(client)  # her own home offers her account's pages

    client.post(reverse("bank:switch"), {"person": daughter.pk})
    html = home(client)
    assert f"<h1>Welcome, {mother.name}</h1>" in html
    assert f"Welcome, {daughter.name}" not in html
    assert "from 198.51.100.1" in html and "This is your first sign-in." not in html
    assert f"You are viewing the records of your child {daughter.name}" in html
    assert registration not in html  # not offered as if it were the child's account
    title = html[html.index("<title>") : html.index("</title>")]
    assert daughter.name in title  # a tab or a printout says whose records it holds


def test_home_uses_a_bounded_number_of_queries(client, sign_in, django_assert_max_num_queries):
    chen = sign_in(client, CHEN)
    for n in range(15):
        CalendarEvent.objects.create(person=chen, title=f"Event {n}", date=timezone.localdate())
    # The frame's 8; the previous sign-in, 3 latest visits, 2 reminders, 1 duplicate check,
    # 2 announcement lists and the month's events.
    with django_assert_max_num_queries(18):
        home(client)
