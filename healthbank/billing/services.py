"""Writes of the billing e-services: simple instalments, e-bills and bill delivery. Each
refuses with a BillingRefused whose message says what to do, and writes nothing then."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.audit.services import Action, record
from healthbank.billing import debits, rules, selectors, tasks
from healthbank.billing.models import (
    BillDelivery,
    DebitedBill,
    DeliveryChoice,
    DeliveryMethod,
    DirectDebit,
    InstalmentPart,
    InstalmentPlan,
    Notice,
    PlannedBill,
)
from healthbank.billing.notices import send_notice
from healthbank.core.months import add_months, month_end
from healthbank.core.numbers import grouped
from healthbank.core.rocdate import to_roc
from healthbank.external import bank
from healthbank.external.mail import send_bilingual
from healthbank.identity.contacts import mail_recipients
from healthbank.people.addresses import current_mailing_address, postal_address
from healthbank.people.locks import lock_person
from healthbank.people.models import MailingAddress, Person, Village


class BillingRefused(Exception):
    MESSAGES = {
        "no_bills": _("Choose at least one unpaid bill past its due date to pay in instalments."),
        "not_yours": _(
            "A bill you chose is not one of your unpaid bills past their due date. Reload the "
            "page and choose again."
        ),
        "already_planned": _(
            "A bill you chose is already in an instalment plan. Pay it by the plan's schedule; "
            "its slips are on the plan's page."
        ),
        "debiting": _(
            "A bill you chose is being paid by a direct debit the bank has not answered yet, so "
            "it cannot be put in an instalment plan. Wait for the bank's answer on the direct "
            "debit page."
        ),
        "active_plan": _(
            "You already have an instalment plan in force. Pay it as scheduled; for a new plan, "
            "call NHIA on 0800-030598 or visit an NHIA counter."
        ),
        "too_small": _(
            "Arrears of NT$%(arrears)s are below NT$%(minimum)s, the least that can be paid in "
            "instalments. Pay them with the payment slip."
        ),
        "too_large": _(
            "Arrears of NT$%(limit)s or more are paid in instalments at an NHIA counter, which "
            "can allow more instalments. Call 0800-030598 or visit an NHIA counter."
        ),
        "bad_count": _(
            "Choose from %(minimum)s to %(maximum)s instalments: each instalment must be at "
            "least NT$%(least)s."
        ),
        "email_needed": _("Enter the e-mail address your bills or reminders should go to."),
        "unchanged": _("Your bills already come this way: nothing was changed."),
        "street_needed": _(
            "Enter the street address: road or street, lane, alley, number and floor, at most "
            "%(maximum)s characters."
        ),
        "address_unchanged": _("This is already your mailing address: nothing was changed."),
        "no_mailing_address": _(
            "Your post already goes to your registered address: nothing was changed."
        ),
        "no_debit_bills": _("Choose at least one unpaid bill to pay by direct debit."),
        "not_debitable": _(
            "A bill you chose is not one of your unpaid bills that can be paid by direct debit "
            "(it may be paid already, or in an instalment plan). Reload the page and choose "
            "again."
        ),
        "already_debiting": _(
            "A bill you chose is already being paid by a direct debit the bank has not answered "
            "yet. Wait for its result on this page."
        ),
        "bad_bank": _("Choose your bank from the list."),
        "bad_account": _(
            "Enter the account number as %(low)s to %(high)s digits, as in your passbook."
        ),
        "bad_neighbourhood": _(
            "The neighbourhood is a number from 1 to 99; leave it empty if none."
        ),
        "bad_method": _("Choose how your bills should come."),
        "bad_cycle": _("Choose how often your bills should come."),
    }

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return (
            str(self.MESSAGES[self.code]) % self.params
            if self.params
            else str(self.MESSAGES[self.code])
        )


# --- simple instalments -------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    number: int
    due_date: dt.date
    amount: int


def maximum_instalments(arrears: int) -> int:
    """The most instalments these arrears may be split into (0: none)."""
    return min(rules.MAXIMUM_INSTALMENTS, arrears // rules.MINIMUM_INSTALMENT_AMOUNT)


def check_arrears(arrears: int) -> None:
    if arrears < rules.MINIMUM_ARREARS:
        raise BillingRefused(
            "too_small", arrears=grouped(arrears), minimum=grouped(rules.MINIMUM_ARREARS)
        )
    if arrears >= rules.SIMPLE_INSTALMENT_ARREARS_BELOW:
        raise BillingRefused("too_large", limit=grouped(rules.SIMPLE_INSTALMENT_ARREARS_BELOW))


def schedule(arrears: int, count: int, applied_on: dt.date) -> list[Part]:
    """The instalments: monthly, each due at a month's end, the odd dollars in the first, so
    that they add up to the arrears exactly."""
    check_arrears(arrears)
    if not rules.MINIMUM_INSTALMENTS <= count <= maximum_instalments(arrears):
        raise BillingRefused(
            "bad_count",
            minimum=rules.MINIMUM_INSTALMENTS,
            maximum=maximum_instalments(arrears),
            least=grouped(rules.MINIMUM_INSTALMENT_AMOUNT),
        )
    each, odd = divmod(arrears, count)
    return [
        Part(
            n + 1,
            month_end(add_months(applied_on, rules.FIRST_INSTALMENT_AFTER_MONTHS + n)),
            each + (odd if n == 0 else 0),
        )
        for n in range(count)
    ]


def chosen_arrears(
    person: Person, bill_ids: list[int], today: dt.date
) -> list[selectors.UnpaidBill]:
    """The person's bills chosen for instalments, checked: each theirs, unpaid, past due, in
    no plan and not waiting in a direct debit (the bank may be taking it)."""
    if not bill_ids:
        raise BillingRefused("no_bills")
    unpaid = {u.bill.pk: u for u in selectors.unpaid_bills(person, today)}
    debiting = selectors.pending_debit_bill_ids(person)
    chosen = []
    for pk in dict.fromkeys(bill_ids):
        u = unpaid.get(pk)
        if u is None or not u.overdue:
            raise BillingRefused("not_yours")
        if u.plan is not None:
            raise BillingRefused("already_planned")
        if pk in debiting:
            raise BillingRefused("debiting")
        chosen.append(u)
    return chosen


@transaction.atomic
def apply_instalments(
    *, person: Person, bill_ids: list[int], count: int, now: dt.datetime | None = None
) -> InstalmentPlan:
    """簡易分期: split the chosen arrears into `count` monthly instalments, store the plan,
    send its approval notice and e-mail the schedule."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lock_person(person.pk)  # one application at once
    if InstalmentPlan.objects.filter(person=person, status=InstalmentPlan.Status.ACTIVE).exists():
        raise BillingRefused("active_plan")
    chosen = chosen_arrears(person, bill_ids, today)
    arrears = sum(u.owed for u in chosen)
    parts = schedule(arrears, count, today)
    plan = InstalmentPlan.objects.create(
        person=person,
        applied_at=now,
        arrears=arrears,
        instalments=count,
        status=InstalmentPlan.Status.ACTIVE,
    )
    try:
        with transaction.atomic():
            PlannedBill.objects.bulk_create(
                PlannedBill(plan=plan, bill=u.bill, amount=u.owed) for u in chosen
            )
    except IntegrityError:
        raise BillingRefused("already_planned") from None
    InstalmentPart.objects.bulk_create(
        InstalmentPart(plan=plan, number=p.number, due_date=p.due_date, amount=p.amount)
        for p in parts
    )
    months = [u.bill.month for u in chosen]
    to = mail_recipients(person)
    send_notice(
        person=person,
        kind=Notice.Kind.INSTALMENT,
        now=now,
        subject=_months_subject(months),
        facts={
            "arrears": arrears,
            "instalments": count,
            "months": [m.isoformat() for m in months],
            "parts": [[p.number, p.due_date.isoformat(), p.amount] for p in parts],
        },
        plan=plan,
    )
    if to:
        send_bilingual(
            "billing/mail/instalments",
            to=to,
            context={
                "name": person.name,
                "plan": plan,
                "arrears": grouped(arrears),
                "parts": [
                    {
                        "number": p.number,
                        "roc": to_roc(p.due_date),
                        "iso": p.due_date,
                        "amount": grouped(p.amount),
                    }
                    for p in parts
                ],
                "months_roc": "、".join(f"{m.year - 1911}/{m.month:02d}" for m in months),
                "months_iso": ", ".join(f"{m:%Y-%m}" for m in months),
            },
        )
    return plan


def _months_subject(months: list[dt.date]) -> str:
    """Language-neutral: the months a notice concerns, 2026-06–2026-10."""
    first, last = min(months), max(months)
    return f"{first:%Y-%m}" if first == last else f"{first:%Y-%m}–{last:%Y-%m}"


# --- e-bills and delivery -------------------------------------------------------------------


def change_delivery(
    *,
    person: Person,
    method: str,
    cycle: str,
    email: str = "",
    now: dt.datetime | None = None,
) -> BillDelivery:
    """繳款單寄發週期申請/變更: how and how often bills come from now on; the earlier choices
    stay as the history. E-mail and e-bills need an address; a change confirms by e-mail."""
    now = now or timezone.now()
    if method not in rules.DELIVERY_METHODS:
        raise BillingRefused("bad_method")
    if cycle not in rules.DELIVERY_CYCLES:
        raise BillingRefused("bad_cycle")
    email = email.strip() if method != DeliveryMethod.POST else ""
    if method != DeliveryMethod.POST and not email:
        raise BillingRefused("email_needed")
    current = selectors.delivery_of(person)
    if (current.method, current.cycle, current.email) == (method, cycle, email):
        raise BillingRefused("unchanged")
    with transaction.atomic():
        row = BillDelivery.objects.create(
            person=person,
            method=method,
            cycle=cycle,
            email=email,
            chosen_at=now,
            chosen_by=DeliveryChoice.PERSON,
        )
        kind = Notice.Kind.EBILL if method == DeliveryMethod.EBILL else Notice.Kind.DELIVERY
        send_notice(
            person=person,
            kind=kind,
            now=now,
            subject=f"{now:%Y-%m-%d}",
            facts={"method": method, "cycle": cycle, "email": email},
        )
    return row


def apply_ebill(*, person: Person, email: str, now: dt.datetime | None = None) -> BillDelivery:
    """當月電子繳款單申請: e-bills from now on, in the cycle the person has."""
    cycle = selectors.delivery_of(person).cycle
    return change_delivery(
        person=person, method=DeliveryMethod.EBILL, cycle=cycle, email=email, now=now
    )


# --- mailing address (通訊地址變更) -------------------------------------------------------


def _street(street_address: str) -> str:
    street = " ".join(street_address.split())
    if not street or len(street) > rules.STREET_ADDRESS_MAX_LENGTH:
        raise BillingRefused("street_needed", maximum=rules.STREET_ADDRESS_MAX_LENGTH)
    return street


@transaction.atomic
def change_mailing_address(
    *,
    person: Person,
    village: Village,
    neighbourhood: int | None,
    street_address: str,
    now: dt.datetime | None = None,
) -> MailingAddress:
    """通訊地址變更: post goes to this address from now on (no review: it is the person's
    say). The address in use ends now and stays as history; a notice and an e-mail confirm."""
    now = now or timezone.now()
    street = _street(street_address)
    if neighbourhood is not None and not 1 <= neighbourhood <= rules.NEIGHBOURHOOD_MAX:
        raise BillingRefused("bad_neighbourhood")
    lock_person(person.pk)  # one change at once
    current = current_mailing_address(person)
    if current is not None and (
        current.village_id,
        current.neighbourhood,
        current.street_address,
    ) == (village.pk, neighbourhood, street):
        raise BillingRefused("address_unchanged")
    if current is not None:
        MailingAddress.objects.filter(pk=current.pk).update(until=now)
    row = MailingAddress.objects.create(
        person=person,
        village=village,
        neighbourhood=neighbourhood,
        street_address=street,
        since=now,
    )
    record(action=Action.ADDRESS_CHANGED, person=person, actor_id=person.pk, mailing=row.pk)
    _address_notice(person, now)
    return row


@transaction.atomic
def use_registered_address(*, person: Person, now: dt.datetime | None = None) -> None:
    """Post goes to the registered address again: the mailing address in use ends now."""
    now = now or timezone.now()
    lock_person(person.pk)
    ended = MailingAddress.objects.filter(person=person, until__isnull=True).update(until=now)
    if not ended:
        raise BillingRefused("no_mailing_address")
    record(action=Action.ADDRESS_CHANGED, person=person, actor_id=person.pk, mailing=None)
    _address_notice(person, now)


def _address_notice(person: Person, now: dt.datetime) -> Notice:
    postal = postal_address(person)
    notice = send_notice(
        person=person,
        kind=Notice.Kind.ADDRESS,
        now=now,
        subject=f"{timezone.localdate(now):%Y-%m-%d}",
        facts={"registered": not (postal and postal.is_mailing)},
    )
    transaction.on_commit(lambda: tasks.mail_address_changed.enqueue(notice.pk))
    return notice


# --- one-time direct debit (保險費單次約定轉帳) ------------------------------------------


def _reference(now: dt.datetime) -> str:
    return f"DD{timezone.localtime(now):%Y%m%d}{secrets.token_hex(5).upper()}"


@transaction.atomic
def request_debit(
    *,
    person: Person,
    bill_ids: list[int],
    bank_code: str,
    account_number: str,
    now: dt.datetime | None = None,
) -> DirectDebit:
    """Ask the person's bank, once and in the background, for the chosen unpaid bills. A bill
    already paid, in an instalment plan or waiting in another debit is refused."""
    now = now or timezone.now()
    if bank_code not in bank.BANKS:
        raise BillingRefused("bad_bank")
    if bank.account_number(account_number) != account_number:
        low, high = bank.ACCOUNT_DIGITS
        raise BillingRefused("bad_account", low=low, high=high)
    if not bill_ids:
        raise BillingRefused("no_debit_bills")
    lock_person(person.pk)  # one request at once
    unpaid = {u.bill.pk: u for u in selectors.unpaid_bills(person, timezone.localdate(now))}
    pending = selectors.pending_debit_bill_ids(person)
    chosen = []
    for pk in dict.fromkeys(bill_ids):
        u = unpaid.get(pk)
        if u is None or u.plan is not None:
            raise BillingRefused("not_debitable")
        if pk in pending:
            raise BillingRefused("already_debiting")
        chosen.append(u)
    debit = DirectDebit.objects.create(
        person=person,
        reference=_reference(now),
        amount=sum(u.owed for u in chosen),
        bank_code=bank_code,
        account_number=account_number,
        account_last4=account_number[-4:],
        status=DirectDebit.Status.REQUESTED,
        requested_at=now,
    )
    try:
        with transaction.atomic():  # the database's word: one pending debit a bill
            DebitedBill.objects.bulk_create(
                DebitedBill(debit=debit, bill=u.bill, amount=u.owed) for u in chosen
            )
    except IntegrityError:
        raise BillingRefused("already_debiting") from None
    transaction.on_commit(lambda: debits.ask_bank.enqueue(debit.pk))
    return debit
