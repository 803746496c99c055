"""Mail the township office applications send in the background (a mail server's hiccup
never fails a decision)."""

from __future__ import annotations

from django_tasks import task

from healthbank.township import closing, mail


@task()
def mail_decision(application_id: int) -> bool:
    return mail.decision(application_id)


@task()
def close_periods(application_id: int) -> int:
    """On the effective date of an approved change: the periods it ended take their status."""
    return closing.close_due_periods(application_id=application_id)
