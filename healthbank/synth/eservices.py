"""The e-services' synthetic data: premium subsidies, supplementary premium exemptions,
tobacco-tax and lottery subsidies, catastrophic illness certificates and reimbursement and
prior-review cases, for the people one seeding run created.

Drawn per household or person from random.Random(f"{seed}:eservices:…"), so a person's
rows do not depend on who else was seeded; the personas get the fixed rows the README lists.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Min, Q

from healthbank.core.months import add_months
from healthbank.eservices import rules
from healthbank.eservices.models import (
    Case,
    CaseStep,
    CatastrophicIllness,
    FundSubsidy,
    PremiumSubsidy,
    SupplementaryExemption,
)
from healthbank.people.models import Enrolment, Person
from healthbank.people.premiums import monthly_premium
from healthbank.records.models import Provider, VisitDiagnosis
from healthbank.synth.personas import HOUSEHOLDS
from healthbank.synth.population import years_after

BATCH = 2000
# Shares of households insured at the township office (category 6) with each kind of help,
# and of everyone with a disability (MOHW: about 5% of the population hold a certificate).
MIDDLE_LOW_HOUSEHOLDS = 0.06
TOBACCO_HOUSEHOLDS = 0.08
LOTTERY_HOUSEHOLDS = 0.02
INDIGENOUS_INSURED = 0.025
UNEMPLOYED_INSURED = 0.05
DISABLED = 0.05
DISABILITY_LEVELS = (  # level, share of the disabled, subsidy share (rules)
    ("輕度", 0.35, rules.DISABILITY_MILD_SHARE),
    ("中度", 0.35, rules.DISABILITY_MODERATE_SHARE),
    ("重度", 0.2, rules.DISABILITY_SEVERE_SHARE),
    ("極重度", 0.1, rules.DISABILITY_SEVERE_SHARE),
)
STUDENTS = 0.6  # of dependants aged 18 to 22
REIMBURSEMENT_CASES = 0.01
# Diagnoses whose visits make a certificate: dementia (慢性精神病) and cancers.
MENTAL_CODES = ("F03.90", "G30.9", "F20.9")
CANCER_PREFIX = "C"
# What cases are about, as NHIA's staff record it (in Chinese, like the other synthetic text).
REIMBURSEMENT_SUBJECTS = (
    "出國期間緊急門診",
    "出國期間緊急住院",
    "非特約醫院緊急傷病",
    "未持健保卡就醫，逾期補卡",
)


class Rows:
    """The rows to write, each model's list, and the case ids handed out."""

    def __init__(self) -> None:
        self.subsidies: list[PremiumSubsidy] = []
        self.exemptions: list[SupplementaryExemption] = []
        self.funds: list[FundSubsidy] = []
        self.certificates: list[CatastrophicIllness] = []
        self.cases: list[tuple[Case, list[CaseStep]]] = []

    def write(self) -> None:
        PremiumSubsidy.objects.bulk_create(self.subsidies, batch_size=BATCH)
        SupplementaryExemption.objects.bulk_create(self.exemptions, batch_size=BATCH)
        FundSubsidy.objects.bulk_create(self.funds, batch_size=BATCH)
        CatastrophicIllness.objects.bulk_create(self.certificates, batch_size=BATCH)
        cases = Case.objects.bulk_create([c for c, _ in self.cases], batch_size=BATCH)
        steps = []
        for case, (_, its_steps) in zip(cases, self.cases, strict=True):
            for step in its_steps:
                step.case = case
                steps.append(step)
        CaseStep.objects.bulk_create(steps, batch_size=BATCH)


def year_start(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


def add_eservice_records(seed: int, today: dt.date, created_at: dt.datetime) -> None:
    """Rows for the people created at `created_at` (one seeding run), personas included."""
    people = {
        pk: (national_id, birth)
        for pk, national_id, birth in Person.objects.filter(created_at=created_at).values_list(
            "pk", "national_id", "birth_date"
        )
    }
    if not people:
        return
    current = {
        person: (role, category, start, insured)
        for person, role, category, start, insured in Enrolment.objects.filter(
            person__created_at=created_at, end_date__isnull=True
        ).values_list("person_id", "role", "category", "start_date", "insured_person_id")
    }
    numbers = Numbers(seed, today)
    rows = Rows()
    for pk, (national_id, birth) in people.items():
        if national_id in PERSONA_IDS:
            if national_id in PERSONAS:
                PERSONAS[national_id](rows, pk, birth, today, numbers)
            continue
        cover = current.get(pk)
        if cover is None:
            continue
        _person(rows, random.Random(f"{seed}:eservices:{national_id}"), pk, birth, cover, today)
        _household(rows, seed, pk, birth, cover, today, people)
        _cases(rows, random.Random(f"{seed}:eservices:case:{national_id}"), pk, today, numbers)
    _certificates(rows, created_at, today, numbers, people)
    rows.write()


class Numbers:
    """Certificate and case numbers, unique within a run and across runs (by seed and year)."""

    def __init__(self, seed: int, today: dt.date):
        self.prefix = f"{today.year - 1911:03d}{seed % 100:02d}"
        self.next_certificate = CatastrophicIllness.objects.count() + 1
        self.next_case = Case.objects.count() + 1

    def certificate(self) -> str:
        self.next_certificate += 1
        return f"{self.prefix}{self.next_certificate - 1:07d}"

    def case(self) -> str:
        self.next_case += 1
        return f"{self.prefix}C{self.next_case - 1:08d}"


def _person(rows: Rows, rng: random.Random, pk: int, birth: dt.date, cover, today) -> None:
    role, category, start, _ = cover
    age = (today - birth).days // 365
    if rng.random() < DISABLED:
        level, share = _disability_level(rng)
        since = max(birth, today - dt.timedelta(days=rng.randint(200, 6000)))
        rows.subsidies.append(
            PremiumSubsidy(
                person_id=pk,
                kind=PremiumSubsidy.Kind.DISABILITY,
                detail=level,
                share=share,
                payer=PremiumSubsidy.Payer.CENTRAL,
                start_date=since,
            )
        )
        if share == 1 and rng.random() < 0.5:
            rows.exemptions.append(
                SupplementaryExemption(
                    person_id=pk,
                    kind=SupplementaryExemption.Kind.DISABILITY,
                    scope=SupplementaryExemption.Scope.PART_TIME,
                    start_date=since,
                )
            )
    if role == Enrolment.Role.INSURED and category == 6 and 20 <= age < 65:
        if rng.random() < INDIGENOUS_INSURED:
            rows.subsidies.append(
                PremiumSubsidy(
                    person_id=pk,
                    kind=PremiumSubsidy.Kind.INDIGENOUS,
                    share=rules.INDIGENOUS_SHARE,
                    payer=PremiumSubsidy.Payer.INDIGENOUS,
                    start_date=start,
                )
            )
        elif rng.random() < UNEMPLOYED_INSURED and start > today - dt.timedelta(days=3 * 365):
            months = rules.UNEMPLOYED_MONTHS_FROM_45 if age >= 45 else rules.UNEMPLOYED_MONTHS
            rows.subsidies.append(
                PremiumSubsidy(
                    person_id=pk,
                    kind=PremiumSubsidy.Kind.UNEMPLOYED,
                    share=rules.UNEMPLOYED_SHARE,
                    payer=PremiumSubsidy.Payer.LABOUR,
                    start_date=start,
                    end_date=add_months(start, months) - dt.timedelta(days=1),
                )
            )
    if role == Enrolment.Role.DEPENDANT and 18 <= age <= 22 and rng.random() < STUDENTS:
        rows.exemptions.append(
            SupplementaryExemption(
                person_id=pk,
                kind=SupplementaryExemption.Kind.STUDENT,
                scope=SupplementaryExemption.Scope.PART_TIME,
                start_date=dt.date(years_after(birth, 18).year, 9, 1),
                end_date=dt.date(years_after(birth, 22).year, 6, 30),
            )
        )


def _disability_level(rng: random.Random) -> tuple[str, Decimal]:
    level, _, share = rng.choices(DISABILITY_LEVELS, weights=[w for _, w, _ in DISABILITY_LEVELS])[
        0
    ]
    return level, share


def _household(rows: Rows, seed: int, pk: int, birth: dt.date, cover, today, people) -> None:
    """Help decided per household insured at the township office: every member has it."""
    role, category, start, insured = cover
    if category != 6:
        return
    head = insured or pk
    head_id = people[head][0] if head in people else str(head)
    rng = random.Random(f"{seed}:eservices:household:{head_id}")
    draw = rng.random()
    age = (today - birth).days // 365
    first_year = max(year_start(start), year_start(today).replace(year=today.year - 2))
    years = [first_year.replace(year=y) for y in range(first_year.year, today.year + 1)]
    if draw < MIDDLE_LOW_HOUSEHOLDS:
        elderly = age >= 70
        kind = PremiumSubsidy.Kind.ELDERLY if elderly else PremiumSubsidy.Kind.MIDDLE_LOW_INCOME
        share = (
            rules.ELDERLY_MIDDLE_LOW_INCOME_SHARE
            if elderly
            else rules.MIDDLE_LOW_INCOME_YOUNG_OLD_SHARE
            if age < 18
            else rules.MIDDLE_LOW_INCOME_SHARE
        )
        for year in years:  # the status is reviewed every year
            rows.subsidies.append(
                PremiumSubsidy(
                    person_id=pk,
                    kind=kind,
                    share=share,
                    payer=PremiumSubsidy.Payer.LOCAL,
                    start_date=year,
                    end_date=year.replace(month=12, day=31),
                )
            )
        rows.exemptions.append(
            SupplementaryExemption(
                person_id=pk,
                kind=SupplementaryExemption.Kind.ELDERLY
                if elderly
                else SupplementaryExemption.Kind.MIDDLE_LOW_INCOME,
                scope=SupplementaryExemption.Scope.PART_TIME,
                start_date=years[0],
                end_date=years[-1].replace(month=12, day=31),
            )
        )
    elif draw < MIDDLE_LOW_HOUSEHOLDS + TOBACCO_HOUSEHOLDS:
        share = rules.TOBACCO_LEVEL_1_SHARE if rng.random() < 0.5 else rules.TOBACCO_LEVEL_2_SHARE
        monthly = int(monthly_premium(6, 0, 0) * share)
        for year in years[:-1]:
            rows.funds.append(_tobacco(pk, share, year, year.replace(month=12, day=31), monthly))
        if today.month > 1:
            last = years[-1]
            end = today.replace(day=1) - dt.timedelta(days=1)
            rows.funds.append(_tobacco(pk, share, last, end, monthly, end.month))
    elif draw < MIDDLE_LOW_HOUSEHOLDS + TOBACCO_HOUSEHOLDS + LOTTERY_HOUSEHOLDS and pk == head:
        paid = today - dt.timedelta(days=rng.randint(30, 900))
        rows.funds.append(
            FundSubsidy(
                person_id=pk,
                fund=FundSubsidy.Fund.LOTTERY,
                purpose=FundSubsidy.Purpose.ARREARS,
                start_date=paid - dt.timedelta(days=rng.randint(180, 720)),
                end_date=paid,
                amount=rng.randrange(2000, 30000, 10),
            )
        )


def _tobacco(pk, share, start, end, monthly, months=12) -> FundSubsidy:
    return FundSubsidy(
        person_id=pk,
        fund=FundSubsidy.Fund.TOBACCO,
        purpose=FundSubsidy.Purpose.PREMIUM,
        share=share,
        start_date=start,
        end_date=end,
        amount=monthly * months,
    )


def _cases(rows: Rows, rng: random.Random, pk: int, today: dt.date, numbers: Numbers) -> None:
    if rng.random() >= REIMBURSEMENT_CASES:
        return
    applied = today - dt.timedelta(days=rng.randint(3, 700))
    claimed = rng.randrange(1500, 90000, 10)
    _reimbursement(
        rows, rng, pk, applied, claimed, rng.choice(REIMBURSEMENT_SUBJECTS), today, numbers
    )


def _reimbursement(rows, rng, pk, applied, claimed, subject, today, numbers) -> Case:
    """A reimbursement case as far as it got by today: received, reviewed within the 30 days,
    approved (in full or in part) or not, and paid."""
    case = Case(
        person_id=pk,
        number=numbers.case(),
        kind=Case.Kind.REIMBURSEMENT,
        source=rng.choice((Case.Source.COUNTER, Case.Source.MAIL, Case.Source.ONLINE)),
        subject=subject,
        applied_on=applied,
        status=Case.Status.RECEIVED,
        amount_claimed=claimed,
    )
    steps = [CaseStep(person_id=pk, status=Case.Status.RECEIVED, on=applied)]
    reviewing = applied + dt.timedelta(days=rng.randint(1, 5))
    decided = applied + dt.timedelta(days=rng.randint(10, rules.REIMBURSEMENT_DECISION_DAYS))
    paid = decided + dt.timedelta(days=rng.randint(5, 15))
    if reviewing <= today:
        steps.append(CaseStep(person_id=pk, status=Case.Status.REVIEWING, on=reviewing))
        case.status = Case.Status.REVIEWING
    if decided <= today:
        outcome = rng.choices(
            (Case.Status.APPROVED, Case.Status.PARTLY, Case.Status.REJECTED), weights=(70, 25, 5)
        )[0]
        case.status, case.decided_on = outcome, decided
        if outcome == Case.Status.REJECTED:
            case.amount_approved = 0
            case.decision_note = "非屬緊急傷病，不予核退"
        else:
            full = outcome == Case.Status.APPROVED
            case.amount_approved = claimed if full else int(claimed * rng.uniform(0.4, 0.9))
            case.decision_note = "" if full else "依國外就醫平均費用上限核退"
        steps.append(CaseStep(person_id=pk, status=outcome, on=decided))
        if outcome != Case.Status.REJECTED and paid <= today:
            case.status = Case.Status.PAID
            steps.append(CaseStep(person_id=pk, status=Case.Status.PAID, on=paid))
    rows.cases.append((case, steps))
    return case


def _certificates(rows: Rows, created_at, today: dt.date, numbers: Numbers, people) -> None:
    """A certificate for everyone whose visits carry a cancer or chronic mental illness
    diagnosis, from the first such visit (personas have theirs fixed)."""
    personas = {pk for pk, (national_id, _) in people.items() if national_id in PERSONA_IDS}
    found = (
        VisitDiagnosis.objects.filter(person__created_at=created_at)
        .filter(Q(diagnosis__code__startswith=CANCER_PREFIX) | Q(diagnosis__in=MENTAL_CODES))
        .values_list("person_id", "diagnosis_id")
        .annotate(first=Min("visit__visit_date"))
        .order_by("person_id", "first")
    )
    seen: set[int] = set()
    for pk, code, since in found:
        if pk in seen or pk in personas:
            continue
        seen.add(pk)
        cancer = code.startswith(CANCER_PREFIX)
        rows.certificates.append(
            CatastrophicIllness(
                person_id=pk,
                number=numbers.certificate(),
                diagnosis_id=code,
                category=CatastrophicIllness.Category.CANCER
                if cancer
                else CatastrophicIllness.Category.MENTAL,
                valid_from=since,
                valid_until=years_after(since, rules.CANCER_VALID_YEARS) if cancer else None,
            )
        )


# --- The personas (README) -------------------------------------------------------------


def _chang(rows: Rows, pk: int, birth: dt.date, today: dt.date, numbers: Numbers) -> None:
    """張淑芬: a breast cancer treated four years ago (重大傷病 category 1, C50.912), its
    certificate valid five years, so still in force; and emergency care she paid for on a
    trip to Japan, reimbursed. Not her kidneys: her eGFR (about 37, stage G3b) is far from
    the dialysis that would make chronic kidney disease a catastrophic illness."""
    since = years_after(today, -4) - dt.timedelta(days=45)
    rows.certificates.append(
        CatastrophicIllness(
            person_id=pk,
            number=numbers.certificate(),
            diagnosis_id="C50.912",
            category=CatastrophicIllness.Category.CANCER,
            valid_from=since,
            valid_until=years_after(since, rules.CANCER_VALID_YEARS),
        )
    )
    rng = random.Random("persona:E223456785:case")
    case = _reimbursement(
        rows,
        rng,
        pk,
        today - dt.timedelta(days=120),
        25800,
        "出國期間急診（日本）：急性腸胃炎",
        today,
        numbers,
    )
    case.source = Case.Source.ONLINE


def _wu(rows: Rows, pk: int, birth: dt.date, today: dt.date, numbers: Numbers) -> None:
    """吳怡君: a middle-to-low-income household (中低收入戶) for the last two years: half her
    premium, part-time pay not withheld; before that the tobacco tax paid half her premium for a
    year (level 1), and the lottery fund paid her earlier arrears."""
    for year in (today.year - 1, today.year):
        rows.subsidies.append(
            PremiumSubsidy(
                person_id=pk,
                kind=PremiumSubsidy.Kind.MIDDLE_LOW_INCOME,
                share=rules.MIDDLE_LOW_INCOME_SHARE,
                payer=PremiumSubsidy.Payer.LOCAL,
                start_date=dt.date(year, 1, 1),
                end_date=dt.date(year, 12, 31),
            )
        )
    rows.exemptions.append(
        SupplementaryExemption(
            person_id=pk,
            kind=SupplementaryExemption.Kind.MIDDLE_LOW_INCOME,
            scope=SupplementaryExemption.Scope.PART_TIME,
            start_date=dt.date(today.year - 1, 1, 1),
            end_date=dt.date(today.year, 12, 31),
        )
    )
    rows.funds.append(
        FundSubsidy(
            person_id=pk,
            fund=FundSubsidy.Fund.LOTTERY,
            purpose=FundSubsidy.Purpose.ARREARS,
            start_date=dt.date(today.year - 3, 7, 1),
            end_date=dt.date(today.year - 2, 11, 30),
            amount=8260,
        )
    )
    share = rules.TOBACCO_LEVEL_1_SHARE
    first = dt.date(today.year - 2, 1, 1)
    monthly = int(monthly_premium(6, 0, 0) * share)
    rows.funds.append(_tobacco(pk, share, first, first.replace(month=12, day=31), monthly))


def _lee(rows: Rows, pk: int, birth: dt.date, today: dt.date, numbers: Numbers) -> None:
    """李建宏: his hospital asked for prior review of peginterferon for his hepatitis B; it is
    under review (decided within two weeks)."""
    provider = Provider.objects.filter(kind=Provider.Kind.MEDICAL_CENTRE).order_by("code").first()
    applied = today - dt.timedelta(days=4)
    case = Case(
        person_id=pk,
        number=numbers.case(),
        kind=Case.Kind.PRIOR_REVIEW,
        source=Case.Source.PROVIDER,
        provider=provider,
        subject="長效型干擾素(Peginterferon alfa-2a)治療慢性B型肝炎",
        applied_on=applied,
        status=Case.Status.REVIEWING,
    )
    steps = [
        CaseStep(person_id=pk, status=Case.Status.RECEIVED, on=applied),
        CaseStep(person_id=pk, status=Case.Status.REVIEWING, on=applied + dt.timedelta(days=1)),
    ]
    rows.cases.append((case, steps))


PERSONAS = {
    "E223456785": _chang,
    "K223456780": _wu,
    "H123456786": _lee,
}
# The other personas have no e-service rows: no draw may give them any by chance.
PERSONA_IDS = frozenset(p.national_id for household in HOUSEHOLDS for p in household)
