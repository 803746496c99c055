"""The e-services' mail, sent in the background once a decision is committed, so that an
SMTP server's hiccup never undoes a decision."""

from __future__ import annotations

from django_tasks import task

from healthbank.eservices import mail


@task()
def mail_claim_decision(claim_id: int) -> bool:
    return mail.claim_decision(claim_id)
