"""The card application's e-mail, in Traditional Chinese with English below."""

from __future__ import annotations

from healthbank.cards.models import CardApplication
from healthbank.identity.review import ReviewStatus, mail_decision


def decision(application_id: int) -> bool:
    """Tell the person the application was approved (the new card, how it reaches them) or
    rejected (the reason, and the refund of a fee paid)."""
    application = CardApplication.objects.select_related("person", "card").get(pk=application_id)
    approved = application.status == ReviewStatus.APPROVED
    return mail_decision(application, "cards/mail/approved" if approved else "cards/mail/rejected")
