"""Billing's background work: asking the bank for a direct debit, and the e-mail that tells
the person a result, so that neither a slow bank nor an SMTP hiccup fails a page."""

from __future__ import annotations

from django_tasks import task

from healthbank.billing import mail, services


@task()
def ask_bank(debit_id: int) -> str:
    return services.answer_debit(debit_id=debit_id).status


@task()
def mail_address_changed(notice_id: int) -> bool:
    return mail.address_changed(notice_id)


@task()
def mail_debit_answered(debit_id: int) -> bool:
    return mail.debit_answered(debit_id)
