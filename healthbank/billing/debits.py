"""The bank's side of a one-time direct debit (保險費單次約定轉帳): the worker asks the bank
and records its answer. services.request_debit writes the request and enqueues this."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django_tasks import task

from healthbank.audit.services import Action, Actor, record
from healthbank.billing import tasks
from healthbank.billing.models import DebitedBill, DirectDebit, Notice, PlannedBill
from healthbank.billing.notices import send_notice
from healthbank.external.bank import bank
from healthbank.people.models import PremiumBill, PremiumPayment


@task()
def ask_bank(debit_id: int) -> str:
    return answer_debit(debit_id=debit_id).status


def answer_debit(*, debit_id: int, now: dt.datetime | None = None) -> DirectDebit:
    """Ask the bank for a requested debit and record its answer: paid (a payment for each
    bill) or failed (the bank's reason, nothing paid). Asking again is safe: the bank answers
    a reference once, and an answered debit is left as it is.

    The bills are locked and re-read first: a bill paid meanwhile (a store slip) or put in an
    instalment plan is no longer owed, so the bank is asked only for what is still unpaid,
    and that amount is recorded; when nothing is left the debit is cancelled and the bank is
    not asked at all. The locks are held until the answer is recorded, so that no payment
    slips in between the amount asked and the payments written."""
    with transaction.atomic():
        debit = DirectDebit.objects.select_for_update().select_related("person").get(pk=debit_id)
        if debit.status != DirectDebit.Status.REQUESTED:
            return debit
        now = now or timezone.now()
        person = debit.person
        rows = list(debit.bills.select_related("bill").order_by("bill__month"))
        _still_owed(rows)
        debit.amount = sum(r.amount for r in rows)
        if debit.amount:
            answer = bank().debit(
                bank_code=debit.bank_code,
                account=debit.account_number,
                national_id=person.national_id,
                amount=debit.amount,
                reference=debit.reference,
            )
            ok, code = answer.ok, answer.code
        else:  # every bill was paid another way: nothing to take
            ok, code = False, ""
        if ok:
            PremiumPayment.objects.bulk_create(
                PremiumPayment(
                    person=person,
                    bill=r.bill,
                    paid_on=timezone.localdate(now),
                    amount=r.amount,
                    method=PremiumPayment.Method.BANK,
                )
                for r in rows
                if r.amount
            )
            debit.status = DirectDebit.Status.PAID
        elif debit.amount:
            debit.status = DirectDebit.Status.FAILED
            debit.reason_code = code
        else:
            debit.status = DirectDebit.Status.CANCELLED
        DebitedBill.objects.filter(debit=debit).update(pending=False)
        debit.account_number = ""  # the bank has answered: only the last digits stay
        debit.answered_at = now
        debit.save(
            update_fields=["status", "amount", "reason_code", "account_number", "answered_at"]
        )
        record(
            action=Action.BANK_DEBITED if ok else Action.BANK_REFUSED,
            person=person,
            actor=Actor.SYSTEM,
            success=ok,
            debit=debit.pk,
            reference=debit.reference,
            amount=debit.amount,
            code=code or debit.status,
        )
        send_notice(
            person=person,
            kind=Notice.Kind.DEBIT,
            now=now,
            subject=debit.reference,
            facts={
                "paid": ok,
                "cancelled": debit.status == DirectDebit.Status.CANCELLED,
                "amount": debit.amount,
                "months": [r.bill.month.isoformat() for r in rows if r.amount or not ok],
                "paid_otherwise": [r.bill.month.isoformat() for r in rows if not r.amount],
                "bank_code": debit.bank_code,
                "account_last4": debit.account_last4,
                "reason_code": debit.reason_code,
            },
        )
        transaction.on_commit(lambda: tasks.mail_debit_answered.enqueue(debit.pk))
    return debit


def _still_owed(rows: list[DebitedBill]) -> None:
    """Lock the debit's bills and set each row to what is still owed of its bill now: 0 for
    a bill paid meanwhile or put in an instalment plan (its slips pay it)."""
    ids = [r.bill_id for r in rows]
    list(PremiumBill.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    paid = dict(
        PremiumPayment.objects.filter(bill_id__in=ids)
        .values("bill_id")
        .annotate(total=Sum("amount"))
        .values_list("bill_id", "total")
    )
    planned = set(PlannedBill.objects.filter(bill_id__in=ids).values_list("bill_id", flat=True))
    for r in rows:
        owed = max(r.bill.amount - int(paid.get(r.bill_id) or 0), 0)
        r.amount = 0 if r.bill_id in planned else min(r.amount, owed)
    DebitedBill.objects.bulk_update(rows, ["amount"])
