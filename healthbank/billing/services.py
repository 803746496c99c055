"""Writes of the billing e-services: simple instalments, e-bills and bill delivery. Each
refuses with a BillingRefused whose message says what to do, and writes nothing then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.billing import rules, selectors
from healthbank.billing.models import (
    BillDelivery,
    DeliveryChoice,
    DeliveryMethod,
    InstalmentPart,
    InstalmentPlan,
    Notice,
    PlannedBill,
)
from healthbank.core.months import add_months, month_end
from healthbank.core.numbers import grouped
from healthbank.core.rocdate import to_roc
from healthbank.external.mail import send_bilingual
from healthbank.identity.contacts import mail_recipients
from healthbank.people.addresses import postal_address
from healthbank.people.models import Person


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
    """The person's bills chosen for instalments, checked: each theirs, unpaid, past due and
    in no plan."""
    if not bill_ids:
        raise BillingRefused("no_bills")
    unpaid = {u.bill.pk: u for u in selectors.unpaid_bills(person, today)}
    chosen = []
    for pk in dict.fromkeys(bill_ids):
        u = unpaid.get(pk)
        if u is None or not u.overdue:
            raise BillingRefused("not_yours")
        if u.plan is not None:
            raise BillingRefused("already_planned")
        chosen.append(u)
    return chosen


def send_notice(
    *,
    person: Person,
    kind: str,
    subject: str,
    facts: dict[str, Any],
    now: dt.datetime | None = None,
    **fields: Any,
) -> Notice:
    """A notice to the person: by e-mail when they have an e-mail address, else by post. It
    keeps the postal address (mailing, else registered) it was addressed to when sent."""
    to = mail_recipients(person)
    facts = dict(facts)
    if (postal := postal_address(person)) is not None:
        facts["postal_address"] = str(postal)
    return Notice.objects.create(
        person=person,
        kind=kind,
        sent_on=timezone.localdate(now),
        channel=Notice.Channel.EMAIL if to else Notice.Channel.POST,
        subject=subject,
        facts=facts,
        **fields,
    )


@transaction.atomic
def apply_instalments(
    *, person: Person, bill_ids: list[int], count: int, now: dt.datetime | None = None
) -> InstalmentPlan:
    """簡易分期: split the chosen arrears into `count` monthly instalments, store the plan,
    send its approval notice and e-mail the schedule."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one application at once
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
    Notice.objects.create(
        person=person,
        kind=Notice.Kind.INSTALMENT,
        sent_on=today,
        channel=Notice.Channel.EMAIL if to else Notice.Channel.POST,
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
    if method not in rules.DELIVERY_METHODS or cycle not in rules.DELIVERY_CYCLES:
        raise ValueError(f"delivery {method!r} {cycle!r}")
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
        Notice.objects.create(
            person=person,
            kind=kind,
            sent_on=timezone.localdate(now),
            channel=Notice.Channel.EMAIL if email else Notice.Channel.POST,
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
