"""The township office applications' e-mail, Traditional Chinese with English below."""

from __future__ import annotations

from healthbank.identity.review import mail_decision
from healthbank.township.models import TownshipApplication


def decision(application_id: int) -> bool:
    """Tell the person their application was approved (and what changed) or rejected."""
    app = TownshipApplication.objects.select_related("person", "unit", "new_unit").get(
        pk=application_id
    )
    return mail_decision(app, f"township/mail/{app.status}")
