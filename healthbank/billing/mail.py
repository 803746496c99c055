"""Billing's e-mail, in Traditional Chinese with English below (external.mail)."""

from __future__ import annotations

import datetime as dt

from healthbank.billing.models import DirectDebit, Notice
from healthbank.core.numbers import grouped
from healthbank.external.bank import BANKS, REASONS
from healthbank.external.mail import send_bilingual
from healthbank.identity.contacts import mail_recipients


def address_changed(notice_id: int) -> bool:
    """Where the person's post goes from now on (the address the notice was sent to)."""
    notice = Notice.objects.select_related("person").get(pk=notice_id)
    to = mail_recipients(notice.person)
    if not to:
        return False
    send_bilingual(
        "billing/mail/address",
        to=to,
        context={
            "name": notice.person.name,
            "address": notice.facts.get("postal_address", ""),
            "registered": notice.facts.get("registered", False),
        },
    )
    return True


def debit_answered(debit_id: int) -> bool:
    """The bank's answer to a one-time direct debit: paid, or refused and why."""
    debit = DirectDebit.objects.select_related("person").get(pk=debit_id)
    to = mail_recipients(debit.person)
    if not to or debit.status == DirectDebit.Status.REQUESTED:
        return False
    paid = debit.status == DirectDebit.Status.PAID
    rows = debit.bills.filter(amount__gt=0) if paid else debit.bills.all()
    months: list[dt.date] = sorted(rows.values_list("bill__month", flat=True))
    send_bilingual(
        "billing/mail/debit",
        to=to,
        context={
            "name": debit.person.name,
            "debit": debit,
            "paid": paid,
            "cancelled": debit.status == DirectDebit.Status.CANCELLED,
            "amount": grouped(debit.amount),
            "bank": BANKS.get(debit.bank_code, debit.bank_code),
            "reason": REASONS.get(debit.reason_code, ""),
            "months_roc": "、".join(f"{m.year - 1911}/{m.month:02d}" for m in months),
            "months_iso": ", ".join(f"{m:%Y-%m}" for m in months),
        },
    )
    return True
