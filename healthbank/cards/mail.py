"""The card application's e-mail, in Traditional Chinese with English below (external.mail)."""

from __future__ import annotations

from healthbank.cards.models import CardApplication
from healthbank.external.mail import send_bilingual
from healthbank.identity.contacts import mail_recipients
from healthbank.identity.review import OPEN, ReviewStatus


def decision(application_id: int) -> bool:
    """Tell the person the application was approved (the new card, how it reaches them) or
    rejected (the reason, and the refund of a fee paid)."""
    application = CardApplication.objects.select_related("person", "card").get(pk=application_id)
    to = mail_recipients(application.person)
    if application.status in OPEN or not to:
        return False
    approved = application.status == ReviewStatus.APPROVED
    send_bilingual(
        "cards/mail/approved" if approved else "cards/mail/rejected",
        to=to,
        context={"name": application.person.name, "application": application},
    )
    return True
