"""The person's bills, payments, plans, notices and delivery: every read starts from the
person, so that no one reads another person's rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from healthbank.billing import rules
from healthbank.billing.models import (
    BillDelivery,
    DebitedBill,
    DirectDebit,
    InstalmentPlan,
    Notice,
    SupplementaryBill,
)
from healthbank.people.models import MailingAddress, Person, PremiumBill, PremiumPayment


@dataclass(frozen=True)
class UnpaidBill:
    bill: PremiumBill
    paid: int
    today: dt.date

    @property
    def owed(self) -> int:
        return self.bill.amount - self.paid

    @property
    def overdue(self) -> bool:
        return self.bill.due_date < self.today

    @property
    def plan(self) -> InstalmentPlan | None:
        planned = getattr(self.bill, "planned", None)
        return planned.plan if planned is not None else None


def _with_paid(bills: QuerySet[PremiumBill]) -> QuerySet[PremiumBill]:
    paid = (
        PremiumPayment.objects.filter(bill=OuterRef("pk"))
        .values("bill")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return bills.annotate(
        paid=Coalesce(Subquery(paid, output_field=IntegerField()), Value(0))
    ).filter(paid__lt=F("amount"))


def unpaid_bills(person: Person, today: dt.date) -> list[UnpaidBill]:
    """The person's bills whose payments fall short of them, oldest first, each with its
    plan if one pays it."""
    bills = _with_paid(PremiumBill.objects.filter(person=person)).select_related(
        "planned__plan", "unit"
    )
    return [UnpaidBill(b, b.paid, today) for b in bills.order_by("month")]  # type: ignore[attr-defined]


def unpaid_bill(person: Person, pk: int, today: dt.date) -> UnpaidBill | None:
    """One of the person's unpaid bills; None for anyone else's or a paid one."""
    bill = (
        _with_paid(PremiumBill.objects.filter(person=person, pk=pk))
        .select_related("planned__plan", "unit")
        .first()
    )
    return UnpaidBill(bill, bill.paid, today) if bill else None  # type: ignore[attr-defined]


def plannable_bills(person: Person, today: dt.date) -> list[UnpaidBill]:
    """The arrears instalments can pay: unpaid bills past their due date, in no plan and not
    waiting in a direct debit."""
    debiting = pending_debit_bill_ids(person)
    return [
        u
        for u in unpaid_bills(person, today)
        if u.overdue and u.plan is None and u.bill.pk not in debiting
    ]


def plans_of(person: Person) -> QuerySet[InstalmentPlan]:
    return InstalmentPlan.objects.filter(person=person).prefetch_related(
        "parts", "planned_bills__bill"
    )


def plan_of(person: Person, pk: int) -> InstalmentPlan | None:
    return plans_of(person).filter(pk=pk).first()


def latest_bill(person: Person) -> PremiumBill | None:
    """This month's bill: the premium of the latest month billed."""
    return PremiumBill.objects.filter(person=person).order_by("-month").first()


def paid_amount(person: Person, bill: PremiumBill) -> int:
    total = PremiumPayment.objects.filter(person=person, bill=bill).aggregate(t=Sum("amount"))
    return int(total["t"] or 0)


@dataclass(frozen=True)
class Delivery:
    method: str
    cycle: str
    email: str
    row: BillDelivery | None  # None: never chosen, the default applies

    def get_method_display(self) -> str:
        from healthbank.billing.models import DeliveryMethod

        return str(DeliveryMethod(self.method).label)

    def get_cycle_display(self) -> str:
        from healthbank.billing.models import DeliveryCycle

        return str(DeliveryCycle(self.cycle).label)


def delivery_of(person: Person) -> Delivery:
    """How the person's bills come now."""
    row = delivery_history(person).first()
    if row is None:
        method, cycle = rules.DEFAULT_DELIVERY
        return Delivery(method, cycle, "", None)
    return Delivery(row.method, row.cycle, row.email, row)


def delivery_history(person: Person) -> QuerySet[BillDelivery]:
    return BillDelivery.objects.filter(person=person).order_by("-chosen_at", "-pk")


def transfer_years(person: Person) -> list[int]:
    """The years in which the person paid premiums by bank transfer, latest first."""
    dates = PremiumPayment.objects.filter(person=person, method=PremiumPayment.Method.BANK).dates(
        "paid_on", "year", order="DESC"
    )
    return [d.year for d in dates]


def transfers_of(person: Person, year: int) -> QuerySet[PremiumPayment]:
    """Premiums the person paid by bank transfer in the year, by date."""
    return (
        PremiumPayment.objects.filter(
            person=person, method=PremiumPayment.Method.BANK, paid_on__year=year
        )
        .select_related("bill")
        .order_by("paid_on", "pk")
    )


def supplementary_bills_of(person: Person) -> QuerySet[SupplementaryBill]:
    return SupplementaryBill.objects.filter(person=person).order_by("-income_year", "-issued_on")


def supplementary_bill_of(person: Person, pk: int) -> SupplementaryBill | None:
    return supplementary_bills_of(person).filter(pk=pk).first()


def notices_of(person: Person) -> QuerySet[Notice]:
    return Notice.objects.filter(person=person).order_by("-sent_on", "-pk")


def notice_of(person: Person, pk: int) -> Notice | None:
    return notices_of(person).filter(pk=pk).first()


def pending_debit_bill_ids(person: Person) -> set[int]:
    """The person's bills waiting in a direct debit the bank has not answered."""
    return set(
        DebitedBill.objects.filter(debit__person=person, pending=True).values_list(
            "bill_id", flat=True
        )
    )


def debitable_bills(person: Person, today: dt.date) -> list[UnpaidBill]:
    """The unpaid bills a one-time direct debit can pay: in no instalment plan (a plan's
    slips pay those) and not waiting in another debit."""
    pending = pending_debit_bill_ids(person)
    return [u for u in unpaid_bills(person, today) if u.plan is None and u.bill.pk not in pending]


def debits_of(person: Person) -> QuerySet[DirectDebit]:
    return DirectDebit.objects.filter(person=person).order_by("-requested_at", "-pk")


def debit_of(person: Person, pk: int) -> DirectDebit | None:
    return debits_of(person).filter(pk=pk).prefetch_related("bills__bill").first()


def mailing_addresses_of(person: Person) -> QuerySet[MailingAddress]:
    """The person's mailing addresses, the one in use (if any) first, then the earlier."""
    return (
        MailingAddress.objects.filter(person=person)
        .select_related("village__township__county")
        .order_by("-since", "-pk")
    )
