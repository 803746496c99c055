"""What a certificate of insurance says about its person, and certificates by owner or code.

The cover comes from the portal's own read (records.selectors.personal.insurance), so the
certificate and the 健保投保資料 page never disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from healthbank.certificates.models import Certificate
from healthbank.core.rocdate import to_roc
from healthbank.people.models import Enrolment, InsuredCategory, Person
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


def printed_date(day: dt.date, language: str) -> str:
    """民國 in Chinese (115/11/23), Gregorian in English (2026-11-23)."""
    return to_roc(day) if language == "zh-hant" else day.isoformat()


def _dependants(person: Person) -> list[Enrolment]:
    """The people insured now as this person's dependants (one query)."""
    return list(
        Enrolment.objects.filter(insured_person=person, end_date__isnull=True)
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


def certificates_of(person: Person, today: dt.date) -> QuerySet[Certificate]:
    """The person's certificates still valid, newest first, without their files."""
    return (
        Certificate.objects.filter(person=person, valid_until__gte=today)
        .defer("pdf", "facts")
        .order_by("-issued_at")
    )


def certificate_of(person: Person, pk: int) -> Certificate | None:
    """One of the person's certificates, with its file; None if not theirs."""
    return Certificate.objects.filter(person=person, pk=pk).first()


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate the code names (exact match), without its file."""
    return Certificate.objects.filter(code=code).defer("pdf").first()
