"""The e-services' writes: a reimbursement claim (自墊醫療費用核退) filed online with its
documents, and its review by NHIA staff with four eyes (one checks and sets the amount,
another approves), the payment into the person's bank account, and the rejection. Each
decision adds a step to the claim's Case, which the person follows on the cases page, is
audited, sent as a notice and e-mailed to the person in both languages."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from healthbank.audit.services import Action, Actor, record
from healthbank.billing.models import Notice
from healthbank.billing.notices import send_notice
from healthbank.core.months import add_months
from healthbank.core.rocdate import to_roc
from healthbank.eservices import rules, tasks
from healthbank.eservices.models import (
    NOTE_CHARS,
    Case,
    CaseStep,
    ClaimDocument,
    ReimbursementClaim,
)
from healthbank.external.bank import BANKS, account_number, bank
from healthbank.external.forms import ACCOUNT_MESSAGE
from healthbank.files import images, pdfs
from healthbank.identity.review import OPEN, ReviewRefused, ReviewStatus, decide
from healthbank.people.locks import lock_person
from healthbank.people.models import Enrolment, Person


class ClaimRefused(ReviewRefused):
    """A claim or a decision on it that is not taken; `message` for the person or staff."""

    MESSAGES = {
        **ReviewRefused.MESSAGES,
        "too_late": _(
            "The application is late: a reimbursement is applied for within %(months)d "
            "months of the care (the deadline was %(deadline)s). Ask NHIA whether your case "
            "allows an exception."
        ),
        "dates": _("The last day of care cannot be before the first, or after today."),
        "before_cover": _(
            "The first day of care is before your NHI cover began (%(start)s); only care "
            "while insured is reimbursed."
        ),
        "no_cover": _(
            "We have no NHI cover of yours on record, so there is nothing to reimburse. Ask "
            "NHIA at 0800-030598."
        ),
        "overlap": _(
            "You already have a claim, open or approved, for care on some of these days "
            "(case %(number)s). Each day of care is claimed once; to add documents, ask NHIA."
        ),
        "amount": _("Enter the amount you paid, from NT$1 to NT$%(maximum)s."),
        "bank": _("Choose your bank from the list."),
        "account": ACCOUNT_MESSAGE,
        "no_files": _("Upload at least one receipt (a PDF or a photo)."),
        "too_many_files": _("Upload at most %(count)d files with one claim."),
        "file_too_large": _(
            "The file is larger than %(megabytes)d MB. Upload a smaller copy, or a photo of "
            "each page."
        ),
        "no_receipt": _("Upload at least one receipt with the claim."),
        "over_claimed": _(
            "The amount approved cannot be more than the amount claimed (NT$%(claimed)s)."
        ),
        "not_awaiting_payment": _("This claim is not waiting for its payment."),
        "reason_too_long": _("Write the reason in at most %(chars)d characters."),
    }

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        # Formatted when shown, so in the language of whoever reads it.
        self.message = lazy(lambda: str(self.MESSAGES[code]) % params, str)()  # type: ignore[assignment]


@dataclass(frozen=True)
class Upload:
    """A file as the person sent it, and which kind of document they said it is."""

    kind: str
    name: str
    data: bytes


@dataclass(frozen=True)
class FileRefused(Exception):
    """An upload refused: which file, and why (the files app's message)."""

    name: str
    message: object


def payment_reference(now: dt.datetime) -> str:
    """A new claim's payment reference: the day and a random part (as billing's debits)."""
    return f"RB{timezone.localtime(now):%Y%m%d}{secrets.token_hex(5).upper()}"


def apply_deadline(care_until: dt.date) -> dt.date:
    return add_months(care_until, rules.REIMBURSEMENT_APPLY_MONTHS)


def _clean_uploads(uploads: list[Upload]) -> list[tuple[Upload, bytes, str]]:
    """Every upload checked before anything is kept: (upload, bytes to keep, content type)."""
    if not uploads:
        raise ClaimRefused("no_files")
    if len(uploads) > rules.CLAIM_MAX_FILES:
        raise ClaimRefused("too_many_files", count=rules.CLAIM_MAX_FILES)
    if not any(u.kind == ClaimDocument.Kind.RECEIPT for u in uploads):
        raise ClaimRefused("no_receipt")
    cleaned = []
    for upload in uploads:
        try:
            if pdfs.is_pdf(upload.data[:1024]) or upload.name.lower().endswith(".pdf"):
                pdfs.check_pdf(
                    upload.data,
                    max_bytes=rules.CLAIM_MAX_FILE_BYTES,
                    max_pages=rules.CLAIM_MAX_PDF_PAGES,
                )
                cleaned.append((upload, upload.data, "application/pdf"))
            else:
                data = images.clean_image(upload.data, max_side=rules.CLAIM_IMAGE_MAX_SIDE)
                cleaned.append((upload, data, "image/jpeg"))
        except (pdfs.PdfRefused, images.ImageRefused) as refused:
            raise FileRefused(upload.name, refused.message) from None
    return cleaned


def open_case(
    *,
    person: Person,
    kind: str,
    source: str,
    subject: str,
    applied_on: dt.date,
    **fields: Any,
) -> Case:
    """A new case, numbered by its row (a year, a letter, the row): unique without a counter."""
    case = Case.objects.create(
        person=person,
        number=secrets.token_hex(8),  # replaced below, once the row has its key
        kind=kind,
        source=source,
        subject=subject[:120],
        applied_on=applied_on,
        status=Case.Status.RECEIVED,
        **fields,
    )
    case.number = case.own_number(Case.ONLINE_LETTER)
    case.save(update_fields=["number"])
    return case


def step(case: Case, status: str, on: dt.date, note: str = "") -> CaseStep:
    """The case moves to `status`: its row and a step the person sees."""
    case.status = status
    case.save(update_fields=["status", "decided_on", "amount_approved", "decision_note"])
    return CaseStep.objects.create(
        case=case, person_id=case.person_id, status=status, on=on, note=note
    )


def apply_reimbursement(
    *,
    person: Person,
    care_kind: str,
    place: str,
    care_from: dt.date,
    care_until: dt.date,
    amount: int,
    bank_code: str,
    bank_account: str,
    uploads: list[Upload],
    now: dt.datetime | None = None,
) -> ReimbursementClaim:
    """自墊醫療費用核退申請: checks the claim and every file first, so that a refused one
    keeps nothing; then stores the files and files the claim with its case (收件)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if care_until < care_from or care_until > today:
        raise ClaimRefused("dates")
    deadline = apply_deadline(care_until)
    if today > deadline:
        raise ClaimRefused(
            "too_late", months=rules.REIMBURSEMENT_APPLY_MONTHS, deadline=to_roc(deadline)
        )
    first_cover = Enrolment.objects.filter(person=person).aggregate(first=Min("start_date"))
    if first_cover["first"] is None:
        raise ClaimRefused("no_cover")
    if care_from < first_cover["first"]:
        raise ClaimRefused("before_cover", start=to_roc(first_cover["first"]))
    if not 0 < amount <= rules.CLAIM_MAX_AMOUNT:
        raise ClaimRefused("amount", maximum=f"{rules.CLAIM_MAX_AMOUNT:,}")
    if bank_code not in BANKS:
        raise ClaimRefused("bank")
    if account_number(bank_account) != bank_account:
        raise ClaimRefused("account")
    cleaned = _clean_uploads(uploads)
    stored: list[tuple[Upload, str, str]] = []
    try:
        for upload, data, content_type in cleaned:
            if content_type == "application/pdf":
                name = pdfs.store(data, storage_name="eservice")
            else:
                name = images.store(data, storage_name="eservice")
            stored.append((upload, name, content_type))
        with transaction.atomic():
            return _file_claim(
                person=person,
                care_kind=care_kind,
                place=place,
                care_from=care_from,
                care_until=care_until,
                amount=amount,
                bank_code=bank_code,
                bank_account=bank_account,
                stored=stored,
                now=now,
            )
    except BaseException:
        for _upload, name, content_type in stored:
            module = pdfs if content_type == "application/pdf" else images
            module.delete(name, storage_name="eservice")
        raise


def _file_claim(
    *,
    person: Person,
    care_kind: str,
    place: str,
    care_from: dt.date,
    care_until: dt.date,
    amount: int,
    bank_code: str,
    bank_account: str,
    stored: list[tuple[Upload, str, str]],
    now: dt.datetime,
) -> ReimbursementClaim:
    today = timezone.localdate(now)
    # One claim at a time per person from here: the overlap check and the new claim are
    # one step (a second request waits for the first's commit, then sees its claim).
    lock_person(person.pk)
    overlapping = (
        ReimbursementClaim.objects.filter(
            person=person,
            status__in=[*OPEN, ReviewStatus.APPROVED],
            care_from__lte=care_until,
            care_until__gte=care_from,
        )
        .select_related("case")
        .order_by("care_from", "pk")
        .first()
    )
    if overlapping is not None:
        raise ClaimRefused("overlap", number=overlapping.case.number)
    kind_label = ReimbursementClaim.CareKind(care_kind).label
    case = open_case(
        person=person,
        kind=Case.Kind.REIMBURSEMENT,
        source=Case.Source.ONLINE,
        subject=f"{kind_label}: {place}",
        applied_on=today,
        amount_claimed=amount,
    )
    claim = ReimbursementClaim.objects.create(
        person=person,
        case=case,
        care_kind=care_kind,
        place=place,
        care_from=care_from,
        care_until=care_until,
        amount_claimed=amount,
        bank_code=bank_code,
        bank_account=bank_account,
        bank_account_last4=bank_account[-4:],
        payment_reference=payment_reference(now),
        submitted_at=now,
    )
    ClaimDocument.objects.bulk_create(
        ClaimDocument(
            claim=claim,
            person=person,
            kind=upload.kind,
            stored_name=name,
            content_type=content_type,
            original_name=upload.name[-100:],
        )
        for upload, name, content_type in stored
    )
    CaseStep.objects.create(case=case, person=person, status=Case.Status.RECEIVED, on=today)
    record(
        action=Action.APPLICATION_FILED,
        person=person,
        kind=ReimbursementClaim._meta.label_lower,
        application=claim.pk,
        files=len(stored),
    )
    return claim


# --- staff decisions ------------------------------------------------------------------------


def check_claim(*, claim: ReimbursementClaim, staff_user: User, amount: int) -> ReimbursementClaim:
    """初審: the first of four eyes sets the amount to pay; the case is under review."""
    if not 0 < amount <= claim.amount_claimed:
        raise ClaimRefused("over_claimed", claimed=f"{claim.amount_claimed:,}")
    with transaction.atomic():
        claim = decide(claim, staff_user=staff_user, step="check")
        claim.amount_approved = amount
        claim.save(update_fields=["amount_approved"])
        step(claim.case, Case.Status.REVIEWING, timezone.localdate())
    return claim


def approve_claim(*, claim: ReimbursementClaim, staff_user: User) -> ReimbursementClaim:
    """核定: another member of staff approves the checked amount; it is paid at once."""
    with transaction.atomic():
        claim = decide(claim, staff_user=staff_user, step="approve")
        case = claim.case
        assert claim.amount_approved is not None  # noqa: S101 - set when checked
        case.amount_approved = claim.amount_approved
        case.decided_on = timezone.localdate()
        partly = claim.amount_approved < claim.amount_claimed
        step(case, Case.Status.PARTLY if partly else Case.Status.APPROVED, case.decided_on)
        _pay(claim, staff_user)
        _tell(claim)
    return claim


def pay_claim(*, claim: ReimbursementClaim, staff_user: User) -> ReimbursementClaim:
    """撥款 again, after the bank refused: with the same reference, so never paid twice."""
    with transaction.atomic():
        claim = (
            ReimbursementClaim.objects.select_for_update().select_related("case").get(pk=claim.pk)
        )
        if not claim.awaits_payment:
            raise ClaimRefused("not_awaiting_payment")
        _pay(claim, staff_user)
        _tell(claim)
    return claim


def _pay(claim: ReimbursementClaim, staff_user: User) -> None:
    assert claim.amount_approved is not None  # noqa: S101
    answer = bank().credit(
        bank_code=claim.bank_code,
        account=claim.bank_account,
        national_id=claim.person.national_id,
        amount=claim.amount_approved,
        reference=claim.payment_reference,
    )
    detail: dict[str, Any] = {
        "application": claim.pk,
        "amount": claim.amount_approved,
        "reference": answer.reference,
    }
    if answer.ok:
        claim.paid_at = timezone.now()
        claim.payment_refusal = ""
        claim.bank_account = ""  # paid: only the last digits stay
        claim.save(update_fields=["paid_at", "payment_refusal", "bank_account"])
        step(claim.case, Case.Status.PAID, timezone.localdate())
        record(
            action=Action.BANK_CREDITED,
            person=claim.person,
            actor=Actor.STAFF,
            actor_id=staff_user.pk,
            **detail,
        )
    else:
        claim.payment_refusal = answer.code
        claim.save(update_fields=["payment_refusal"])
        record(
            action=Action.BANK_REFUSED,
            person=claim.person,
            actor=Actor.STAFF,
            actor_id=staff_user.pk,
            success=False,
            code=answer.code,
            **detail,
        )


def reject_claim(*, claim: ReimbursementClaim, staff_user: User, reason: str) -> ReimbursementClaim:
    """不予核退, with the reason the person reads (whole, on the case page too)."""
    if len(reason) > NOTE_CHARS:
        raise ClaimRefused("reason_too_long", chars=NOTE_CHARS)
    with transaction.atomic():
        claim = decide(claim, staff_user=staff_user, step="reject", reason=reason)
        case = claim.case
        case.decided_on = timezone.localdate()
        case.decision_note = claim.rejection_reason
        step(case, Case.Status.REJECTED, case.decided_on, claim.rejection_reason)
        _tell(claim)
    return claim


def _tell(claim: ReimbursementClaim) -> None:
    """A notice of the decision, and the e-mail once the decision is committed."""
    send_notice(
        person=claim.person,
        kind=Notice.Kind.REIMBURSEMENT,
        subject=claim.case.number,
        facts={
            "case": claim.case.number,
            "status": claim.case.status,
            "amount_claimed": claim.amount_claimed,
            "amount_approved": claim.amount_approved,
            "paid": claim.paid_at is not None,
            "bank_refusal": claim.payment_refusal,
            "reason": claim.rejection_reason,
        },
    )
    claim_id = claim.pk
    transaction.on_commit(lambda: tasks.mail_claim_decision.enqueue(claim_id))
