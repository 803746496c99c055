"""The staff queue of card applications (/staff/cards/cardapplication/): its order, the ID
photo beside the person's data (private, audited), approving, rejecting with a reason, and
refusing a decision already made."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client

from healthbank.audit.models import AuditEvent
from healthbank.cards import services
from healthbank.cards.models import CardApplication
from healthbank.cards.tests.helpers import CHEN, CHEN_CARD, file_application
from healthbank.external.models import BankAccount, BankEntry
from healthbank.identity.review import ReviewRefused
from healthbank.people.models import NhiCard
from tests.fixtures.portal import give_reason

QUEUE = "/staff/cards/cardapplication/"


def url(application: CardApplication, view: str = "change") -> str:
    return f"{QUEUE}{application.pk}/{view}/"


def _older(application: CardApplication, days: int) -> None:
    CardApplication.objects.filter(pk=application.pk).update(
        submitted_at=application.submitted_at - dt.timedelta(days=days)
    )


def test_the_queue_puts_open_applications_first_oldest_first(
    reviewer_client, reviewer, chen, huang, chen_account
):
    decided = file_application(huang, reason="data_change", bank_code="", account_number="")
    _older(decided, 5)
    services.reject(application=decided, staff_user=reviewer, reason="No change on file.")
    newer = file_application(chen)
    older = file_application(huang, reason="data_change", bank_code="", account_number="")
    _older(older, 1)

    listed = list(reviewer_client.get(QUEUE).context["cl"].result_list)
    assert [a.pk for a in listed] == [older.pk, newer.pk, decided.pk]


def test_the_change_page_shows_the_photo_beside_the_persons_data(
    reviewer_client, chen, chen_account
):
    application = file_application(chen)
    page = reviewer_client.get(url(application)).content.decode()
    assert url(application, "photo") in page
    assert "A123456789" in page and "0000********" in page
    assert 'name="_approve"' in page


def test_the_photo_is_served_to_staff_never_cached_and_audited(
    reviewer_client, reviewer, chen, chen_account
):
    application = file_application(chen)
    response = reviewer_client.get(url(application, "photo"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    event = AuditEvent.objects.get(person=chen, action="application.file_read")
    assert (event.actor, event.actor_id, event.detail["application"]) == (
        "staff",
        reviewer.pk,
        application.pk,
    )


def test_staff_without_the_permission_get_no_photo(staff_login, chen, chen_account):
    other = User.objects.create_user("clerk", password=None, is_staff=True)
    application = file_application(chen)
    response = staff_login(Client(), other).get(url(application, "photo"))
    assert response.status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="application.file_read").exists()


def test_approving_issues_the_new_card(reviewer_client, chen, chen_account):
    application = file_application(chen)
    response = reviewer_client.post(url(application, "approve"))
    assert response.status_code == 302 and response["Location"] == QUEUE
    application.refresh_from_db()
    assert application.status == "approved" and application.card.status == "valid"
    assert NhiCard.objects.get(number=CHEN_CARD).status == "replaced"


def test_rejecting_needs_a_reason_then_refunds(reviewer_client, chen, chen_account):
    application = file_application(chen)
    page = reviewer_client.post(url(application, "reject"), {"reason": " "})
    assert page.status_code == 200
    application.refresh_from_db()
    assert application.status == "pending"

    response = reviewer_client.post(url(application, "reject"), {"reason": "The photo is blurred."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (
        "rejected",
        "The photo is blurred.",
    )
    assert BankEntry.objects.filter(kind="credit", amount=200).exists()
    assert NhiCard.objects.get(number=CHEN_CARD).status == "valid"


def test_a_decided_application_is_not_decided_again(reviewer_client, chen, chen_account):
    application = file_application(chen)
    reviewer_client.post(url(application, "approve"))
    response = reviewer_client.post(url(application, "approve"))
    assert response.status_code == 302
    assert response["Location"] == url(application)
    refusal = str(ReviewRefused("not_open").message)
    assert refusal in [str(m) for m in get_messages(response.wsgi_request)]
    response = reviewer_client.post(url(application, "reject"), {"reason": "Late."})
    assert response["Location"] == url(application)
    assert NhiCard.objects.filter(person__national_id=CHEN).count() == 2
    assert not BankEntry.objects.filter(kind="credit").exists()
    assert CardApplication.objects.get(pk=application.pk).status == "approved"


def _refused_refund(chen, chen_account, reviewer) -> CardApplication:
    """Rejected while the account was closed: the bank refused the refund."""
    application = file_application(chen)
    BankAccount.objects.filter(pk=chen_account.pk).update(status="closed")
    services.reject(application=application, staff_user=reviewer, reason="Blurred photo.")
    application.refresh_from_db()
    assert (application.refunded_at, application.refund_refused) == (None, "closed")
    return application


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_refused_refund_is_made_again_once_audited_and_told(
    reviewer_client, reviewer, chen, chen_account, django_capture_on_commit_callbacks
):
    application = _refused_refund(chen, chen_account, reviewer)
    page = reviewer_client.get(url(application)).content.decode()
    assert 'name="_refund"' in page and url(application, "refund") in page

    # Still closed: refused again, the bank's reason shown, nothing paid.
    response = reviewer_client.post(url(application, "refund"))
    assert response["Location"] == url(application)
    assert any("銀行再次拒絕退費" in m for m in _messages(response))
    assert not BankEntry.objects.filter(kind="credit").exists()

    # Reopened: paid back, once.
    BankAccount.objects.filter(pk=chen_account.pk).update(status="open")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = reviewer_client.post(url(application, "refund"))
    assert "工本費已退還至申請人的帳戶。" in _messages(response)
    application.refresh_from_db()
    assert application.refunded_at is not None and application.refund_refused == ""
    assert len(callbacks) == 1  # the e-mail saying the fee is paid back
    chen_account.refresh_from_db()
    assert chen_account.balance == 1000
    reference = f"{application.payment_reference}-REFUND"
    assert BankEntry.objects.filter(kind="credit", reference=reference).count() == 1
    events = AuditEvent.objects.filter(person=chen, detail__reference=reference)
    assert sorted(events.values_list("action", flat=True)) == [
        "bank.credited",
        "bank.refused",
        "bank.refused",
    ]

    # Asked again: refused, nothing paid twice; the button is gone.
    response = reviewer_client.post(url(application, "refund"))
    assert "此申請沒有遭銀行拒絕、可再次退費的款項。" in _messages(response)
    assert BankEntry.objects.filter(kind="credit").count() == 1
    assert 'name="_refund"' not in reviewer_client.get(url(application)).content.decode()


def test_refunding_again_needs_the_change_permission_and_a_refused_refund(
    staff_login, reviewer_client, reviewer, chen, chen_account
):
    application = _refused_refund(chen, chen_account, reviewer)
    BankAccount.objects.filter(pk=chen_account.pk).update(status="open")
    viewer = User.objects.create_user("viewer", password=None, is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_cardapplication"))
    viewing = give_reason(staff_login(Client(), viewer), chen)
    assert 'name="_refund"' not in viewing.get(url(application)).content.decode()
    assert viewing.post(url(application, "refund")).status_code == 403
    assert viewing.get(url(application, "refund")).status_code == 405
    assert not BankEntry.objects.filter(kind="credit").exists()

    paid = file_application(chen, reason="data_change", bank_code="", account_number="")
    reviewer_client.cookies["django_language"] = "en"
    response = reviewer_client.post(url(paid, "refund"))
    assert "This application has no refused refund to make again." in _messages(response)
