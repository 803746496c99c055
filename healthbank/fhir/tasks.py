"""Mail the app pages send in the background (a mail server's hiccup never fails a consent)."""

from __future__ import annotations

from django_tasks import task

from healthbank.fhir import mail


@task()
def mail_app_granted(grant_id: int) -> bool:
    return mail.app_granted(grant_id)
