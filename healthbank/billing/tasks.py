"""Billing's e-mail in the background, so that an SMTP hiccup never fails a page or the
bank's answer (the bank is asked in debits.ask_bank)."""

from __future__ import annotations

from django_tasks import task

from healthbank.billing import mail


@task()
def mail_address_changed(notice_id: int) -> bool:
    return mail.address_changed(notice_id)


@task()
def mail_debit_answered(debit_id: int) -> bool:
    return mail.debit_answered(debit_id)
