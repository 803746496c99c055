"""Seeding a synthetic population: `seed_population(...)` is the one entry point."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.utils import timezone

from healthbank.external import cardreader
from healthbank.people import models as people
from healthbank.people.loading import synthetic_townships, township_weights
from healthbank.records import models as records
from healthbank.synth import catalogue as cat
from healthbank.synth.bank import add_bank_accounts
from healthbank.synth.billing import add_billing
from healthbank.synth.care import CareGenerator, Codes, own_entries
from healthbank.synth.eservices import add_eservice_records
from healthbank.synth.facilities import add_emergency_loads, add_facilities
from healthbank.synth.labs import Physiology
from healthbank.synth.network import build_network
from healthbank.synth.population import (
    Home,
    HouseholdPlan,
    Identities,
    Member,
    assign_cover,
    contact_for,
    household_shape,
    name_for,
    write_cards,
    write_cover,
)
from healthbank.synth.streets import street_address
from healthbank.synth.virtual_cards import add_accepting_sites, add_persona_virtual_cards
from healthbank.synth.writer import open_table, reset_sequences, write

# Tables in the order they are written (parents first), with their columns.
COLUMNS = {
    "household": (people.Household, "number village_id neighbourhood street_address head_id"),
    "person": (
        people.Person,
        "national_id name sex birth_date email mobile phone household_id created_at",
    ),
    "enrolment": (
        people.Enrolment,
        "person_id role insured_person_id relation unit_id category "
        "insured_amount start_date end_date status start_reason end_reason",
    ),
    "nhicard": (people.NhiCard, "person_id number issued_on status public_key"),
    "cardissuance": (
        people.CardIssuance,
        "person_id card_id reason channel applied_on issued_on fee",
    ),
    "premiumbill": (
        people.PremiumBill,
        "person_id unit_id month category insured_amount dependants amount due_date",
    ),
    "premiumpayment": (people.PremiumPayment, "person_id bill_id paid_on amount method"),
    "visit": (
        records.Visit,
        "person_id provider_id source_id kind visit_date discharge_date "
        "department_id primary_diagnosis_id copayment points card_sequence "
        "chronic_refill refill_number",
    ),
    "visitdiagnosis": (records.VisitDiagnosis, "visit_id person_id diagnosis_id rank"),
    "drugorder": (records.DrugOrder, "visit_id person_id drug_id days quantity frequency"),
    "serviceorder": (records.ServiceOrder, "visit_id person_id service_id quantity tooth_id"),
    "surgery": (records.Surgery, "visit_id person_id service_id body_site_id performed_on"),
    "labresult": (
        records.LabResult,
        "person_id provider_id source_id visit_id item_id collected_on value value_text flag",
    ),
    "imagingreport": (
        records.ImagingReport,
        "person_id provider_id source_id visit_id kind service_id body_site_id "
        "examined_on findings impression",
    ),
    "dischargesummary": (
        records.DischargeSummary,
        "person_id provider_id source_id visit_id admitted_on discharged_on "
        "chief_complaint diagnoses course procedures discharge_plan",
    ),
    "allergy": (
        records.Allergy,
        "person_id provider_id source_id recorded_on substance drug_id reaction physician",
    ),
    "vaccination": (
        records.Vaccination,
        "person_id provider_id source_id vaccine_id given_on lot_number",
    ),
    "preventivecheck": (
        records.PreventiveCheck,
        "person_id provider_id source_id checked_on height_cm weight_kg bmi "
        "waist_cm systolic diastolic blood_pressure_result total_cholesterol "
        "triglycerides hdl ldl lipid_result fasting_glucose glucose_result bun "
        "creatinine egfr kidney_result urine_protein metabolic_syndrome_result "
        "ast alt liver_result hbsag anti_hcv",
    ),
    "carewish": (
        records.CareWish,
        "person_id provider_id source_id kind signed_on noted_on revoked_on",
    ),
    "measurement": (records.Measurement, "person_id kind value measured_at"),
    "calendarevent": (records.CalendarEvent, "person_id title date time note"),
}
# How many street names the personas' homes once were drawn from (see Seeder.home).
PERSONA_STREET_NAMES = 109
RECORD_YEARS = 3  # records cover the last three years (seed 000, "近三年")


@dataclass
class SeedReport:
    people: int
    households: int
    rows: int
    seconds: float
    rows_by_table: dict[str, int]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class Seeder:
    def __init__(self, seed: int, today: dt.date):
        self.seed = seed
        self.today = today
        self.window_start = today.replace(year=today.year - RECORD_YEARS) + dt.timedelta(days=1)
        self.townships = synthetic_townships()
        weights = township_weights()
        self.weights = [weights.get(code, 1) for code in self.townships]
        self.villages: dict[str, list[str]] = {}
        for code, town in people.Village.objects.values_list("code", "township_id"):
            self.villages.setdefault(town, []).append(code)
        self.county_of = dict(
            people.Township.objects.filter(code__in=self.townships).values_list("code", "county_id")
        )
        self.letters = dict(people.County.objects.values_list("code", "letter"))
        self.network = build_network(self.townships, seed)
        self.codes = Codes.load()
        self.tables = {
            name: open_table(model, cols.split()) for name, (model, cols) in COLUMNS.items()
        }
        self.ids = Identities(
            set(people.Person.objects.values_list("national_id", flat=True)),
            set(people.Household.objects.values_list("number", flat=True)),
            int(
                people.NhiCard.objects.order_by("-number").values_list("number", flat=True).first()
                or 10**7
            ),
        )
        self.care = CareGenerator(self.tables, self.codes, self.network, today, self.window_start)
        self.created_at = timezone.now()
        self.written: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self.card_files: list[tuple[cardreader.CardData, ec.EllipticCurvePrivateKey]] = []

    def pending(self) -> int:
        return sum(len(t.rows) for t in self.tables.values())

    def flush(self) -> None:
        for name, table in self.tables.items():
            self.written[name] += len(table.rows)
        with transaction.atomic():
            write(self.tables.values())
        cardreader.write_nhi_cards(self.card_files)  # the virtual cards the card agent serves
        self.card_files.clear()

    def random_household(self, index: int) -> HouseholdPlan:
        rng = random.Random(f"{self.seed}:household:{index}")
        members = household_shape(rng, self.today)
        town = rng.choices(self.townships, weights=self.weights)[0]
        for m in members:
            m.conditions = chronic_conditions(m, rng, self.today)
        profiles = [random_profile(m, rng, self.today) for m in members]
        return HouseholdPlan(members, town, profiles)

    def home(self, plan: HouseholdPlan, rng: random.Random) -> Home:
        """The plan's household number and address, or new ones in its township."""
        if plan.home:
            # Draw what a drawn home took before the personas' homes were fixed, so that
            # their records stay those the README and the tests describe.
            for stop in (10**7, len(self.villages[plan.town]), 30, PERSONA_STREET_NAMES, 5, 300):
                rng.randrange(stop)
            home = plan.home
        else:
            home = Home(
                self.ids.household_number(rng, self.letters[self.county_of[plan.town]]),
                rng.choice(self.villages[plan.town]),
                rng.randint(1, 30),
                street_address(rng, plan.town),
            )
        self.ids.taken_households.add(home.number)
        return home

    def household(self, plan: HouseholdPlan, rng: random.Random) -> None:
        members, town = plan.members, plan.town
        county = self.county_of[town]
        letter = self.letters[county]
        surname = None
        persons = self.tables["person"]
        home = self.home(plan, rng)
        household_id = self.tables["household"].add(
            home.number, home.village, home.neighbourhood, home.street_address, persons.next_id
        )
        father = next(
            (m for m in members if m.relation in ("self", "spouse") and m.sex == "M"), None
        )
        for m, profile in zip(members, plan.profiles, strict=True):
            if not m.name:
                if m.relation == "self":
                    m.name = name_for(rng, m.sex)
                    surname = m.name[0]
                elif m.relation == "child" and father and father.name:
                    m.name = name_for(rng, m.sex, father.name[0])
                elif m.relation == "parent" and m.sex == "M":
                    m.name = name_for(rng, m.sex, surname)
                else:
                    m.name = name_for(rng, m.sex)
            if not m.national_id:
                id_letter = (
                    letter if rng.random() < 0.8 else rng.choice("ABCDEFGHJKLMNPQRSTUVXYWZIO")
                )
                m.national_id = self.ids.national_id(rng, id_letter, m.sex)
            else:
                self.ids.taken_ids.add(m.national_id)
            email, mobile, phone = contact_for(rng, m, self.today)
            mobile = profile.get("mobile", mobile)  # a persona's: the carrier's record
            m.person_id = persons.add(
                m.national_id,
                m.name,
                m.sex,
                m.birth_date,
                email,
                mobile,
                phone,
                household_id,
                self.created_at,
            )
        assign_cover(members, rng, self.today, town, self.network)
        write_cover(
            self.tables, members, rng, self.today, self.window_start, self.network.employers[town]
        )
        for m, profile in zip(members, plan.profiles, strict=True):
            key = cardreader.new_key()
            number = write_cards(
                self.tables,
                m,
                rng,
                self.today,
                self.ids,
                profile.get("card_number"),
                cardreader.public_pem(key),
            )
            self.card_files.append(
                (
                    cardreader.CardData(
                        number, m.national_id, m.name, m.birth_date.isoformat(), m.sex
                    ),
                    key,
                )
            )
            self.care.person(
                m,
                rng,
                town,
                county,
                dental_regular=profile["dental_regular"],
                dental_rate=profile["dental_rate"],
                tcm_rate=profile["tcm_rate"],
                no_records=profile.get("no_records", False),
                refills=profile.get("refills", False),
            )
            if profile.get("weeks"):
                body = Physiology(
                    m.sex, m.birth_date, frozenset(m.conditions), rng, self.today, m.traits
                )
                own_entries(self.tables, m, body, rng, self.today, profile["weeks"])


def chronic_conditions(m: Member, rng: random.Random, today: dt.date) -> set[str]:
    """Chronic conditions by age-specific prevalence; diabetes raises the others' odds."""
    age = m.age_on(today)
    found: set[str] = set()
    for condition in cat.CHRONIC:
        if condition.sex and condition.sex != m.sex:
            continue
        share = 0.0
        for min_age, value in condition.prevalence:
            if age >= min_age:
                share = value
        if "diabetes" in found and condition.key in ("hypertension", "dyslipidaemia", "ckd"):
            share = min(0.9, share * 1.8)
        if rng.random() < share:
            found.add(condition.key)
    return found


def random_profile(m: Member, rng: random.Random, today: dt.date) -> dict[str, Any]:
    age = m.age_on(today)
    regular = rng.random() < (0.45 if 18 <= age < 70 else 0.25 if age >= 12 else 0.0)
    chronic_home = {"hypertension", "diabetes"} & m.conditions and age >= 20
    return {
        "dental_regular": regular,
        "dental_rate": 1.0 if regular else 0.5,
        "tcm_rate": rng.uniform(1, 6) if rng.random() < 0.25 else 0.0,
        "weeks": 12 if chronic_home and rng.random() < 0.08 else 0,
    }


def issue_persona_certificates(today: dt.date) -> None:
    """Adult personas hold a citizen digital certificate card from the test CA."""
    from healthbank.external import moica
    from healthbank.synth.personas import CERTIFICATE_PIN, HOUSEHOLDS

    for persona in (p for household in HOUSEHOLDS for p in household if p.age >= 18):
        if not cardreader.has_certificate(persona.national_id):
            moica.issue_certificate(
                national_id=persona.national_id, name=persona.name, pin=CERTIFICATE_PIN
            )


def add_persona_subscriptions() -> None:
    """The personas' mobile numbers, as the embedded telecom default's carrier records."""
    from healthbank.external.models import MobileSubscription
    from healthbank.synth.personas import MOBILE_SUBSCRIPTIONS

    for number, national_id, plan, holder in MOBILE_SUBSCRIPTIONS:
        MobileSubscription.objects.get_or_create(
            number=number,
            defaults={
                "national_id": national_id,
                "plan": plan,
                "holder": holder,
                "carrier": "中華電信",
            },
        )


def add_persona_sandbox() -> None:
    """The personas on the sandbox list: the people a developer's sandbox app may be granted
    access by (fhir.models.SandboxPerson)."""
    from healthbank.fhir.services import add_to_sandbox
    from healthbank.synth.personas import HOUSEHOLDS

    ids = [persona.national_id for household in HOUSEHOLDS for persona in household]
    add_to_sandbox(list(people.Person.objects.filter(national_id__in=ids)))


def seed_population(
    *,
    people_count: int,
    seed: int,
    today: dt.date | None = None,
    with_personas: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Add `people_count` synthetic people, and the personas once, with 3 years of records."""
    from healthbank.synth.personas import HOMES, persona_households

    started = time.perf_counter()
    seeder = Seeder(seed, today or timezone.localdate())
    # The personas' household numbers are theirs even in a population seeded without them.
    seeder.ids.taken_households.update(home.number for home in HOMES)
    made = households = 0
    if with_personas:
        for plan in persona_households(seeder.today):
            if not people.Person.objects.filter(national_id=plan.members[0].national_id).exists():
                seeder.household(
                    plan, random.Random(f"{seed}:persona:{plan.members[0].national_id}")
                )
                households += 1
    index = 0
    while made < people_count:
        plan = seeder.random_household(index)
        plan.members = plan.members[: people_count - made]
        plan.profiles = plan.profiles[: len(plan.members)]
        seeder.household(plan, random.Random(f"{seed}:household:{index}:records"))
        made += len(plan.members)
        households += 1
        index += 1
        if seeder.pending() > 400_000 or made >= people_count:
            seeder.flush()
            if progress:
                rows = sum(seeder.written.values())
                elapsed = time.perf_counter() - started
                progress(f"{made:,}/{people_count:,} people, {rows:,} rows, {elapsed:.1f} s")
    seeder.flush()
    reset_sequences(model for model, _ in COLUMNS.values())
    if with_personas:
        issue_persona_certificates(seeder.today)
        add_persona_subscriptions()
        add_persona_virtual_cards()
        add_persona_sandbox()
    add_accepting_sites(seed)
    add_facilities(seed)  # 院所查詢: places, sessions, emergency levels
    add_emergency_loads(seed)
    add_billing(seed, seeder.today, seeder.created_at)
    add_bank_accounts(seed, seeder.today, seeder.created_at)  # after billing: who owes what
    add_eservice_records(seed, seeder.today, seeder.created_at)
    seconds = time.perf_counter() - started
    return SeedReport(
        people=made,
        households=households,
        rows=sum(seeder.written.values()),
        seconds=seconds,
        rows_by_table=dict(seeder.written),
    )
