"""The portal frame: whose records are open, the child switcher, and the audit of reads."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.people.models import Person
from tests.fixtures.personas import CHEN, CHEN_WIFE, LIN, LIN_DAUGHTER, LIN_HUSBAND, LIN_SON

pytestmark = pytest.mark.django_db


def test_home_shows_masked_id_menus_and_breadcrumbs(client, sign_in):
    sign_in(client, CHEN)
    page = client.get(reverse("bank:home")).content.decode()
    assert "A12345****" in page and "A123456789" not in page
    for label in ("個人專區", "健康資料", "疾病評估", "系統登出", "現在位置", "我的首頁"):
        assert label in page


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("bank:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_staff_user_has_no_portal(client, personas):
    client.force_login(get_user_model().objects.create_user("staff2", is_staff=True))
    assert client.get(reverse("bank:home")).status_code == 404


def test_parent_switches_to_child_and_the_read_is_audited_as_hers(client, sign_in):
    mother = sign_in(client, LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    page = client.get(reverse("bank:home")).content.decode()
    assert daughter.name in page and Person.objects.get(national_id=LIN_SON).name in page

    response = client.post(reverse("bank:switch"), {"person": daughter.pk})
    assert response.status_code == 302
    page = client.get(reverse("bank:home")).content.decode()
    assert "您正在查看子女" in page

    read = AuditEvent.objects.filter(action=AuditEvent.Action.RECORDS_READ).latest("id")
    assert (read.person_id, read.actor_id, read.detail["page"]) == (
        daughter.pk,
        mother.pk,
        "bank:home",
    )

    client.post(reverse("bank:switch"), {"person": mother.pk})
    client.get(reverse("bank:home"))
    read = AuditEvent.objects.filter(action=AuditEvent.Action.RECORDS_READ).latest("id")
    assert read.person_id == mother.pk


@pytest.mark.parametrize("who", [LIN_HUSBAND, CHEN])
def test_switching_to_a_child_not_insured_under_you_is_404(client, sign_in, who):
    sign_in(client, who)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    assert client.post(reverse("bank:switch"), {"person": daughter.pk}).status_code == 404
    assert client.post(reverse("bank:switch"), {"person": "nonsense"}).status_code == 404


def test_child_of_15_drops_out_of_the_parents_portal(client, sign_in):
    sign_in(client, LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    client.post(reverse("bank:switch"), {"person": daughter.pk})

    today = timezone.localdate()
    daughter.birth_date = dt.date(today.year - 15, today.month, min(today.day, 28))
    daughter.save()
    assert client.post(reverse("bank:switch"), {"person": daughter.pk}).status_code == 404
    page = client.get(reverse("bank:home")).content.decode()
    assert daughter.name not in page  # back on the mother's own records
    read = AuditEvent.objects.filter(action=AuditEvent.Action.RECORDS_READ).latest("id")
    assert read.person.national_id == LIN


def test_a_parent_entering_a_childs_measurement_is_audited_on_the_child(client, sign_in):
    mother = sign_in(client, LIN)
    son = Person.objects.get(national_id=LIN_SON)
    client.post(reverse("bank:switch"), {"person": son.pk})
    now = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    response = client.post(
        reverse("bank:measurements"),
        {"measured_at": now.strftime("%Y-%m-%d %H:%M"), "height": "112", "weight": "19"},
    )
    assert response.status_code == 302
    change = AuditEvent.objects.filter(action=AuditEvent.Action.RECORDS_CHANGED).get()
    assert (change.person_id, change.actor_id, change.detail["page"]) == (
        son.pk,
        mother.pk,
        "bank:measurements",
    )


# Every portal URL that names a person's row, and that row's model: a new one must be added
# here, so that it is checked like the others.
OWNED_BY_ID = {
    "visit": ("get", "records.Visit"),
    "discharge_summary": ("get", "records.DischargeSummary"),
    "measurement_delete": ("post", "records.Measurement"),
    "event_edit": ("get", "records.CalendarEvent"),
    "event_delete": ("post", "records.CalendarEvent"),
    "revoke_app": ("post", "fhir.Grant"),
    # Family access, named by its owner (the family member's own 404s: test_family.py)
    "family_renew": ("post", "identity.Delegation"),
    "family_end": ("post", "identity.Delegation"),
    "family_accept": ("post", "identity.Delegation"),
}


def test_every_url_naming_a_row_is_404_to_anyone_else_and_changes_nothing(
    client, sign_in, outsider
):
    """陳志明's rows to 吳怡君, and a son's rows to his father (the son is insured under his
    mother, so only she may open them)."""
    from django.apps import apps
    from django.test import Client

    from healthbank.bank import urls
    from healthbank.fhir.tests.tokens import app_token, listing
    from healthbank.identity.models import Delegation
    from healthbank.identity.tests.family import family_access
    from healthbank.records.models import DischargeSummary, Visit
    from healthbank.records.tests.factories import (
        CalendarEventFactory,
        DischargeSummaryFactory,
        MeasurementFactory,
    )

    with_ids = {p.name for p in urls.urlpatterns if "<int:pk>" in str(p.pattern)}
    assert with_ids == set(OWNED_BY_ID), "list new per-row URLs in OWNED_BY_ID"

    chen = sign_in(client, CHEN)
    father = Client()
    sign_in(father, LIN_HUSBAND)
    son = Person.objects.get(national_id=LIN_SON)
    app = listing()
    for person in (chen, son):
        app_token(person, app=app)  # a grant the stranger must not revoke
        MeasurementFactory(person=person)
        CalendarEventFactory(person=person, title="x")
        if not DischargeSummary.objects.filter(person=person).exists():
            DischargeSummaryFactory(visit=Visit.objects.filter(person=person).first())
    family_access(chen, Person.objects.get(national_id=LIN), ["labs"], confirmed=False)
    Delegation.objects.create(  # a child's row as such: the services refuse a child owner
        owner=son,
        delegate=Person.objects.get(national_id=CHEN_WIFE),
        categories=["labs"],
        expires_at=timezone.now() + dt.timedelta(days=30),
        offered_by=Delegation.Side.OWNER,
    )
    for owner, stranger in ((chen, outsider), (son, father)):
        for name, (method, label) in OWNED_BY_ID.items():
            model = apps.get_model(label)
            whose = "owner" if label == "identity.Delegation" else "person"
            row = model.objects.filter(**{whose: owner}).first()
            url = reverse(f"bank:{name}", args=[row.pk])
            assert getattr(stranger, method)(url).status_code == 404, name
            assert model.objects.filter(pk=row.pk).exists()
            if label == "fhir.Grant":
                row.refresh_from_db()
                assert row.revoked_at is None
            if label == "identity.Delegation":
                row.refresh_from_db()
                assert (row.confirmed_at, row.ended_at) == (None, None), name


def test_the_menu_is_in_the_readers_language_with_the_open_section_marked(client, sign_in):
    """The menu is rendered once per language and section: each reader still gets theirs."""
    sign_in(client, CHEN)
    chinese = client.get(reverse("bank:western")).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("bank:insurance")).content.decode()

    health, personal = reverse("bank:health"), reverse("bank:personal")
    assert f'<a href="{health}" aria-current="true">健康資料</a>' in chinese
    assert f'<a href="{personal}">個人專區</a>' in chinese
    assert f'<a href="{personal}" aria-current="true">Personal</a>' in english
    assert f'<a href="{health}">Health data</a>' in english
    assert "健康資料" not in english.split('class="portal-menu"')[1].split("</nav>")[0]


@pytest.mark.django_db(transaction=True)
def test_a_page_read_is_committed_before_the_page_is_sent(client, sign_in):
    """Nothing is lost if the web process dies right after answering: the audit row of the
    read is already committed, seen from a connection of its own."""
    chen = sign_in(client, CHEN)
    assert client.get(reverse("bank:medications")).status_code == 200

    query = (
        "SELECT json_extract(detail, '$.page') FROM audit_auditevent"
        " WHERE person_id = ? AND action = 'records.read' ORDER BY id DESC LIMIT 1"
    )
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(
            dbname=settings["NAME"],
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            autocommit=True,
        ) as other:
            query = query.replace("json_extract(detail, '$.page')", "detail->>'page'")
            rows = other.execute(query.replace("?", "%s"), (chen.pk,)).fetchall()
    else:  # the tests' SQLite database is a file (settings.py): another connection sees it
        import sqlite3

        with contextlib.closing(sqlite3.connect(settings["NAME"])) as other:
            rows = other.execute(query, (chen.pk,)).fetchall()
    assert rows == [("bank:medications",)]
