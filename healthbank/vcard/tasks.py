"""Mail the virtual card sends in the background, so that an SMTP server's hiccup never
fails a review or a clinic's verification."""

from __future__ import annotations

from django_tasks import task

from healthbank.vcard import mail


@task()
def mail_review_result(application_id: int) -> bool:
    return mail.review_result(application_id)


@task()
def mail_owner_of_use(qr_token_id: int) -> bool:
    return mail.use_by_specific_person(qr_token_id)
