"""The staff queue (/staff/township/townshipapplication/): oldest waiting first, what the
person asks beside their cover, approve (one step) and reject with a reason; e-mail in both
languages after each decision; who may decide."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.identity.review import ReviewRefused
from healthbank.people.models import Enrolment
from healthbank.township import services
from healthbank.township.models import TownshipApplication
from healthbank.township.tests.helpers import HUANG, NOW, TODAY, current, file, make_regional
from tests.fixtures.portal import give_reason


def url(view: str, *args) -> str:
    return reverse(f"admin:township_townshipapplication_{view}", args=args)


def run_worker() -> None:
    call_command("worker", "--batch", "--interval", "0.01")


def suspension(person, days_before=0):
    app = file(person, "suspend", dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    TownshipApplication.objects.filter(pk=app.pk).update(
        submitted_at=NOW - dt.timedelta(days=days_before)
    )
    return app


def test_the_queue_lists_the_oldest_waiting_first_then_the_decided(
    reviewer_client, reviewer, zhang, lin, people
):
    decided = file(lin, "transfer_out", dt.date(2026, 11, 20), transfer_reason="other_insurer")
    services.reject(application=decided, staff_user=reviewer, reason="轉出日期不符")
    make_regional(people[HUANG])
    newer = file(people[HUANG], "transfer_out", TODAY, transfer_reason="other_insurer")
    older = suspension(zhang, days_before=2)
    rows = list(reviewer_client.get(url("changelist")).context["cl"].result_list)
    assert [r.pk for r in rows] == [older.pk, newer.pk, decided.pk]


def test_the_change_page_shows_the_request_and_the_cover_beside_the_decision(reviewer_client, lin):
    app = file(lin, "suspend", dt.date(2026, 12, 1), expected_return=dt.date(2027, 12, 1))
    page = reviewer_client.get(url("change", app.pk)).content.decode()
    assert "新北市板橋區公所" in page and "王品妤" in page and "王宥辰" in page
    assert url("approve", app.pk) in page and url("reject", app.pk) in page


def test_approving_changes_the_cover_and_mails_the_person_in_both_languages(
    reviewer_client, reviewer, zhang, django_capture_on_commit_callbacks, mailoutbox
):
    zhang.email = "zhang@example.com"
    zhang.save()
    app = suspension(zhang)
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(url("approve", app.pk))
    assert response["Location"] == url("changelist")
    row = current(zhang)
    # Covered until the departure: suspended from then (tests/test_services.py).
    assert (row.status, row.end_date, row.end_reason) == ("active", dt.date(2026, 12, 19), "abroad")
    assert AuditEvent.objects.filter(person=zhang, action="application.approved").exists()
    run_worker()
    [mail] = mailoutbox
    assert "zhang@example.com" in mail.to
    assert "公所投保異動申請核准通知" in mail.subject and "approved" in mail.subject
    assert "出國停保" in mail.body and "Suspend while abroad" in mail.body


def test_rejecting_needs_a_reason_then_mails_it_and_changes_no_cover(
    reviewer_client, zhang, django_capture_on_commit_callbacks, mailoutbox
):
    zhang.email = "zhang@example.com"
    zhang.save()
    app = suspension(zhang)
    before = list(Enrolment.objects.filter(person=zhang).values())
    response = reviewer_client.post(url("reject", app.pk), {"reason": ""})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(url("reject", app.pk), {"reason": "出國日期與機票不符"})
    assert response["Location"] == url("changelist")
    app.refresh_from_db()
    assert (app.status, app.rejection_reason) == ("rejected", "出國日期與機票不符")
    assert list(Enrolment.objects.filter(person=zhang).values()) == before
    run_worker()
    [mail] = mailoutbox
    assert "出國日期與機票不符" in mail.body and "was not approved" in mail.body


def test_a_decided_application_is_refused_with_a_message(reviewer_client, reviewer, zhang):
    app = suspension(zhang)
    reviewer_client.post(url("approve", app.pk))
    response = reviewer_client.post(url("approve", app.pk), follow=True)
    assert str(ReviewRefused.MESSAGES["not_open"]) in response.content.decode()
    assert TownshipApplication.objects.get().status == "approved"


def test_staff_who_may_only_view_cannot_decide(client, staff_login, zhang):
    viewer = User.objects.create_user("viewer", password=None, is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_townshipapplication"))
    give_reason(staff_login(client, viewer), zhang)
    app = suspension(zhang)
    assert client.post(url("approve", app.pk)).status_code == 403
    assert TownshipApplication.objects.get().status == "pending"
    assert current(zhang).status == "active"
