"""Mail the card application sends in the background, so that an SMTP server's hiccup never
fails a decision."""

from __future__ import annotations

from django_tasks import task

from healthbank.cards import mail


@task()
def mail_decision(application_id: int) -> bool:
    return mail.decision(application_id)
