"""The person's e-service reads. Each takes the signed-in person and starts from them: the
insured sees their own enrolment and their dependants' periods under them; a dependant, only
their own rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from healthbank.eservices.models import (
    Case,
    CaseStep,
    CatastrophicIllness,
    ClaimDocument,
    FundSubsidy,
    PremiumSubsidy,
    SupplementaryExemption,
)
from healthbank.people.models import Enrolment, Person
from healthbank.records.models import PreventiveCheck
from healthbank.records.selectors.labs import preventive_checks
from healthbank.records.selectors.reminders import reminders_for


@dataclass(frozen=True)
class EnrolmentHistory:
    """個人及眷屬投退保資料: the person's periods, then their dependants' under them."""

    own: list[Enrolment]
    dependants: list[tuple[Person, list[Enrolment]]]


def enrolment_history(person: Person) -> EnrolmentHistory:
    """Every period of the person's cover, and the periods others were insured as this
    person's dependants (never those dependants' other periods). One query."""
    rows = list(
        Enrolment.objects.filter(Q(person=person) | Q(insured_person=person))
        .select_related("unit", "person", "insured_person")
        .order_by("-start_date", "-pk")
    )
    own = [e for e in rows if e.person_id == person.pk]
    by_dependant: dict[int, tuple[Person, list[Enrolment]]] = {}
    for e in rows:
        if e.person_id != person.pk:
            by_dependant.setdefault(e.person_id, (e.person, []))[1].append(e)
    dependants = sorted(by_dependant.values(), key=lambda d: (d[0].birth_date, d[0].pk))
    return EnrolmentHistory(own=own, dependants=dependants)


def employer_amounts(person: Person) -> list[Enrolment]:
    """雇主投保金額: the insured amounts units declared for the person as the insured, newest
    first (a dependant's cover has the insured's amount, not one declared for them)."""
    return list(
        Enrolment.objects.filter(person=person, role=Enrolment.Role.INSURED)
        .select_related("unit")
        .order_by("-start_date", "-pk")
    )


def is_dependant_now(person: Person) -> bool:
    return Enrolment.objects.filter(
        person=person, role=Enrolment.Role.DEPENDANT, status=Enrolment.Status.ACTIVE
    ).exists()  # ACTIVE: in force now (a change dated ahead keeps it until its day)


def premium_subsidies(person: Person, today: dt.date) -> list[PremiumSubsidy]:
    """The person's subsidies, newest first, each marked `current` if in force today."""
    rows = list(PremiumSubsidy.objects.filter(person=person).order_by("-start_date", "-pk"))
    for row in rows:
        row.current = row.is_current_on(today)
    return rows


def supplementary_exemptions(person: Person) -> list[SupplementaryExemption]:
    return list(SupplementaryExemption.objects.filter(person=person).order_by("-start_date", "-pk"))


def fund_subsidies(person: Person) -> list[FundSubsidy]:
    return list(FundSubsidy.objects.filter(person=person).order_by("-start_date", "-pk"))


def catastrophic_illnesses(person: Person, today: dt.date) -> list[CatastrophicIllness]:
    """The person's certificates, newest first, each marked `valid` if valid today."""
    rows = list(
        CatastrophicIllness.objects.filter(person=person)
        .select_related("diagnosis")
        .order_by("-valid_from", "-pk")
    )
    for row in rows:
        row.valid = row.is_valid_on(today)
    return rows


def cases(person: Person) -> list[Case]:
    """The person's reimbursement and prior-review cases, newest first, with their steps."""
    return list(
        Case.objects.filter(person=person)
        .select_related("provider")
        .prefetch_related(Prefetch("steps", CaseStep.objects.filter(person=person)))
        .order_by("-applied_on", "-pk")
    )


def case(person: Person, pk: int) -> Case | None:
    """One of the person's cases with its steps (and an online claim with its documents);
    None when it is not theirs."""
    return (
        Case.objects.filter(person=person, pk=pk)
        .select_related("provider", "claim")
        .prefetch_related(
            Prefetch("steps", CaseStep.objects.filter(person=person)),
            Prefetch("claim__documents", ClaimDocument.objects.filter(person=person)),
        )
        .first()
    )


def claim_document(person: Person, case_pk: int, pk: int) -> ClaimDocument | None:
    """A document of one of the person's claims; None when it is not theirs."""
    return ClaimDocument.objects.filter(person=person, claim__case_id=case_pk, pk=pk).first()


@dataclass(frozen=True)
class PreventiveCheckDue:
    """顯示最近一次成人預防保健健檢日期資訊: the latest check and when the next one is due."""

    latest: PreventiveCheck | None
    previous: PreventiveCheck | None
    next_due: dt.date | None  # None: too young for the adult check


def preventive_check_due(person: Person, today: dt.date) -> PreventiveCheckDue:
    """The portal's own reads: the last two checks (labs) and the next date its reminders give
    (貼心叮嚀, records.reminders.next_preventive_check), so the two never disagree."""
    checks = preventive_checks(person)
    due = next(
        (r.start for r in reminders_for(person, today) if r.kind == "preventive_check"), None
    )
    return PreventiveCheckDue(
        checks[0] if checks else None, checks[1] if len(checks) > 1 else None, due
    )
