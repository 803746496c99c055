"""The staff queue of reimbursement claims (/staff/eservices/reimbursementclaim/): oldest
first, the documents served to staff (never cached, audited), the check with an amount by
one member of staff and the approval by another; the same one is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils.translation import override

from healthbank.audit.models import AuditEvent
from healthbank.eservices import rules
from healthbank.eservices.admin import ReimbursementClaimAdmin
from healthbank.eservices.models import Case, CaseStep, ReimbursementClaim
from healthbank.eservices.tests.reimbursement import (
    ACCOUNT,
    bank_account,
    claim_for,
    claim_staff,
)
from healthbank.external.models import BankAccount
from healthbank.identity.review import ReviewStatus
from healthbank.identity.review_admin import RejectionForm
from healthbank.people.models import Person
from healthbank.vcard.tests.helpers import run_tasks
from tests.fixtures.personas import CHANG, CHEN
from tests.fixtures.portal import give_reason

pytestmark = pytest.mark.django_db

QUEUE = "/staff/eservices/reimbursementclaim/"


@pytest.fixture
def people(personas):
    return Person.objects.get(national_id=CHEN), Person.objects.get(national_id=CHANG)


@pytest.fixture
def staff(staff_login, people):
    def make(username: str) -> Client:
        """Claim staff, who said why they open the claims of 陳志明 and 張美玲 (staff_reads)."""
        client = Client()
        client.cookies["django_language"] = "en"
        return give_reason(staff_login(client, claim_staff(username)), *people)

    return make


def test_the_queue_shows_the_oldest_claim_first(people, staff):
    chen, chang = people
    newer = claim_for(chen)
    older = claim_for(chang)
    ReimbursementClaim.objects.filter(pk=older.pk).update(
        submitted_at=older.submitted_at - dt.timedelta(days=2)
    )
    page = staff("checker").get(QUEUE).content.decode()
    assert page.index(chang.name) < page.index(chen.name)
    assert str(newer.pk) in page


def test_documents_are_shown_to_staff_never_cached_and_audited(people, staff):
    chen, _chang = people
    claim = claim_for(chen)
    client = staff("checker")
    page = client.get(f"{QUEUE}{claim.pk}/change/").content.decode()
    receipt, certificate = claim.documents.all()
    image_url = f"{QUEUE}{claim.pk}/document/{receipt.pk}/"
    assert f'<img src="{image_url}"' in page
    assert f"{QUEUE}{claim.pk}/document/{certificate.pk}/" in page
    response = client.get(image_url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert AuditEvent.objects.filter(
        action="application.file_read", person=chen, detail__document=receipt.pk
    ).exists()
    assert client.get(f"{QUEUE}{claim.pk}/document/999999/").status_code == 404
    clerk = Client()
    clerk.force_login(claim_staff("citizen"))
    assert clerk.get(image_url).status_code == 302  # not past the second factor


def test_one_checks_with_an_amount_another_approves_and_it_is_paid(people, staff):
    chen, _chang = people
    account = bank_account(chen)
    claim = claim_for(chen, amount=12_000)
    checker, approver = staff("checker"), staff("approver")

    over = checker.post(f"{QUEUE}{claim.pk}/check/", {"amount": "13000"}, follow=True)
    assert "cannot be more than the amount claimed" in over.content.decode()
    bad = checker.post(f"{QUEUE}{claim.pk}/check/", {"amount": "0"}, follow=True)
    assert "Enter the amount approved" in bad.content.decode()
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.PENDING

    checker.post(f"{QUEUE}{claim.pk}/check/", {"amount": "12000"})
    claim.refresh_from_db()
    assert (claim.status, claim.amount_approved) == (ReviewStatus.CHECKED, 12_000)

    same = checker.post(f"{QUEUE}{claim.pk}/approve/", follow=True).content.decode()
    assert "four-eyes" in same
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.CHECKED and claim.paid_at is None

    approver.post(f"{QUEUE}{claim.pk}/approve/")
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.APPROVED and claim.paid_at is not None
    assert Case.objects.get(pk=claim.case_id).status == Case.Status.PAID
    account.refresh_from_db()
    assert account.balance == 13_000


def test_a_refused_payment_is_shown_and_paid_again(people, staff):
    chen, _chang = people
    account = bank_account(chen, status=BankAccount.Status.CLOSED)
    claim = claim_for(chen, amount=2_000)
    staff("checker").post(f"{QUEUE}{claim.pk}/check/", {"amount": "2000"})
    approver = staff("approver")
    approved = approver.post(f"{QUEUE}{claim.pk}/approve/", follow=True).content.decode()
    assert "The account is closed" in approved
    page = approver.get(f"{QUEUE}{claim.pk}/change/").content.decode()
    assert 'id="bank-refusal"' in page and "Pay again" in page
    BankAccount.objects.filter(pk=account.pk).update(status=BankAccount.Status.OPEN)
    paid = approver.post(f"{QUEUE}{claim.pk}/pay/", follow=True).content.decode()
    assert "Paid into the person&#x27;s account." in paid
    account.refresh_from_db()
    assert account.balance == 3_000


def test_a_rejection_needs_a_reason(people, staff):
    chen, _chang = people
    claim = claim_for(chen)
    client = staff("checker")
    empty = client.post(f"{QUEUE}{claim.pk}/reject/", {"reason": ""})
    assert empty.status_code == 200
    client.post(f"{QUEUE}{claim.pk}/reject/", {"reason": "Receipts are copies."})
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.REJECTED
    assert Case.objects.get(pk=claim.case_id).decision_note == "Receipts are copies."


def test_the_whole_account_number_is_kept_only_until_paid_and_never_shown(
    people, staff, signed_in, django_capture_on_commit_callbacks
):
    chen, _chang = people
    account = bank_account(chen, status=BankAccount.Status.CLOSED)
    claim = claim_for(chen, amount=2_000)
    checker, approver = staff("checker"), staff("approver")
    change = f"{QUEUE}{claim.pk}/change/"
    before = checker.get(change).content.decode()
    assert ACCOUNT not in before and "9012" in before
    checker.post(f"{QUEUE}{claim.pk}/check/", {"amount": "2000"})
    approver.post(f"{QUEUE}{claim.pk}/approve/")
    claim.refresh_from_db()
    # Refused by the bank: the number is still needed to pay again.
    assert (claim.paid_at, claim.bank_account) == (None, ACCOUNT)
    BankAccount.objects.filter(pk=account.pk).update(status=BankAccount.Status.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        approver.post(f"{QUEUE}{claim.pk}/pay/")
    claim.refresh_from_db()
    assert claim.paid_at is not None
    assert (claim.bank_account, claim.bank_account_last4) == ("", "9012")
    assert not ReimbursementClaim.objects.filter(bank_account__contains="3456789").exists()
    after = approver.get(change).content.decode()
    assert ACCOUNT not in after and "9012" in after
    person = signed_in(CHEN).get(f"/eservice/services/cases/{claim.case_id}/").content.decode()
    assert ACCOUNT not in person and "9012" in person
    run_tasks()
    paid = mail.outbox[-1].body
    assert ACCOUNT not in paid and "9012" in paid


def test_staff_get_documents_inline_with_a_safe_name_and_sandboxed(people, staff):
    chen, _chang = people
    claim = claim_for(chen)
    receipt, certificate = claim.documents.all()
    client = staff("checker")
    image = client.get(f"{QUEUE}{claim.pk}/document/{receipt.pk}/")
    document = client.get(f"{QUEUE}{claim.pk}/document/{certificate.pk}/")
    assert image["Content-Disposition"] == 'inline; filename="receipt.jpg"'
    assert document["Content-Disposition"] == 'inline; filename="certificate.pdf"'
    for response in (image, document):
        assert response["Content-Security-Policy"] == "sandbox"
        assert "no-store" in response["Cache-Control"]


def test_a_long_reason_is_kept_and_shown_whole(people, staff, signed_in):
    chen, _chang = people
    claim = claim_for(chen)
    reason = "收據未載明自付金額。" * 45 + "請補正本。"  # 455 characters, under the form's 500
    assert 200 < len(reason) <= RejectionForm.base_fields["reason"].max_length
    staff("checker").post(f"{QUEUE}{claim.pk}/reject/", {"reason": reason})
    case = Case.objects.get(pk=claim.case_id)
    assert case.decision_note == reason and case.steps.last().note == reason
    page = signed_in(CHEN).get(f"/eservice/services/cases/{case.pk}/").content.decode()
    assert reason in page


def test_the_case_holds_as_much_as_the_rejection_form_allows():
    allowed = RejectionForm.base_fields["reason"].max_length
    assert Case._meta.get_field("decision_note").max_length == allowed
    assert CaseStep._meta.get_field("note").max_length == allowed


@pytest.mark.parametrize(
    ("months", "en", "zh"), [(6, "6 months", "6 個月"), (3, "3 months", "3 個月")]
)
def test_the_late_reason_says_the_deadline_of_the_rules(monkeypatch, months, en, zh):
    monkeypatch.setattr(rules, "REIMBURSEMENT_APPLY_MONTHS", months)
    late = ReimbursementClaimAdmin.common_reasons["late"]
    with override("en"):
        assert f"more than {en} after the care" in str(late)
    with override("zh-hant"):
        assert zh in str(late)
