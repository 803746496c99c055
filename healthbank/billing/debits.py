"""The bank's side of a one-time direct debit (保險費單次約定轉帳): the worker asks the bank
and records its answer. services.request_debit writes the request and enqueues this."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from healthbank.audit.services import Action, Actor, record
from healthbank.billing import tasks
from healthbank.billing.models import DebitedBill, DirectDebit, Notice
from healthbank.billing.notices import send_notice
from healthbank.external.bank import bank
from healthbank.people.models import PremiumPayment


@task()
def ask_bank(debit_id: int) -> str:
    return answer_debit(debit_id=debit_id).status


def answer_debit(*, debit_id: int, now: dt.datetime | None = None) -> DirectDebit:
    """Ask the bank for a requested debit and record its answer: paid (a payment for each
    bill) or failed (the bank's reason, nothing paid). Asking again is safe: the bank answers
    a reference once, and an answered debit is left as it is."""
    debit = DirectDebit.objects.select_related("person").get(pk=debit_id)
    if debit.status != DirectDebit.Status.REQUESTED:
        return debit
    answer = bank().debit(
        bank_code=debit.bank_code,
        account=debit.account_number,
        national_id=debit.person.national_id,
        amount=debit.amount,
        reference=debit.reference,
    )
    with transaction.atomic():
        debit = DirectDebit.objects.select_for_update().select_related("person").get(pk=debit_id)
        if debit.status != DirectDebit.Status.REQUESTED:
            return debit
        now = now or timezone.now()
        person = debit.person
        rows = list(debit.bills.select_related("bill").order_by("bill__month"))
        if answer.ok:
            PremiumPayment.objects.bulk_create(
                PremiumPayment(
                    person=person,
                    bill=r.bill,
                    paid_on=timezone.localdate(now),
                    amount=r.amount,
                    method=PremiumPayment.Method.BANK,
                )
                for r in rows
            )
            debit.status = DirectDebit.Status.PAID
        else:
            debit.status = DirectDebit.Status.FAILED
            debit.reason_code = answer.code
        DebitedBill.objects.filter(debit=debit).update(pending=False)
        debit.account_number = ""  # the bank has answered: only the last digits stay
        debit.answered_at = now
        debit.save(update_fields=["status", "reason_code", "account_number", "answered_at"])
        record(
            action=Action.BANK_DEBITED if answer.ok else Action.BANK_REFUSED,
            person=person,
            actor=Actor.SYSTEM,
            success=answer.ok,
            debit=debit.pk,
            reference=debit.reference,
            amount=debit.amount,
            code=answer.code,
        )
        send_notice(
            person=person,
            kind=Notice.Kind.DEBIT,
            now=now,
            subject=debit.reference,
            facts={
                "paid": answer.ok,
                "amount": debit.amount,
                "months": [r.bill.month.isoformat() for r in rows],
                "bank_code": debit.bank_code,
                "account_last4": debit.account_last4,
                "reason_code": debit.reason_code,
            },
        )
        transaction.on_commit(lambda: tasks.mail_debit_answered.enqueue(debit.pk))
    return debit
