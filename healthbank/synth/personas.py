"""The named demo personas (README, "Demo personas"): the same people in every database.

Each household has a fixed number and address in 新北市板橋區 (the most populous synthetic
township), so that the README can list what registering asks for; their records are generated
like everyone else's, with the conditions and habits that make them worth a look.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from healthbank.synth.population import Home, HouseholdPlan, Member


@dataclass(frozen=True)
class Persona:
    national_id: str
    card_number: str
    name: str
    sex: str
    age: int
    relation: str = "self"
    employed: bool | None = True
    conditions: frozenset[str] = frozenset()
    traits: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)
    insured_by_index: int | None = None  # index in the household of whom they depend on
    past_job: tuple[int, int | None] | None = None  # earlier job: from age, to age (or today's)
    story: str = ""


def _profile(**overrides) -> dict:
    return {"dental_regular": False, "dental_rate": 0.5, "tcm_rate": 0.0, "weeks": 0} | overrides


CERTIFICATE_PIN = "123456"  # of every adult persona's citizen certificate card (README)

# The carriers' records for phone-number verification (seed 004, README): number, subscriber,
# plan, holder. Only the first two pass: 黃冠宇's is prepaid, 0912000008 is 王建志's (not
# 張淑芬's, who uses it), 李建宏's is a company number.
MOBILE_SUBSCRIPTIONS = (
    ("0912000001", "A123456789", "monthly", "person"),
    ("0912000003", "F223456786", "monthly", "person"),
    ("0912000007", "B123456780", "prepaid", "person"),
    ("0912000008", "F123456784", "monthly", "person"),
    ("0912000009", "", "monthly", "company"),
)

# Whose mobile number on file is the one the carrier has in their name.
OWN_MOBILES = {
    national_id: number for number, national_id, _, _ in MOBILE_SUBSCRIPTIONS if national_id
}

# national IDs and card numbers below all pass their checks; the README lists them.
HOUSEHOLDS: tuple[tuple[Persona, ...], ...] = (
    (
        Persona(
            "A123456789",
            "000090000001",
            "陳志明",
            "M",
            60,
            conditions=frozenset({"hypertension", "dyslipidaemia"}),
            profile=_profile(dental_regular=True, weeks=12, refills=True),
            past_job=(24, None),
            story="60, hypertension and dyslipidaemia on chronic refill prescriptions",
        ),
        Persona(
            "A223456781",
            "000090000002",
            "陳林秀英",
            "F",
            58,
            relation="spouse",
            employed=False,
            profile=_profile(tcm_rate=3.0),
            past_job=(22, 30),
            story="his wife, insured as his dependant",
        ),
    ),
    (
        Persona(
            "F223456786",
            "000090000003",
            "林雅婷",
            "F",
            38,
            profile=_profile(dental_regular=True),
            story="38, mother of two children under 15 who are insured under her",
        ),
        Persona(
            "F123456784",
            "000090000004",
            "王建志",
            "M",
            40,
            relation="spouse",
            profile=_profile(),
            story="her husband",
        ),
        Persona(
            "F224681354",
            "000090000005",
            "王品妤",
            "F",
            9,
            relation="child",
            employed=False,
            insured_by_index=0,
            profile=_profile(dental_regular=True),
            story="their daughter, 9",
        ),
        Persona(
            "F135792464",
            "000090000006",
            "王宥辰",
            "M",
            5,
            relation="child",
            employed=False,
            insured_by_index=0,
            profile=_profile(),
            story="their son, 5",
        ),
    ),
    (
        Persona(
            "B123456780",
            "000090000007",
            "黃冠宇",
            "M",
            24,
            profile=_profile(dental_regular=True, dental_rate=4.0),
            story="24, sees the dentist often",
        ),
    ),
    (
        Persona(
            "E223456785",
            "000090000008",
            "張淑芬",
            "F",
            67,
            employed=False,
            conditions=frozenset({"ckd", "diabetes", "hypertension"}),
            traits={"egfr_start": 52.0, "egfr_fall": 4.5, "acr_start": 120.0, "acr_rise": 1.5},
            profile=_profile(weeks=12, refills=True),
            story="67, chronic kidney disease with three years of eGFR and ACR results",
        ),
    ),
    (
        Persona(
            "H123456786",
            "000090000009",
            "李建宏",
            "M",
            52,
            conditions=frozenset({"hepatitis_b"}),
            traits={"hbv": True, "hbeag_positive": True, "alt_base": 68.0},
            profile=_profile(),
            story="52, chronic hepatitis B carrier with ALT and HBeAg results",
        ),
    ),
    (
        Persona(
            "K223456780",
            "000090000010",
            "吳怡君",
            "F",
            29,
            profile=_profile(no_records=True),
            story="29, insured but has no medical records",
        ),
    ),
)


# Each household's number (戶號) and registered address in 新北市板橋區, in HOUSEHOLDS' order.
HOMES: tuple[Home, ...] = (
    Home("F0900001", "65000010104", 5, "文化路一段88號"),  # 文化里
    Home("F0900002", "65000010105", 12, "新海路120號"),  # 新海里
    Home("F0900003", "65000010092", 3, "中山路一段161號"),  # 中山里
    Home("F0900004", "65000010109", 8, "民生路二段45號"),  # 民生里
    Home("F0900005", "65000010080", 15, "重慶路210號"),  # 重慶里
    Home("F0900006", "65000010125", 7, "大觀路一段33號"),  # 大觀里
)


def birth_date_for(age: int, today: dt.date) -> dt.date:
    """A birthday in mid-March that makes the persona exactly `age` today."""
    birth = dt.date(today.year - age, 3, 15)
    return birth.replace(year=birth.year - 1) if (3, 15) > (today.month, today.day) else birth


def persona_households(today: dt.date) -> list[HouseholdPlan]:
    plans = []
    for household, home in zip(HOUSEHOLDS, HOMES, strict=True):
        members = [
            Member(
                p.sex,
                birth_date_for(p.age, today),
                p.relation,
                name=p.name,
                national_id=p.national_id,
                employed=p.employed,
                conditions=set(p.conditions),
                traits=dict(p.traits),
                past_job=p.past_job,
            )
            for p in household
        ]
        for member, persona in zip(members, household, strict=True):
            if persona.insured_by_index is not None:
                member.insured_by = members[persona.insured_by_index]
        profiles = [p.profile | {"card_number": p.card_number} for p in household]
        for profile, persona in zip(profiles, household, strict=True):
            if persona.national_id in OWN_MOBILES:
                profile["mobile"] = OWN_MOBILES[persona.national_id]
        plans.append(HouseholdPlan(members, home.town, profiles, home))
    return plans
