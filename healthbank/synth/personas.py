"""The named demo personas (README, "Demo personas"): the same people in every database.

Each lives in a household of the most populous synthetic township; their records are generated
like everyone else's, with the conditions and habits that make them worth a look.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from healthbank.synth.population import Member
from healthbank.synth.services import HouseholdPlan


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


def birth_date_for(age: int, today: dt.date) -> dt.date:
    """A birthday in mid-March that makes the persona exactly `age` today."""
    birth = dt.date(today.year - age, 3, 15)
    return birth.replace(year=birth.year - 1) if (3, 15) > (today.month, today.day) else birth


def persona_households(today: dt.date, township: str) -> list[HouseholdPlan]:
    plans = []
    for household in HOUSEHOLDS:
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
            )
            for p in household
        ]
        for member, persona in zip(members, household, strict=True):
            if persona.insured_by_index is not None:
                member.insured_by = members[persona.insured_by_index]
        profiles = [p.profile | {"card_number": p.card_number} for p in household]
        plans.append(HouseholdPlan(members, township, profiles))
    return plans
