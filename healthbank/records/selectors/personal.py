"""個人專區: the person's insurance cover, NHI cards, premiums, allergies and care wishes.

Every function takes the person first and reads only that person's rows; each is one or two
queries however long the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from healthbank.people.models import (
    CardIssuance,
    Enrolment,
    NhiCard,
    Person,
    PremiumBill,
    PremiumPayment,
)
from healthbank.records.models import Allergy, CareWish
from healthbank.records.rules import Window


@dataclass(frozen=True)
class Cover:
    """健保投保資料: the enrolment in force (None when not insured) and those of the window."""

    current: Enrolment | None
    history: list[Enrolment]


def insurance(person: Person, window: Window) -> Cover:
    """The open enrolment and every enrolment that overlaps the window, newest first.

    A dependant's enrolment is in the unit of the insured they depend on (眷屬隨同被保險人
    投保), so its unit is the one shown. One query.
    """
    rows = list(
        Enrolment.objects.filter(person=person, start_date__lte=window.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=window.start))
        .select_related("unit", "insured_person")
        .order_by("-start_date", "-pk")
    )
    current = next((e for e in rows if e.end_date is None), None)
    return Cover(current=current, history=rows)


@dataclass(frozen=True)
class Cards:
    """健保卡狀況及領卡紀錄: the card in use (None if none is valid) and every issuance."""

    current: NhiCard | None
    issuances: list[CardIssuance]


def cards(person: Person) -> Cards:
    """The valid card and the whole issuance history, newest first (two queries).

    All issuances are listed, not only the last year's: a card is used for many years and
    the record of how the card in use was obtained is the one a person looks for.
    """
    current = NhiCard.objects.filter(person=person, status=NhiCard.Status.VALID).first()
    return Cards(current=current, issuances=card_issuances(person))


def card_issuances(person: Person) -> list[CardIssuance]:
    """Every card issuance of the person, newest first, with its card (one query)."""
    return list(
        CardIssuance.objects.filter(person=person)
        .select_related("card")
        .order_by("-applied_on", "-pk")
    )


@dataclass(frozen=True)
class Premiums:
    """保費計費明細 and 保險費繳納明細 of the window, with their totals."""

    bills: Sequence[PremiumBill]  # each annotated with `paid` (NT$ paid towards it so far)
    payments: list[PremiumPayment]
    billed: int
    paid: int
    unpaid: list[PremiumBill]


def _bills(person: Person, window: Window) -> QuerySet[PremiumBill]:
    return (
        PremiumBill.objects.filter(person=person, month__gte=window.start, month__lte=window.end)
        .select_related("unit")
        .order_by("-month")
    )


def premiums(person: Person, window: Window) -> Premiums:
    """Monthly bills of the window (newest first) and the payments made in it. Two queries.

    A bill is unpaid while what was paid towards it is less than its amount.
    """
    bills = list(_bills(person, window).annotate(paid=Coalesce(Sum("payments__amount"), 0)))
    payments = premium_payments(person, window)
    return Premiums(
        bills=bills,
        payments=payments,
        billed=sum(b.amount for b in bills),
        paid=sum(p.amount for p in payments),
        unpaid=[b for b in bills if b.paid < b.amount],
    )


def premium_bills(person: Person, window: Window) -> list[PremiumBill]:
    """保費計費明細: the monthly bills of the window, newest first, with their unit."""
    return list(_bills(person, window))


def premium_payments(person: Person, window: Window) -> list[PremiumPayment]:
    """保險費繳納明細: the payments made in the window, newest first, with their bill."""
    return list(
        PremiumPayment.objects.filter(
            person=person, paid_on__gte=window.start, paid_on__lte=window.end
        )
        .select_related("bill")
        .order_by("-paid_on", "-pk")
    )


def allergies(person: Person, window: Window) -> list[Allergy]:
    """過敏資料 uploaded in the window, newest first, with the provider who uploaded it and
    the drug, if any."""
    return list(
        Allergy.objects.filter(
            person=person, recorded_on__gte=window.start, recorded_on__lte=window.end
        )
        .select_related("provider", "drug")
        .order_by("-recorded_on", "-pk")
    )


def care_wishes(person: Person) -> list[CareWish]:
    """器捐或安寧緩和醫療意願 noted on the card, revoked ones included, newest first."""
    return list(
        CareWish.objects.filter(person=person)
        .select_related("provider")
        .order_by("-signed_on", "-pk")
    )
