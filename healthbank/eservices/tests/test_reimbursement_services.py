"""自墊醫療費用核退: filing a claim (amounts, the six-month deadline, the files), and its
decision with four eyes, the payment made once, and a bank's refusal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import override
from PIL import Image

from healthbank.audit.models import AuditEvent
from healthbank.billing.models import Notice
from healthbank.eservices import rules, services
from healthbank.eservices.models import Case, CaseStep, ClaimDocument, ReimbursementClaim
from healthbank.eservices.tests.reimbursement import (
    bank_account,
    claim_for,
    claim_staff,
    pdf,
    receipt_jpeg,
)
from healthbank.external.models import BankAccount, BankEntry
from healthbank.identity.review import ReviewRefused, ReviewStatus
from healthbank.people.models import Enrolment, Person
from healthbank.vcard.tests.helpers import run_tasks
from tests.fixtures.personas import CHEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def chen(personas) -> Person:
    return Person.objects.get(national_id=CHEN)


@pytest.fixture
def checker(db):
    return claim_staff("checker")


@pytest.fixture
def approver(db):
    return claim_staff("approver")


def stored_files() -> list[str]:
    storage = storages["eservice"]
    return storage.listdir("")[1] if storage.exists("") else []


def both(message) -> tuple[str, str]:
    with override("zh-hant"):
        zh = str(message)
    with override("en"):
        en = str(message)
    return zh, en


def test_a_claim_is_filed_with_its_case_documents_and_first_step(chen):
    claim = claim_for(chen)
    case = claim.case
    assert (case.kind, case.source, case.status) == (
        Case.Kind.REIMBURSEMENT,
        Case.Source.ONLINE,
        Case.Status.RECEIVED,
    )
    assert case.amount_claimed == 12_000 and case.person == chen
    assert case.number.endswith(f"E{case.pk:08d}")
    assert [s.status for s in case.steps.all()] == [Case.Status.RECEIVED]
    documents = list(claim.documents.all())
    assert [(d.kind, d.content_type) for d in documents] == [
        (ClaimDocument.Kind.RECEIPT, "image/jpeg"),
        (ClaimDocument.Kind.CERTIFICATE, "application/pdf"),
    ]
    assert sorted(stored_files()) == sorted(d.stored_name for d in documents)
    assert AuditEvent.objects.filter(action="application.filed", person=chen).exists()


NOW = dt.datetime(2026, 10, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_the_deadline_is_six_months_after_the_last_day_of_care(chen):
    assert rules.REIMBURSEMENT_APPLY_MONTHS == 6
    assert services.apply_deadline(dt.date(2026, 4, 15)) == dt.date(2026, 10, 15)
    with pytest.raises(services.ClaimRefused) as refused:
        claim_for(chen, care_from=dt.date(2026, 4, 10), care_until=dt.date(2026, 4, 14), now=NOW)
    zh, en = both(refused.value.message)
    assert "6 months" in en and "115/10/14" in en and "6 個月" in zh
    assert not ReimbursementClaim.objects.exists() and not stored_files()
    on_the_last_day = dt.date(2026, 4, 15)
    claim = claim_for(chen, care_from=on_the_last_day, care_until=on_the_last_day, now=NOW)
    assert claim.case.applied_on == dt.date(2026, 10, 15)


def test_care_cannot_end_before_it_began_or_in_the_future(chen):
    wrong = [(dt.date(2026, 10, 2), dt.date(2026, 10, 1)), (NOW.date(), dt.date(2026, 10, 16))]
    for start, end in wrong:
        with pytest.raises(services.ClaimRefused) as refused:
            claim_for(chen, care_from=start, care_until=end, now=NOW)
        assert refused.value.code == "dates"
    assert not stored_files()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": rules.CLAIM_MAX_AMOUNT + 1}, "amount"),
        ({"bank_code": "999"}, "bank"),
        ({"bank_account": "12-34"}, "account"),
        ({"uploads": []}, "no_files"),
    ],
)
def test_bad_claims_are_refused_and_nothing_is_kept(chen, changes, code):
    with pytest.raises(services.ClaimRefused) as refused:
        claim_for(chen, **changes)
    assert refused.value.code == code
    zh, en = both(refused.value.message)
    assert zh != en and zh and en
    assert not Case.objects.filter(person=chen).exists() and not stored_files()


def upload(kind, name, data):
    return services.Upload(kind, name, data)


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, format="PNG")  # 64 million pixels, a small file
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "en_part", "zh_part"),
    [
        ("receipt.txt", b"just some text, no picture", "not a photo", "不是照片"),
        ("scan.pdf", b"not a pdf at all", "not a PDF", "不是 PDF"),
        ("bomb.png", bomb(), "million pixels", "百萬像素"),
        ("locked.pdf", pdf(password="secret"), "password", "密碼"),
        ("script.pdf", pdf(javascript="app.alert('hi')"), "scripts", "程式"),
        ("long.pdf", pdf(rules.CLAIM_MAX_PDF_PAGES + 1), "pages", "頁"),
        ("huge.pdf", b"%PDF-1.7\n" + b"0" * rules.CLAIM_MAX_FILE_BYTES, "MB", "MB"),
    ],
)
def test_a_refused_file_says_why_in_both_languages_and_nothing_is_kept(
    chen, name, data, en_part, zh_part
):
    uploads = [
        upload(ClaimDocument.Kind.RECEIPT, "good.jpg", receipt_jpeg()),
        upload(ClaimDocument.Kind.RECEIPT, name, data),
    ]
    with pytest.raises(services.FileRefused) as refused:
        claim_for(chen, uploads=uploads)
    assert refused.value.name == name
    zh, en = both(refused.value.message)
    assert en_part in en and zh_part in zh, (zh, en)
    assert not Case.objects.filter(person=chen).exists()
    assert not ClaimDocument.objects.exists() and not stored_files()


def test_too_many_files_are_refused(chen):
    uploads = [upload(ClaimDocument.Kind.RECEIPT, f"r{i}.jpg", receipt_jpeg()) for i in range(11)]
    with pytest.raises(services.ClaimRefused) as refused:
        claim_for(chen, uploads=uploads)
    zh, en = both(refused.value.message)
    assert "at most 10 files" in en and "10 個檔案" in zh
    assert not stored_files()


def test_a_receipt_is_needed(chen):
    uploads = [upload(ClaimDocument.Kind.CERTIFICATE, "c.pdf", pdf())]
    with pytest.raises(services.ClaimRefused) as refused:
        claim_for(chen, uploads=uploads)
    assert refused.value.code == "no_receipt"


def test_checked_then_approved_by_another_is_paid_once(chen, checker, approver):
    account = bank_account(chen)
    claim = claim_for(chen, amount=12_000)
    with pytest.raises(services.ClaimRefused) as over:
        services.check_claim(claim=claim, staff_user=checker, amount=12_001)
    assert "12,000" in str(over.value.message)
    claim = services.check_claim(claim=claim, staff_user=checker, amount=10_000)
    assert claim.status == ReviewStatus.CHECKED and claim.amount_approved == 10_000
    with pytest.raises(ReviewRefused) as same:
        services.approve_claim(claim=claim, staff_user=checker)
    assert same.value.code == "same_staff"
    assert not BankEntry.objects.exists()

    claim = services.approve_claim(claim=claim, staff_user=approver)
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.APPROVED and claim.paid_at is not None
    case = Case.objects.get(pk=claim.case_id)
    assert (case.status, case.amount_approved) == (Case.Status.PAID, 10_000)
    assert [s.status for s in CaseStep.objects.filter(case=case)] == [
        Case.Status.RECEIVED,
        Case.Status.REVIEWING,
        Case.Status.PARTLY,
        Case.Status.PAID,
    ]
    account.refresh_from_db()
    assert account.balance == 11_000
    assert BankEntry.objects.get().reference == claim.payment_reference
    assert AuditEvent.objects.filter(action="bank.credited", person=chen).count() == 1
    assert Notice.objects.filter(person=chen, kind=Notice.Kind.REIMBURSEMENT).count() == 1

    # Approving again, or paying again, moves no money.
    with pytest.raises(ReviewRefused):
        services.approve_claim(claim=claim, staff_user=approver)
    with pytest.raises(services.ClaimRefused):
        services.pay_claim(claim=claim, staff_user=approver)
    account.refresh_from_db()
    assert account.balance == 11_000 and BankEntry.objects.count() == 1


def test_the_person_is_mailed_in_both_languages(
    chen, checker, approver, django_capture_on_commit_callbacks
):
    bank_account(chen)
    claim = claim_for(chen, amount=5_000)
    services.check_claim(claim=claim, staff_user=checker, amount=5_000)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_claim(claim=claim, staff_user=approver)
    run_tasks()
    message = mail.outbox[-1]
    assert "撥款" in message.subject and "paid" in message.subject
    assert "5,000" in message.body and "臺灣銀行" in message.body


def test_a_bank_refusal_leaves_it_approved_unpaid_and_paying_again_works(
    chen, checker, approver, django_capture_on_commit_callbacks
):
    account = bank_account(chen, status=BankAccount.Status.FROZEN)
    claim = claim_for(chen, amount=3_000)
    services.check_claim(claim=claim, staff_user=checker, amount=3_000)
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.approve_claim(claim=claim, staff_user=approver)
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.APPROVED and claim.paid_at is None
    assert claim.payment_refusal == "frozen" and claim.awaits_payment
    assert Case.objects.get(pk=claim.case_id).status == Case.Status.APPROVED
    assert AuditEvent.objects.filter(action="bank.refused", person=chen).exists()
    run_tasks()
    assert "frozen" in mail.outbox[-1].body and "凍結" in mail.outbox[-1].body

    BankAccount.objects.filter(pk=account.pk).update(status=BankAccount.Status.OPEN)
    claim = services.pay_claim(claim=claim, staff_user=checker)
    assert claim.paid_at is not None and claim.payment_refusal == ""
    account.refresh_from_db()
    assert account.balance == 4_000
    assert Case.objects.get(pk=claim.case_id).status == Case.Status.PAID


def test_a_rejection_keeps_its_reason_on_the_case(
    chen, checker, django_capture_on_commit_callbacks
):
    claim = claim_for(chen)
    with pytest.raises(ReviewRefused):
        services.reject_claim(claim=claim, staff_user=checker, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_claim(claim=claim, staff_user=checker, reason="收據不是正本。")
    case = Case.objects.get(pk=claim.case_id)
    assert (case.status, case.decision_note) == (Case.Status.REJECTED, "收據不是正本。")
    assert case.steps.last().note == "收據不是正本。"
    run_tasks()
    assert "收據不是正本。" in mail.outbox[-1].body
    assert not BankEntry.objects.exists()


def test_each_claim_has_its_own_random_payment_reference_stored_when_filed(chen):
    today = timezone.localdate()
    first = claim_for(chen)
    second = claim_for(chen, care_from=today - dt.timedelta(days=5), care_until=today)
    first.refresh_from_db()
    assert first.payment_reference.startswith("RB") and len(first.payment_reference) == 20
    assert first.payment_reference != second.payment_reference


def test_a_claim_whose_key_was_used_before_a_restore_is_still_paid(chen, checker, approver):
    """After a restore, row keys repeat: a payment made under the old claim of the same key
    must not make the bank answer "already made" to the new one."""
    account = bank_account(chen)
    claim = claim_for(chen, amount=5_000)
    BankEntry.objects.create(
        account=account,
        kind=BankEntry.Kind.CREDIT,
        amount=7_000,
        reference=f"NHIA-REIMB-{claim.pk}",  # the reference the key once gave
    )
    services.check_claim(claim=claim, staff_user=checker, amount=5_000)
    services.approve_claim(claim=claim, staff_user=approver)
    account.refresh_from_db()
    assert account.balance == 1_000 + 5_000
    assert BankEntry.objects.filter(reference=claim.payment_reference, amount=5_000).exists()


def test_a_reason_longer_than_the_case_holds_is_refused(chen, checker):
    claim = claim_for(chen)
    with pytest.raises(services.ClaimRefused) as refused:
        services.reject_claim(claim=claim, staff_user=checker, reason="x" * 501)
    assert both(refused.value.message) == (
        "理由請以 500 字以內說明。",
        "Write the reason in at most 500 characters.",
    )
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.PENDING


def test_care_before_the_first_cover_is_refused_even_within_the_deadline(chen):
    first = Enrolment.objects.filter(person=chen).order_by("start_date").first().start_date
    for care_from in (dt.date(1, 1, 1), first - dt.timedelta(days=1)):
        with pytest.raises(services.ClaimRefused) as refused:
            claim_for(chen, care_from=care_from)
        zh, en = both(refused.value.message)
        assert "早於您的健保投保起日" in zh and "before your NHI cover began" in en
    assert not ReimbursementClaim.objects.exists() and stored_files() == []


def test_a_person_with_no_cover_on_record_cannot_claim(chen):
    Enrolment.objects.filter(person=chen).delete()
    with pytest.raises(services.ClaimRefused) as refused:
        claim_for(chen)
    assert refused.value.code == "no_cover"


def test_the_same_care_period_is_claimed_once_while_open_or_approved(chen, checker, approver):
    today = timezone.localdate()
    days = {"care_from": today - dt.timedelta(days=20), "care_until": today - dt.timedelta(days=10)}
    first = claim_for(chen, **days)
    # Overlapping by one day at either end, or inside: refused, with the first case's number.
    for care_from, care_until in ((-25, -20), (-10, -5), (-15, -12)):
        with pytest.raises(services.ClaimRefused) as refused:
            claim_for(
                chen,
                care_from=today + dt.timedelta(days=care_from),
                care_until=today + dt.timedelta(days=care_until),
            )
        zh, en = both(refused.value.message)
        assert first.case.number in zh and first.case.number in en
        assert "同一就醫日期僅能申請一次" in zh and "Each day of care is claimed once" in en
    assert ReimbursementClaim.objects.count() == 1 and len(stored_files()) == 2
    # Next to it, not overlapping: taken.
    claim_for(chen, care_from=today - dt.timedelta(days=9), care_until=today - dt.timedelta(days=8))
    # Approved: still refused; rejected: the period may be claimed again.
    services.check_claim(claim=first, staff_user=checker, amount=1_000)
    services.approve_claim(claim=first, staff_user=approver)
    with pytest.raises(services.ClaimRefused):
        claim_for(chen, **days)
    ReimbursementClaim.objects.filter(pk=first.pk).update(status=ReviewStatus.REJECTED)
    assert claim_for(chen, **days).pk != first.pk
    # Another person's claim for the same days is no concern of hers.
    other = Person.objects.exclude(pk=chen.pk).filter(enrolments__isnull=False).first()
    assert claim_for(other, **days).person == other
