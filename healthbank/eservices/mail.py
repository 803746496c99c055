"""The e-services' e-mail, in Traditional Chinese with English below (external.mail)."""

from __future__ import annotations

from healthbank.eservices.models import ReimbursementClaim
from healthbank.external.bank import BANKS, REASONS
from healthbank.identity.review import ReviewStatus, mail_decision


def claim_decision(claim_id: int) -> bool:
    """Tell the person what was decided on their reimbursement claim: paid (how much, into
    which account), approved but refused by their bank (why), or not approved (why)."""
    claim = ReimbursementClaim.objects.select_related("person", "case").get(pk=claim_id)
    if claim.status == ReviewStatus.REJECTED:
        template = "eservices/mail/claim_rejected"
    elif claim.paid_at is not None:
        template = "eservices/mail/claim_paid"
    else:
        template = "eservices/mail/claim_unpaid"
    return mail_decision(
        claim,
        template,
        number=claim.case.number,
        claimed=f"{claim.amount_claimed:,}",
        approved=f"{claim.amount_approved or 0:,}",
        bank=BANKS.get(claim.bank_code, claim.bank_code),
        account_end=claim.bank_account_last4,
        refusal=REASONS.get(claim.payment_refusal),
        reason=claim.rejection_reason,
    )
