"""The staff review queue of virtual card applications (/staff/vcard/application/): the queue's
order, the private photos, approving, rejecting with a reason, a colleague's review first, and
who may do any of it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from healthbank.audit.models import AuditEvent
from healthbank.people.models import Person
from healthbank.vcard import services
from healthbank.vcard.admin import COMMON_REASONS
from healthbank.vcard.models import Application, VirtualCard
from tests.fixtures.personas import seed_personas
from tests.fixtures.portal import give_reason

TODAY = dt.date(2026, 11, 23)
# Personas without a card after seeding (陳志明 and 林雅婷's children have one).
WIFE, HUANG, ZHANG, LIN, WANG = (
    "A223456781",
    "B123456780",
    "E223456785",
    "F223456786",
    "F123456784",
)


@pytest.fixture(autouse=True)
def vcard_dir(settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"
    return settings.VCARD_DIR


@pytest.fixture
def people(db) -> dict[str, Person]:
    seed_personas(today=TODAY)
    return {person.national_id: person for person in Person.objects.all()}


def _user(username: str, *codenames: str, staff: bool = True) -> User:
    user = User.objects.create_user(username, password=None, is_staff=staff)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="vcard", codename__in=codenames)
    )
    return user


@pytest.fixture
def reviewer(db) -> User:
    """NHIA staff who review applications, and nothing else."""
    return _user("reviewer", "view_application", "change_application")


@pytest.fixture
def reviewer_client(client, reviewer, staff_login, people):
    """The reviewer, who said why they open the personas' applications (staff_reads)."""
    return give_reason(staff_login(client, reviewer), *people.values(), reason="application")


def photo(size=(640, 800), color="white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def apply(person: Person, applicant: Person | None = None, **fields) -> Application:
    return services.apply(
        applicant=applicant or person,
        person=person,
        document_kind=fields.pop("document_kind", Application.Document.ID_CARD),
        document=photo((1200, 760), "lightblue"),
        portrait=photo(),
        contact_phone="0912345678",
        email=fields.pop("email", "applicant@example.com"),
        terms_accepted=True,
    )


@pytest.fixture
def application(people) -> Application:
    return apply(people[HUANG])


def url(view: str, *args) -> str:
    return reverse(f"admin:vcard_application_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def run_worker() -> None:
    call_command("worker", "--batch", "--interval", "0.01")


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_lists_pending_applications_first_and_the_oldest_on_top(
    reviewer_client, people, reviewer
):
    now = timezone.now()
    newer = apply(people[HUANG])
    older = apply(people[ZHANG])
    reviewed = apply(people[WIFE])
    services.approve(application=reviewed, staff_user=reviewer)
    Application.objects.filter(pk=newer.pk).update(submitted_at=now - dt.timedelta(hours=1))
    Application.objects.filter(pk=older.pk).update(submitted_at=now - dt.timedelta(days=2))
    Application.objects.filter(pk=reviewed.pk).update(submitted_at=now - dt.timedelta(days=9))

    response = reviewer_client.get(url("changelist"))

    assert response.status_code == 200
    listed = [a.pk for a in response.context["cl"].result_list]
    seeded = list(Application.objects.exclude(status="pending").exclude(pk=reviewed.pk))
    assert listed[:2] == [older.pk, newer.pk]
    assert set(listed[2:]) == {reviewed.pk, *(a.pk for a in seeded)}
    page = response.content.decode()
    assert people[ZHANG].masked_id in page and people[ZHANG].national_id not in page


def test_a_dependant_application_shows_who_applied(reviewer_client, people):
    apply(people[LIN], applicant=people[WANG])
    response = reviewer_client.get(url("changelist"), {"status__exact": "pending"})
    row = next(a for a in response.context["cl"].result_list if a.person_id == people[LIN].pk)
    assert response.context["cl"].model_admin.applicant_if_other(row) == str(people[WANG])
    assert str(people[WANG]) in response.content.decode()


def test_staff_find_an_application_by_national_id_in_any_case(reviewer_client, application):
    give_reason(reviewer_client)  # a search's reason (identity.staff_reads)
    response = reviewer_client.get(url("changelist"), {"q": application.person.national_id.lower()})
    assert [a.pk for a in response.context["cl"].result_list] == [application.pk]


def test_the_queue_takes_the_same_queries_however_long_it_is(reviewer_client, people):
    apply(people[HUANG])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reviewer_client.get(url("changelist")).status_code == 200
        return len(captured)

    few = queries()
    apply(people[ZHANG])
    apply(people[LIN], applicant=people[WANG])
    assert queries() == few


def test_applications_cannot_be_added_edited_or_deleted_through_the_form(
    reviewer_client, application
):
    assert reviewer_client.get(url("add")).status_code == 403
    assert reviewer_client.get(url("delete", application.pk)).status_code == 403
    response = reviewer_client.post(url("change", application.pk), {"email": "x@example.com"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.email == "applicant@example.com"


# --- the change page and its photos -----------------------------------------------------------


def test_the_change_page_shows_both_photos_and_the_card_holders_registered_data(
    reviewer_client, people
):
    lin = people[LIN]
    application = apply(lin, applicant=people[WANG])

    response = reviewer_client.get(url("change", application.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert url("photo", application.pk, "document") in page
    assert url("photo", application.pk, "portrait") in page
    for shown in (lin.name, lin.national_id, lin.household.number, str(people[WANG])):
        assert shown in page
    assert response.context["age"] == lin.age_on(timezone.localdate())
    assert url("approve", application.pk) in page
    assert url("reject", application.pk) in page


def test_a_photo_is_served_to_staff_privately_as_a_jpeg(reviewer_client, application):
    for which in ("document", "portrait"):
        response = reviewer_client.get(url("photo", application.pk, which))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
        assert response["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(response.getvalue())).format == "JPEG"
    assert reviewer_client.get(url("photo", application.pk, "other")).status_code == 404


def test_photos_are_not_served_to_anyone_else(client, application, staff_login):
    photo_url = url("photo", application.pk, "portrait")
    assert client.get(photo_url).status_code == 302  # anonymous: to the staff sign-in

    client.force_login(_user("citizen", "view_application", staff=False))
    assert client.get(photo_url).status_code == 302  # not staff

    staff_login(client, _user("clerk", "view_virtualcard"))
    assert client.get(photo_url).status_code == 403  # staff, but not for applications


def test_staff_who_may_only_view_see_no_review_buttons_and_cannot_review(
    client, application, staff_login
):
    give_reason(staff_login(client, _user("auditor", "view_application")), application.person)
    page = client.get(url("change", application.pk)).content.decode()
    assert url("approve", application.pk) not in page
    assert client.post(url("approve", application.pk)).status_code == 403
    assert client.post(url("reject", application.pk), {"reason": "x"}).status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


# --- approving --------------------------------------------------------------------------------


def test_approving_makes_the_card_audits_it_and_mails_the_applicant(
    reviewer_client, reviewer, application, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(url("approve", application.pk))

    assert response.status_code == 302
    assert response["Location"] == url("changelist")
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.reviewed_by == reviewer
    card = VirtualCard.objects.get(person=application.person)
    assert card.portrait_image == application.portrait_image
    event = AuditEvent.objects.get(person=application.person, action="vcard.approved")
    assert (event.actor, event.actor_id) == (AuditEvent.Actor.STAFF, reviewer.pk)
    assert DBTaskResult.objects.filter(task_path__endswith="mail_review_result").count() == 1
    run_worker()
    assert [m.to for m in mailoutbox] == [["applicant@example.com"]]


def test_approving_needs_a_post(reviewer_client, application):
    assert reviewer_client.get(url("approve", application.pk)).status_code == 405
    assert not VirtualCard.objects.filter(person=application.person).exists()


# --- rejecting --------------------------------------------------------------------------------


def test_the_reject_page_offers_common_reasons_to_pick_and_edit(reviewer_client, application):
    page = reviewer_client.get(url("reject", application.pk)).content.decode()
    for key in COMMON_REASONS:
        assert f"?reason={key}" in page

    response = reviewer_client.get(url("reject", application.pk), {"reason": "blurred"})
    assert response.context["form"]["reason"].value() == COMMON_REASONS["blurred"]


def test_rejecting_without_a_reason_says_so_and_changes_nothing(
    reviewer_client, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = reviewer_client.post(url("reject", application.pk), {"reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert application.reviewed_at is None
    assert not callbacks
    assert not AuditEvent.objects.filter(action="vcard.rejected").exists()


def test_rejecting_with_a_reason_stores_it_for_the_applicant(
    reviewer_client, reviewer, application, django_capture_on_commit_callbacks, mailoutbox
):
    reason = "照片模糊無法辨識，請重新拍攝正面半身照。"
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(url("reject", application.pk), {"reason": reason})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.rejection_reason == reason
    assert application.reviewed_by == reviewer
    assert not VirtualCard.objects.filter(person=application.person).exists()
    assert AuditEvent.objects.filter(person=application.person, action="vcard.rejected").exists()
    run_worker()
    assert reason in mailoutbox[0].body


def test_a_reviewed_application_shows_who_reviewed_when_and_why(
    reviewer_client, reviewer, application
):
    services.reject(application=application, staff_user=reviewer, reason="證件影像不完整")
    page = reviewer_client.get(url("change", application.pk)).content.decode()
    assert "證件影像不完整" in page
    assert reviewer.username in page
    assert url("approve", application.pk) not in page
    assert url("reject", application.pk) not in page


# --- a colleague was first ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_second_review_changes_nothing_and_says_so(reviewer_client, application, action):
    colleague = _user("colleague", "view_application", "change_application")
    services.reject(application=application, staff_user=colleague, reason="證件與申請人資料不符")

    response = reviewer_client.post(url(action, application.pk), {"reason": "照片模糊無法辨識"})

    assert response.status_code == 302
    assert response["Location"] == url("change", application.pk)
    application.refresh_from_db()
    assert application.reviewed_by == colleague
    assert application.rejection_reason == "證件與申請人資料不符"
    assert not VirtualCard.objects.filter(person=application.person).exists()
    assert AuditEvent.objects.filter(action__in=["vcard.approved", "vcard.rejected"]).count() == 1
    [message] = messages_of(response)
    assert "colleague" in message


def test_the_reject_page_of_a_reviewed_application_goes_back_to_it(
    reviewer_client, reviewer, application
):
    services.approve(application=application, staff_user=reviewer)
    response = reviewer_client.get(url("reject", application.pk))
    assert response.status_code == 302
    assert response["Location"] == url("change", application.pk)
