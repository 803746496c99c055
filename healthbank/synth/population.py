"""People, households, enrolment, cards and premiums of the synthetic population.

Ages follow Taiwan's 2024 population pyramid (MOI household-registration statistics,
rounded); people live in households of realistic shapes, and every child under 15 is
insured as a dependant of a parent in the household.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from faker.providers.person.zh_TW import Provider as NameProvider

from healthbank.people.identifiers import check_digit
from healthbank.people.models import CardIssuance, Enrolment, NhiCard
from healthbank.people.premiums import (
    INSURED_AMOUNT_GRADES,
    MAX_DEPENDANTS_COUNTED,
    monthly_premium,
)
from healthbank.synth.network import Network

# Share of the population by five-year age band (0-4 ... 90+), Taiwan 2024, percent.
AGE_BANDS = (
    3.4,
    4.3,
    4.2,
    4.1,
    5.2,
    6.3,
    6.7,
    7.4,
    8.4,
    7.9,
    7.6,
    7.6,
    7.3,
    6.6,
    5.0,
    3.1,
    2.3,
    1.4,
    0.9,
)
SURNAMES = tuple(NameProvider.last_names)
SURNAME_WEIGHTS = tuple(NameProvider.last_names.values())
GIVEN_NAMES = {
    "M": tuple(NameProvider.first_names_male),
    "F": tuple(NameProvider.first_names_female),
}
IC_CARDS_FROM = dt.date(2004, 1, 1)  # the NHI IC card replaced paper cards in 2004
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass
class Member:
    """Someone generated, before and after they get ids."""

    sex: str
    birth_date: dt.date
    relation: str  # to the head: self, spouse, child, parent
    name: str = ""
    national_id: str = ""
    person_id: int = 0
    employed: bool | None = None  # None until decided
    category: int = 0
    unit_id: int = 0
    insured_amount: int = 0
    insured_by: Member | None = None
    conditions: set[str] = field(default_factory=set)
    traits: dict[str, object] = field(default_factory=dict)  # overrides of Physiology
    dependants: int = 0
    enrolled_from: dt.date | None = None
    # A persona's earlier job, from one age to another (None: until the cover of today began).
    past_job: tuple[int, int | None] | None = None

    @property
    def enrolled_on(self) -> dt.date:
        """enrolled_from, which enrolments() sets before anything reads it."""
        if self.enrolled_from is None:
            raise ValueError(f"member {self.person_id} has no enrolment yet")
        return self.enrolled_from

    def age_on(self, day: dt.date) -> int:
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def years_ago(today: dt.date, years: float, rng: random.Random) -> dt.date:
    """A day about `years` before today, spread over that year."""
    return today - dt.timedelta(days=int(years * 365.25) + rng.randrange(365))


def sample_age(rng: random.Random, low: int = 0, high: int = 100) -> int:
    bands = [(i * 5, w) for i, w in enumerate(AGE_BANDS) if i * 5 + 4 >= low and i * 5 <= high]
    start, _ = rng.choices(bands, weights=[w for _, w in bands])[0]
    top = 99 if start == 90 else start + 4
    return rng.randint(max(start, low), min(top, high))


def household_shape(rng: random.Random, today: dt.date) -> list[Member]:
    """The members of one household: the head first, then spouse, children, parents."""
    head_age = sample_age(rng, 20)
    head_sex = rng.choice("MF")
    other = "F" if head_sex == "M" else "M"
    members = [Member(head_sex, years_ago(today, head_age, rng), "self")]
    if head_age < 30:
        weights = {"single": 55, "couple": 20, "family": 25, "three": 0}
    elif head_age < 50:
        weights = {"single": 10, "couple": 8, "family": 62, "three": 20}
    elif head_age < 65:
        weights = {"single": 14, "couple": 30, "family": 40, "three": 16}
    else:
        weights = {"single": 35, "couple": 50, "family": 15, "three": 0}
    shape = rng.choices(list(weights), weights=list(weights.values()))[0]
    if shape == "single":
        return members
    spouse_age = max(20, head_age + rng.randint(-4, 4))
    members.append(Member(other, years_ago(today, spouse_age, rng), "spouse"))
    if shape == "couple":
        return members
    mother_age = spouse_age if other == "F" else head_age
    children = rng.choices((1, 2, 3), weights=(38, 47, 15))[0]
    for _ in range(children):
        child_age = mother_age - rng.randint(22, 42)
        if 0 <= child_age <= 26:
            members.append(Member(rng.choice("MF"), years_ago(today, child_age, rng), "child"))
    if shape == "three":
        for _ in range(rng.choice((1, 1, 2))):
            parent_age = min(99, head_age + rng.randint(24, 34))
            sex = rng.choice("MF") if len(members) < 5 else "F"
            members.append(Member(sex, years_ago(today, parent_age, rng), "parent"))
    return members


def employment_chance(member: Member, today: dt.date) -> float:
    age = member.age_on(today)
    if age < 20 or age >= 70:
        return 0.0
    if age < 25:
        return 0.45
    if age < 55:
        return 0.88 if member.sex == "M" else 0.72
    if age < 65:
        return 0.62 if member.sex == "M" else 0.42
    return 0.12


@dataclass
class HouseholdPlan:
    """What decides a household beyond chance: used by the demo personas."""

    members: list[Member]
    town: str
    profiles: list[dict]  # per member: dental_regular, dental_rate, tcm_rate, no_records, weeks
    home: Home | None = None  # a fixed registered address, else one by chance


@dataclass(frozen=True)
class Home:
    """A household's number (戶號) and registered address, fixed rather than drawn."""

    number: str
    village: str  # village code; its first eight digits are the township's
    neighbourhood: int
    street_address: str

    @property
    def town(self) -> str:
        return self.village[:8]


class Identities:
    """Hands out unique national IDs, household numbers and card numbers."""

    def __init__(self, taken_ids: set[str], taken_households: set[str], next_card: int):
        self.taken_ids = taken_ids
        self.taken_households = taken_households
        self.next_card = next_card

    def national_id(self, rng: random.Random, letter: str, sex: str) -> str:
        while True:
            head = f"{letter}{1 if sex == 'M' else 2}{rng.randrange(10**7):07d}"
            value = head + check_digit(head)
            if value not in self.taken_ids:
                self.taken_ids.add(value)
                return value

    def household_number(self, rng: random.Random, letter: str) -> str:
        while True:
            value = f"{letter}{rng.randrange(10**7):07d}"
            if value not in self.taken_households:
                self.taken_households.add(value)
                return value

    def card_number(self) -> str:
        self.next_card += 1
        return f"{self.next_card:012d}"


def name_for(rng: random.Random, sex: str, surname: str | None = None) -> str:
    surname = surname or rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    return surname + rng.choice(GIVEN_NAMES[sex])


def contact_for(rng: random.Random, member: Member, today: dt.date) -> tuple[str, str, str]:
    """(e-mail, mobile, phone) of a person; children have none of their own."""
    if member.age_on(today) < 15:
        return "", "", ""
    email = ""
    if rng.random() < 0.7:
        letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))
        email = f"{letters}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"
    mobile = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.9 else ""
    return email, mobile, ""


def assign_cover(
    members: list[Member], rng: random.Random, today: dt.date, town: str, network: Network
) -> None:
    """Decide who is insured in which category, and whose dependant everyone else is."""
    for m in members:
        if m.employed is None:
            m.employed = rng.random() < employment_chance(m, today)
        if m.employed:
            m.category = rng.choices((1, 2, 3), weights=(80, 14, 6))[0]
            if m.category == 1:
                m.unit_id = rng.choice(network.employers[town])
            else:
                m.unit_id = network.unions[town] if m.category == 2 else network.farmers[town]
            grade_top = min(len(INSURED_AMOUNT_GRADES) - 1, 8 + 2 * (m.age_on(today) - 20) // 3)
            grade = 0 if m.category != 1 else min(int(rng.triangular(0, grade_top, 4)), grade_top)
            m.insured_amount = INSURED_AMOUNT_GRADES[grade]
    head = members[0]
    spouse = next((m for m in members if m.relation == "spouse"), None)
    earners = [m for m in members if m.employed and m.relation in ("self", "spouse")]
    for m in members:
        if m.employed or m.insured_by is not None:
            continue
        if m.relation == "child":
            m.insured_by = rng.choice(earners) if earners else None
        elif m.relation == "spouse" and head.employed:
            m.insured_by = head
        elif m.relation == "self" and spouse and spouse.employed:
            m.insured_by = spouse
        elif m.relation == "parent" and earners:
            m.insured_by = earners[0]
    # Whoever is left has nobody earning in the household (so the head is among them):
    # the head is insured at the township office (category 6) and covers the rest.
    uncovered = [m for m in members if not m.employed and m.insured_by is None]
    if uncovered:
        head.category, head.unit_id = 6, network.offices[town]
        for m in uncovered:
            if m is not head:
                m.insured_by = head
    for m in members:
        if m.insured_by:
            m.category = m.insured_by.category
            m.unit_id = m.insured_by.unit_id
            m.insured_amount = m.insured_by.insured_amount
            m.insured_by.dependants += 1


RELATION_TO_INSURED = {
    ("spouse", "self"): Enrolment.Relation.SPOUSE,
    ("self", "spouse"): Enrolment.Relation.SPOUSE,
    ("child", "self"): Enrolment.Relation.CHILD,
    ("child", "spouse"): Enrolment.Relation.CHILD,
    ("parent", "self"): Enrolment.Relation.PARENT,
    ("parent", "spouse"): Enrolment.Relation.PARENT,
}


def relation_to_insured(member: Member) -> str:
    if member.insured_by is None:
        return Enrolment.Relation.SELF
    key = (member.relation, member.insured_by.relation)
    if key in RELATION_TO_INSURED:
        return RELATION_TO_INSURED[key]
    if member.insured_by.relation == "child" and member.relation in ("self", "spouse"):
        return Enrolment.Relation.PARENT
    return (
        Enrolment.Relation.GRANDPARENT if member.relation == "parent" else Enrolment.Relation.CHILD
    )


def start_reason(m: Member) -> str:
    """Why the open enrolment began, from how it was drawn (加保 and 轉入 causes)."""
    if m.enrolled_on == m.birth_date:
        return Enrolment.StartReason.BIRTH
    if m.insured_by is not None:
        return Enrolment.StartReason.WITH_INSURED
    return {
        1: Enrolment.StartReason.NEW_JOB,
        2: Enrolment.StartReason.JOINED,
        3: Enrolment.StartReason.JOINED,
    }.get(m.category, Enrolment.StartReason.TRANSFER_IN)


def write_cover(
    tables,
    members: list[Member],
    rng: random.Random,
    today: dt.date,
    window_start: dt.date,
    employers: list[int],
) -> None:
    """Enrolment rows (with an earlier job for some), premium bills and payments."""
    enrolments = tables["enrolment"]
    for m in members:
        if m.insured_by is None:
            working_years = max(0.0, m.age_on(today) - 20)
            m.enrolled_from = max(
                m.birth_date, years_ago(today, rng.uniform(0, min(working_years, 20)), rng)
            )
    for m in members:
        if m.insured_by is not None:
            m.enrolled_from = max(m.birth_date, m.insured_by.enrolled_on)
        insured_id = m.insured_by.person_id if m.insured_by else None
        role = Enrolment.Role.DEPENDANT if m.insured_by else Enrolment.Role.INSURED
        status = Enrolment.Status.ACTIVE
        if m.insured_by is None and rng.random() < 0.004:
            status = Enrolment.Status.SUSPENDED  # living abroad (停保)
        if not m.insured_by and m.category == 1 and m.enrolled_on > years_after(m.birth_date, 22):
            # An earlier job, ended the day before this one started.
            earlier = max(
                years_after(m.birth_date, 20),
                m.enrolled_on - dt.timedelta(days=rng.randint(200, 2500)),
            )
            enrolments.add(
                m.person_id,
                role,
                insured_id,
                relation_to_insured(m),
                rng.choice(employers),
                1,
                m.insured_amount,
                earlier,
                m.enrolled_on - dt.timedelta(days=1),
                Enrolment.Status.WITHDRAWN,
                Enrolment.StartReason.NEW_JOB,
                Enrolment.EndReason.LEFT_JOB,
            )
        write_past_job(enrolments, m, employers)
        enrolments.add(
            m.person_id,
            role,
            insured_id,
            relation_to_insured(m),
            m.unit_id,
            m.category,
            m.insured_amount,
            m.enrolled_from,
            None,
            status,
            start_reason(m),
            Enrolment.EndReason.ABROAD if status == Enrolment.Status.SUSPENDED else "",
        )
    for m in members:
        if m.insured_by is None:
            write_premiums(tables, m, rng, today, window_start)


def write_past_job(enrolments, m: Member, employers: list[int]) -> None:
    """A persona's earlier history, drawn from nothing so that their records stay as they were:
    their own job from one age to another (or to today's cover), then, for a dependant, the
    years insured under the insured's earlier job (眷屬隨同加保, then 隨同轉出)."""
    if m.past_job is None:
        return
    from_age, to_age = m.past_job
    start = years_after(m.birth_date, from_age)
    end = years_after(m.birth_date, to_age) if to_age else m.enrolled_on
    unit = employers[(m.person_id + from_age) % len(employers)]
    if start >= end:
        return
    amount = INSURED_AMOUNT_GRADES[min(len(INSURED_AMOUNT_GRADES) - 1, 10 + from_age // 4)]
    enrolments.add(
        m.person_id,
        Enrolment.Role.INSURED,
        None,
        Enrolment.Relation.SELF,
        unit,
        1,
        amount,
        start,
        end - dt.timedelta(days=1),
        Enrolment.Status.WITHDRAWN,
        Enrolment.StartReason.NEW_JOB,
        Enrolment.EndReason.LEFT_JOB,
    )
    insured = m.insured_by
    if insured is None or insured.past_job is None or to_age is None:
        return
    their_start = years_after(insured.birth_date, insured.past_job[0])
    if not (their_start <= end < insured.enrolled_on):
        return
    enrolments.add(
        m.person_id,
        Enrolment.Role.DEPENDANT,
        insured.person_id,
        relation_to_insured(m),
        employers[(insured.person_id + insured.past_job[0]) % len(employers)],
        1,
        INSURED_AMOUNT_GRADES[min(len(INSURED_AMOUNT_GRADES) - 1, 10 + insured.past_job[0] // 4)],
        end,
        insured.enrolled_on - dt.timedelta(days=1),
        Enrolment.Status.WITHDRAWN,
        Enrolment.StartReason.WITH_INSURED,
        Enrolment.EndReason.WITH_INSURED,
    )


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def write_premiums(tables, m: Member, rng, today: dt.date, window_start: dt.date) -> None:
    bills, payments = tables["premiumbill"], tables["premiumpayment"]
    amount = monthly_premium(m.category, m.insured_amount, m.dependants)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    late_payer = rng.random() < 0.03
    method = "payroll" if m.category == 1 else rng.choice(("bank", "bank", "store", "post", "card"))
    for month in month_starts(max(window_start, m.enrolled_on), last_month):
        following = (month + dt.timedelta(days=32)).replace(day=1)
        due = (following + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        bill_id = bills.add(
            m.person_id,
            m.unit_id,
            month,
            m.category,
            m.insured_amount,
            min(m.dependants, MAX_DEPENDANTS_COUNTED),
            amount,
            due,
        )
        if amount and not (
            late_payer and month >= last_month.replace(day=1) - dt.timedelta(days=31)
        ):
            paid_on = following + dt.timedelta(days=rng.randint(4, 24))
            if paid_on <= today:
                payments.add(m.person_id, bill_id, paid_on, amount, method)


def write_cards(
    tables,
    m: Member,
    rng: random.Random,
    today: dt.date,
    ids: Identities,
    valid_number: str | None = None,
    public_key: str = "",
) -> str:
    """One valid card (numbered `valid_number` if given, holding `public_key`); a quarter
    replaced an earlier one. Returns the valid card's number."""
    first_issued = max(
        m.birth_date + dt.timedelta(days=rng.randint(20, 90)),
        IC_CARDS_FROM + dt.timedelta(days=rng.randrange(365)),
    )
    first_issued = min(first_issued, today)
    issues = [(first_issued, CardIssuance.Reason.FIRST)]
    span = (today - first_issued).days
    if span > 400 and rng.random() < 0.25:
        reason = rng.choice(
            (CardIssuance.Reason.LOST, CardIssuance.Reason.DAMAGED, CardIssuance.Reason.PHOTO)
        )
        issues.append((first_issued + dt.timedelta(days=rng.randint(200, span)), reason))
    for n, (issued, reason) in enumerate(issues):
        last = n == len(issues) - 1
        status = (
            NhiCard.Status.VALID
            if last
            else (
                NhiCard.Status.LOST
                if issues[n + 1][1] == CardIssuance.Reason.LOST
                else NhiCard.Status.REPLACED
            )
        )
        number = valid_number if last and valid_number else ids.card_number()
        card_id = tables["nhicard"].add(
            m.person_id, number, issued, status, public_key if last else ""
        )
        channel = rng.choice(("counter", "post", "post", "online"))
        fee = 0 if reason == CardIssuance.Reason.FIRST else 200
        tables["cardissuance"].add(
            m.person_id,
            card_id,
            reason,
            channel,
            issued - dt.timedelta(days=rng.randint(0, 14)),
            issued,
            fee,
        )
    return number
