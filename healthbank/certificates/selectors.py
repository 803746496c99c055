"""What a certificate says about its person, and certificates by owner or code.

The certificate of insurance's cover comes from the portal's own read
(records.selectors.personal.insurance), so the certificate and the 健保投保資料 page never
disagree. The certificate of premiums paid lists the person's payments (people.PremiumPayment)
made in one year, whatever month's bill each paid: the income-tax deduction counts premiums
in the year they were paid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import translation

from healthbank.certificates.models import Certificate
from healthbank.core.numbers import grouped
from healthbank.core.rocdate import ROC_OFFSET, to_roc
from healthbank.people.models import (
    Enrolment,
    InsuredCategory,
    Person,
    PremiumPayment,
)
from healthbank.records.rules import insurance_window
from healthbank.records.selectors.personal import insurance

Facts = dict[str, Any]

# The status as the certificate prints it: the one word, in the document's language.
_STATUS = {
    "zh-hant": {"active": "在保", "suspended": "停保", "withdrawn": "退保"},
    "en": {"active": "Insured", "suspended": "Suspended", "withdrawn": "Withdrawn"},
}
_ROLE = {
    "zh-hant": {"insured": "被保險人", "dependant": "眷屬"},
    "en": {"insured": "Insured person", "dependant": "Dependant"},
}
# How a premium was paid, as the certificate of premiums paid prints it. A category 1-3
# insured's own share is withheld from pay and paid by the insured unit (NHI Act art. 30):
# it is still the person's premium, and deductible, so those months are listed too.
_METHOD = {
    "zh-hant": {
        PremiumPayment.Method.PAYROLL: "投保單位扣繳",
        PremiumPayment.Method.BANK: "銀行轉帳",
        PremiumPayment.Method.STORE: "超商繳納",
        PremiumPayment.Method.POST: "郵局繳納",
        PremiumPayment.Method.CARD: "信用卡繳納",
    },
    "en": {
        PremiumPayment.Method.PAYROLL: "Payroll deduction",
        PremiumPayment.Method.BANK: "Bank transfer",
        PremiumPayment.Method.STORE: "Convenience store",
        PremiumPayment.Method.POST: "Post office",
        PremiumPayment.Method.CARD: "Credit card",
    },
}


def printed_date(day: dt.date, language: str) -> str:
    """民國 in Chinese (115/11/23), Gregorian in English (2026-11-23)."""
    return to_roc(day) if language == "zh-hant" else day.isoformat()


def printed_month(month: dt.date, language: str) -> str:
    """A bill's month: 115/01 in Chinese, 2026-01 in English."""
    if language == "zh-hant":
        return f"{month.year - ROC_OFFSET:03d}/{month.month:02d}"
    return f"{month:%Y-%m}"


def printed_year(year: int, language: str) -> str:
    """民國 in Chinese ("115年"), Gregorian in English ("2026")."""
    return f"{year - ROC_OFFSET}年" if language == "zh-hant" else str(year)


def _dependants(person: Person) -> list[Enrolment]:
    """The people insured now as this person's dependants (one query)."""
    return list(
        # ACTIVE: in force now (a change dated ahead keeps it until its day).
        Enrolment.objects.filter(insured_person=person, status=Enrolment.Status.ACTIVE)
        .select_related("person")
        .order_by("person__birth_date", "pk")
    )


def insurance_facts(
    person: Person, *, language: str, with_dependants: bool, today: dt.date
) -> Facts | None:
    """What the certificate of insurance prints, as printed; None if not insured now."""
    current = insurance(person, insurance_window(today)).current
    if current is None:
        return None
    with translation.override(language):
        facts: Facts = {
            "name": person.name,
            "masked_id": person.masked_id,
            "birth_date": printed_date(person.birth_date, language),
            "status": _STATUS[language][current.status],
            "role": _ROLE[language][current.role],
            "category": str(InsuredCategory(current.category).label),
            "unit": current.unit.name,
            "unit_code": current.unit.code,
            "start_date": printed_date(current.start_date, language),
            "with_dependants": with_dependants,
            "dependants": [
                {
                    "name": e.person.name,
                    "masked_id": e.person.masked_id,
                    "relation": str(Enrolment.Relation(e.relation).label),
                    "birth_date": printed_date(e.person.birth_date, language),
                    "start_date": printed_date(e.start_date, language),
                }
                for e in (_dependants(person) if with_dependants else [])
            ],
        }
    return facts


def premium_years(person: Person) -> list[int]:
    """The years in which the person paid premiums, newest first (one query)."""
    days = PremiumPayment.objects.filter(person=person).dates("paid_on", "year", order="DESC")
    return [day.year for day in days]


def _covered_in(person: Person, year: int) -> list[Enrolment]:
    """The dependants insured under the person at some time in the year, one row each."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        Enrolment.objects.filter(insured_person=person, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("person")
        .order_by("person__birth_date", "person_id", "-start_date")
    )
    latest: dict[int, Enrolment] = {}
    for enrolment in rows:
        latest.setdefault(enrolment.person_id, enrolment)
    return list(latest.values())


def premiums_facts(person: Person, *, year: int, language: str) -> Facts | None:
    """What the certificate of premiums paid prints for the year, as printed; None if the
    person paid nothing in it."""
    payments = list(
        PremiumPayment.objects.filter(person=person, paid_on__year=year)
        .select_related("bill")
        .order_by("paid_on", "bill__month", "pk")
    )
    if not payments:
        return None
    total = sum(p.amount for p in payments)
    with translation.override(language):
        covered = [
            {
                "name": person.name,
                "masked_id": person.masked_id,
                "relation": str(Enrolment.Relation.SELF.label),
            }
        ] + [
            {
                "name": e.person.name,
                "masked_id": e.person.masked_id,
                "relation": str(Enrolment.Relation(e.relation).label),
            }
            for e in _covered_in(person, year)
        ]
    return {
        "name": person.name,
        "masked_id": person.masked_id,
        "year": printed_year(year, language),
        "payments": [
            {
                "month": printed_month(p.bill.month, language),
                "amount_printed": grouped(p.amount),  # as printed: 1,704
                "paid_on": printed_date(p.paid_on, language),
                "method": _METHOD[language][PremiumPayment.Method(p.method)],
            }
            for p in payments
        ],
        "total": grouped(total),
        "withheld": any(p.method == PremiumPayment.Method.PAYROLL for p in payments),
        "covered": covered,
    }


def certificates_of(person: Person, today: dt.date, kind: str) -> QuerySet[Certificate]:
    """The person's certificates of a kind still valid, newest first, without their files."""
    return (
        Certificate.objects.filter(person=person, kind=kind, valid_until__gte=today)
        .defer("pdf")
        .order_by("-issued_at")
    )


def certificate_of(person: Person, pk: int, kind: str) -> Certificate | None:
    """One of the person's certificates of a kind, with its file; None if not theirs."""
    return Certificate.objects.filter(person=person, kind=kind, pk=pk).first()


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate the code names (exact match), without its file."""
    return Certificate.objects.filter(code=code).defer("pdf").first()
