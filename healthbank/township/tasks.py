"""Mail the township office applications send in the background (a mail server's hiccup
never fails a decision)."""

from __future__ import annotations

from django_tasks import task

from healthbank.township import mail


@task()
def mail_decision(application_id: int) -> bool:
    return mail.decision(application_id)
