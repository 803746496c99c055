"""NHIA staff say why before they open a person's data at /staff/ (identity.staff_reads): the
page waits for the reason, the reason holds for that person a few minutes, each read is
audited under the person with the reason and the staff member's role; searches are reads of
the people they show; and no admin of a person's data is left out."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.identity import rules
from healthbank.identity.staff_reads import COMMON_REASONS, SESSION_KEY, person_path
from healthbank.people.models import Person
from healthbank.records.models import Measurement
from healthbank.records.tests.factories import PersonFactory
from tests.fixtures.portal import give_reason

pytestmark = pytest.mark.django_db

REASON_URL = reverse("admin:read_reason")


def _person_url(person: Person, view: str = "change") -> str:
    return reverse(f"admin:people_person_{view}", args=[person.pk])


def _reads(person: Person) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            person=person, action=AuditEvent.Action.RECORDS_READ, actor=AuditEvent.Actor.STAFF
        ).order_by("id")
    )


@pytest.fixture
def person(db) -> Person:
    return PersonFactory(name="王小明")


@pytest.fixture
def staff(db) -> User:
    """A superuser at the counter, in the 櫃檯服務 group (their role)."""
    user = User.objects.create_superuser("counter", password=None)
    user.groups.add(Group.objects.create(name="櫃檯服務"))
    return user


@pytest.fixture
def staff_client(client, staff, staff_login):
    return staff_login(client, staff)


# --- asked first ------------------------------------------------------------------------------


def test_a_persons_page_asks_why_first_and_shows_nothing_of_them(staff_client, person):
    response = staff_client.get(_person_url(person))

    assert response.status_code == 302
    asked = urlsplit(response["Location"])
    assert asked.path == REASON_URL
    assert parse_qs(asked.query)["next"] == [_person_url(person)]
    assert parse_qs(asked.query)["person"] == [str(person.pk)]
    assert _reads(person) == []
    form = staff_client.get(response["Location"]).content.decode()  # staff read Chinese
    assert "為何開啟此民眾的資料？" in form
    assert person.name not in form and person.national_id not in form
    assert all(str(text) in form for text in COMMON_REASONS.values())


def test_with_a_reason_the_page_opens_and_the_read_is_audited_with_role_and_reason(
    staff_client, staff, person
):
    answer = staff_client.post(
        f"{REASON_URL}?person={person.pk}",
        {"reason": "inquiry", "person": person.pk, "next": _person_url(person)},
    )
    assert answer.status_code == 302 and answer["Location"] == _person_url(person)

    page = staff_client.get(_person_url(person))

    assert page.status_code == 200
    [read] = _reads(person)
    assert read.actor_id == staff.pk
    assert read.detail == {
        "page": "staff:people.person",
        "view": "change",
        "reason": "民眾向健保署洽詢（服務專線或臨櫃）",  # as the staff member read it
        "reason_code": "inquiry",
        "role": "櫃檯服務",
    }
    assert staff.username not in str(read.detail)
    staff_client.get(_person_url(person, "history"))
    assert [r.detail["view"] for r in _reads(person)] == ["change", "history"]


def test_a_reason_of_ones_own_is_kept_as_typed_and_an_empty_one_is_refused(staff_client, person):
    empty = staff_client.post(
        REASON_URL, {"reason": "other", "other": "  ", "person": person.pk, "next": "/staff/"}
    )
    none = staff_client.post(REASON_URL, {"person": person.pk, "next": "/staff/"})
    assert (empty.status_code, none.status_code) == (200, 200)
    assert "請填寫原因，或選擇常用原因。" in empty.content.decode()
    assert SESSION_KEY not in staff_client.session
    assert staff_client.get(_person_url(person)).status_code == 302

    staff_client.post(
        REASON_URL,
        {"reason": "other", "other": "Court order 115-123", "person": person.pk, "next": "/"},
    )
    assert staff_client.get(_person_url(person)).status_code == 200
    assert _reads(person)[0].detail["reason"] == "Court order 115-123"
    assert _reads(person)[0].detail["reason_code"] == "other"


def test_the_reason_holds_for_that_person_only_and_for_a_short_time(staff_client, person, clock):
    other = PersonFactory()
    give_reason(staff_client, person)

    assert staff_client.get(_person_url(person)).status_code == 200
    assert staff_client.get(_person_url(other)).status_code == 302
    clock.forward(seconds=rules.READ_REASON_VALID_FOR.total_seconds() - 60)
    assert staff_client.get(_person_url(person)).status_code == 200
    clock.forward(minutes=2)
    assert staff_client.get(_person_url(person)).status_code == 302


def test_a_form_sent_without_a_reason_is_not_taken(staff_client, person):
    weight = Measurement.objects.create(
        person=person, kind="weight", value=Decimal("60.5"), measured_at=timezone.now()
    )
    url = reverse("admin:records_measurement_change", args=[weight.pk])

    response = staff_client.post(url, {"person": person.pk, "kind": "weight", "value": "99"})

    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]
    weight.refresh_from_db()
    assert weight.value == Decimal("60.5")


def test_the_way_on_is_a_staff_page_only(staff_client, person):
    for elsewhere in ("https://evil.example/staff/", "//evil.example/", "/bank/"):
        response = staff_client.post(
            REASON_URL, {"reason": "inquiry", "person": person.pk, "next": elsewhere}
        )
        assert response["Location"] == reverse("admin:index"), elsewhere


def test_staff_who_may_not_see_the_data_are_refused_not_asked(client, person, staff_login):
    staff_login(client, User.objects.create_user("clerk", password=None, is_staff=True))
    assert client.get(_person_url(person)).status_code == 403
    assert _reads(person) == []


def test_the_reason_page_needs_a_staff_session(client, person):
    response = client.get(REASON_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- lists and searches -----------------------------------------------------------------------


def test_a_work_queue_asks_nothing_and_audits_nothing(staff_client, person):
    assert staff_client.get(reverse("admin:people_person_changelist")).status_code == 200
    assert _reads(person) == []


def test_a_search_asks_why_then_audits_each_person_it_shows_who_open_without_asking(
    staff_client, staff, person
):
    other = PersonFactory(name="林大同")
    changelist = reverse("admin:people_person_changelist")

    asked = staff_client.get(changelist, {"q": person.national_id})
    assert asked.status_code == 302
    assert "為何查詢民眾的資料？" in staff_client.get(asked["Location"]).content.decode()
    give_reason(staff_client, reason="investigation")  # no person: a search
    found = staff_client.get(changelist, {"q": person.national_id})

    assert list(found.context["cl"].result_list) == [person]
    [read] = _reads(person)
    assert (read.detail["view"], read.detail["reason_code"]) == ("search", "investigation")
    assert _reads(other) == []
    assert staff_client.get(_person_url(person)).status_code == 200  # found: no second question
    assert staff_client.get(_person_url(other)).status_code == 302


@pytest.mark.parametrize("query", [{"person__id__exact": "1"}, {"q": "王"}], ids=["filter", "name"])
def test_a_list_filtered_to_people_is_a_search(staff_client, person, query):
    response = staff_client.get(reverse("admin:records_measurement_changelist"), query)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == REASON_URL


def test_a_list_filtered_to_one_person_takes_the_reason_given_for_them(staff_client, person):
    other = PersonFactory()
    give_reason(staff_client, person)
    trail = reverse("admin:audit_auditevent_changelist")

    assert staff_client.get(trail, {"person__id__exact": person.pk}).status_code == 200
    assert staff_client.get(trail, {"person__id__exact": other.pk}).status_code == 302
    assert [r.detail["view"] for r in _reads(person)] == ["search"]
    give_reason(staff_client)  # and a search's: nobody's trail by an id of no one
    assert staff_client.get(trail, {"person__id__exact": 999999}).status_code == 200


# --- every admin of a person's data -----------------------------------------------------------


def _relations(model) -> list:
    return [
        field.related_model
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)
    ]


def _personal(model) -> bool:
    """Person, a row naming a person, or a row of such a row (a device binding's account)."""
    if model is Person:
        return True
    related = _relations(model)
    return Person in related or any(
        m is not None and Person in _relations(m) for m in related if m is not Person
    )


PERSONAL_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if _personal(model)
    ),
    key=lambda pair: pair[0]._meta.label,
)


def test_the_walk_finds_the_admins_of_peoples_data():
    labels = {model._meta.label_lower for model, _ in PERSONAL_ADMINS}
    assert {
        "people.person",
        "records.visit",
        "identity.account",
        "identity.devicebinding",
        "vcard.authorisation",
        "audit.auditevent",
    } <= labels


@pytest.mark.parametrize(
    ("model", "model_admin"), PERSONAL_ADMINS, ids=lambda x: getattr(x, "__name__", "")
)
def test_every_admin_of_a_persons_data_asks_for_the_reason(model, model_admin):
    """A new admin of a person's data is guarded without a line of its own: its person is
    found (a `person`, or PERSON_PATHS says where), and every page of one of its rows goes
    through the staff site's admin_view, which asks."""
    assert person_path(model) is not None, (
        f"{model._meta.label}: name its person in identity.staff_reads.PERSON_PATHS"
    )
    for pattern in model_admin.get_urls():
        if "object_id" not in str(pattern.pattern):
            continue
        callback = pattern.callback
        standard = getattr(callback, "model_admin", None) is model_admin  # Django's own views
        assert standard or getattr(callback, "asks_reason", False), (
            f"{model._meta.label} {pattern.name}: wrap it in self.admin_site.admin_view"
        )


def test_the_review_queues_offer_the_application_reason_first(staff_client, person):
    page = staff_client.get(REASON_URL, {"person": person.pk, "default": "application"})
    assert re.search(
        r'<input type="radio" name="reason" value="application"[^>]* checked', page.content.decode()
    )
