"""The township office applications' e-mail, Traditional Chinese with English below."""

from __future__ import annotations

from healthbank.external.mail import send_bilingual
from healthbank.identity.contacts import mail_recipients
from healthbank.identity.review import ReviewStatus
from healthbank.township.models import TownshipApplication


def decision(application_id: int) -> bool:
    """Tell the person their application was approved (and what changed) or rejected."""
    app = TownshipApplication.objects.select_related("person", "unit", "new_unit").get(
        pk=application_id
    )
    if app.status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        return False
    to = mail_recipients(app.person)
    if not to:
        return False
    send_bilingual(
        f"township/mail/{app.status}",
        to=to,
        context={"name": app.person.name, "application": app},
    )
    return True
