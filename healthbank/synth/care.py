"""The care a synthetic person receives over the record window, written as record rows.

Chronic patients see their clinic every 84 days and collect two chronic-refill fills at
a pharmacy in between (28 days each), with the tests their condition calls for; acute
illnesses come as a Poisson process whose rate rises with age; regular dental patients
have their teeth scaled about every six months; admissions bring surgeries, imaging and
a discharge summary; children are vaccinated on Taiwan's schedule for their birth year.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from healthbank.codes.models import Diagnosis, Drug, LabItem, Service
from healthbank.records.models import (
    CareWish,
    CheckResult,
    Measurement,
    Provider,
    Serology,
    Visit,
)
from healthbank.synth import catalogue as cat
from healthbank.synth.labs import POSITIVE, Physiology
from healthbank.synth.network import Network
from healthbank.synth.population import Member, name_for, years_after

Kind = Provider.Kind
REFILL_CYCLE = 28  # days a chronic-refill fill lasts; three fills make a cycle
ALLERGY_DATA_FROM = dt.date(2015, 1, 1)  # allergy uploads began in 2015 (seed 000)
VACCINATION_DATA_FROM = dt.date(2003, 1, 1)  # CDC's registry holds doses from 2003
ORGAN_WISH_FROM = dt.date(2004, 11, 1)
HOSPICE_WISH_FROM = dt.date(2006, 9, 1)
# Copayment of an outpatient visit by where it happens (部分負擔, without referral).
COPAYMENT: dict[str, int] = {
    Kind.MEDICAL_CENTRE: 420,
    Kind.REGIONAL_HOSPITAL: 240,
    Kind.DISTRICT_HOSPITAL: 80,
    Kind.CLINIC: 50,
    Kind.DENTAL_CLINIC: 50,
    Kind.TCM_CLINIC: 50,
    Kind.HEALTH_STATION: 50,
    Kind.PHARMACY: 0,
}
FREQUENCY = {1: "QD", 2: "BID", 3: "TID", 4: "QID"}
TAIPEI = ZoneInfo("Asia/Taipei")


def acute_rate(age: int) -> float:
    """Western-medicine illness visits a year at this age."""
    for limit, rate in ((6, 14.0), (14, 8.0), (24, 5.0), (44, 5.5), (64, 6.5), (74, 8.0)):
        if age <= limit:
            return rate
    return 9.0


def admission_rate(age: int) -> float:
    for limit, rate in ((14, 0.04), (44, 0.04), (64, 0.07), (74, 0.13)):
        if age <= limit:
            return rate
    return 0.25


def drug_price(code: str) -> float:
    """NHI points per unit of a drug: synthetic, but stable for the code."""
    return 1.5 + (zlib.crc32(code.encode()) % 2000) / 100


@dataclass
class Codes:
    """Code-table facts the generator needs, read once."""

    service_points: dict[str, int]
    drug_names: dict[str, str]
    diagnosis_names: dict[str, str]
    lab_kind: dict[str, str]  # lab key -> numeric / qualitative
    lab_range: dict[str, tuple[float | None, float | None]]
    imaging: dict[str, cat.ImagingExam]

    @classmethod
    def load(cls) -> Codes:
        items = {i.code: i for i in LabItem.objects.all()}
        return cls(
            service_points=dict(Service.objects.values_list("code", "points")),
            drug_names=dict(Drug.objects.values_list("code", "name_en")),
            diagnosis_names=dict(Diagnosis.objects.values_list("code", "name_zh")),
            lab_kind={key: items[code].kind for key, code in cat.LABS.items()},
            lab_range={
                key: (_float(items[code].reference_low), _float(items[code].reference_high))
                for key, code in cat.LABS.items()
            },
            imaging={exam.key: exam for exam in cat.IMAGING},
        )


def _float(value) -> float | None:
    return None if value is None else float(value)


@dataclass
class VisitPlan:
    """One visit, planned before it is written (visits are numbered on the card by date)."""

    date: dt.date
    kind: str
    provider: int
    provider_kind: str
    department: str
    diagnoses: tuple[str, ...]
    drugs: list[tuple[str, int, float, str]] = field(default_factory=list)  # code, days, qty, freq
    services: list[tuple[str, float, str | None]] = field(default_factory=list)  # code, qty, tooth
    chronic_refill: bool = False
    refill_number: int | None = None
    refill_of: VisitPlan | None = None
    discharge: dt.date | None = None
    labs: tuple[str, ...] = ()
    imaging: tuple[str, ...] = ()
    admission: cat.Admission | None = None
    card_sequence: str = ""


class CareGenerator:
    """Writes one person's records into the pending tables."""

    def __init__(
        self, tables, codes: Codes, network: Network, today: dt.date, window_start: dt.date
    ):
        self.t = tables
        self.codes = codes
        self.network = network
        self.today = today
        self.window_start = window_start

    # --- choosing places -------------------------------------------------------------

    def place(self, rng: random.Random, town: str, kind: str) -> int:
        return rng.choice(self.network.providers[town][kind])

    def hospital(self, rng: random.Random, county: str, kinds=None) -> tuple[int, str]:
        options = self.network.hospitals[county]
        if kinds:
            options = [h for h in options if h[1] in kinds] or options
        return rng.choice(options)

    # --- the person ------------------------------------------------------------------

    def person(
        self,
        m: Member,
        rng: random.Random,
        town: str,
        county: str,
        *,
        dental_regular: bool,
        dental_rate: float,
        tcm_rate: float,
        no_records: bool = False,
        refills: bool = False,
    ) -> None:
        if no_records:
            return
        body = Physiology(m.sex, m.birth_date, frozenset(m.conditions), rng, self.today, m.traits)
        start = max(self.window_start, m.birth_date)
        plans: list[VisitPlan] = []
        home_clinic = self.place(rng, town, Kind.CLINIC)
        for condition in cat.CHRONIC:
            if condition.key in m.conditions:
                plans += self.chronic(condition, m, rng, town, county, start, refills)
        plans += self.acute(m, rng, town, county, start, home_clinic)
        plans += self.dental(m, rng, town, start, dental_regular, dental_rate)
        plans += self.tcm(m, rng, town, start, tcm_rate)
        plans += self.admissions(m, rng, county, start)
        plans.sort(key=lambda p: (p.date, p.refill_number or 0))
        self.write_visits(m, plans, body, rng)
        self.vaccinations(m, rng, town)
        self.preventive_checks(m, body, rng, town)
        self.allergies(m, rng, home_clinic)
        self.wishes(m, rng)

    # --- visits ----------------------------------------------------------------------

    def chronic(
        self, condition: cat.ChronicCondition, m: Member, rng, town, county, start, refills: bool
    ):
        regimen = rng.choice(condition.regimens) if condition.regimens else ()
        if condition.key in ("ckd", "hepatitis_b") or rng.random() < 0.25:
            provider, kind = self.hospital(rng, county)
        else:
            provider, kind = self.place(rng, town, Kind.CLINIC), Kind.CLINIC
        pharmacy = self.place(rng, town, Kind.PHARMACY)
        uses_refills = bool(regimen) and (refills or rng.random() < 0.75)
        cycle = 3 * REFILL_CYCLE if uses_refills else (REFILL_CYCLE if regimen else 182)
        day = start + dt.timedelta(days=rng.randrange(cycle))
        last_lab = dt.date.min
        plans = []
        while day <= self.today:
            labs: tuple[str, ...] = ()
            if (day - last_lab).days >= condition.lab_interval_months * 30 - 10:
                labs, last_lab = condition.labs, day
            fee = (
                cat.CHRONIC_CONSULTATION_FEE
                if uses_refills and kind == Kind.CLINIC
                else cat.CONSULTATION_FEES[kind]
            )
            doctor = VisitPlan(
                day,
                Visit.Kind.WESTERN,
                provider,
                kind,
                condition.department,
                self.diagnoses(condition.diagnoses, rng),
                services=[(fee, 1, None)],
                chronic_refill=uses_refills,
                refill_number=1 if uses_refills else None,
                labs=labs,
            )
            doctor.drugs = [self.daily_order(code, REFILL_CYCLE) for code in regimen]
            if condition.key == "hepatitis_b" and labs:
                doctor.imaging = (cat.LIVER_ULTRASOUND,)
            plans.append(doctor)
            if uses_refills:
                for number in (2, 3):
                    fill_day = day + dt.timedelta(
                        days=REFILL_CYCLE * (number - 1) + rng.randint(-3, 2)
                    )
                    if fill_day > self.today:
                        break
                    plans.append(
                        VisitPlan(
                            fill_day,
                            Visit.Kind.PHARMACY,
                            pharmacy,
                            Kind.PHARMACY,
                            condition.department,
                            doctor.diagnoses,
                            drugs=list(doctor.drugs),
                            services=[(cat.CHRONIC_DISPENSING_FEE, 1, None)],
                            chronic_refill=True,
                            refill_number=number,
                            refill_of=doctor,
                        )
                    )
            day += dt.timedelta(days=cycle + rng.randint(-2, 3))
        return plans

    def daily_order(self, code: str, days: int) -> tuple[str, int, float, str]:
        per_day = cat.DAILY_UNITS.get(code, 1)
        return code, days, round(per_day * days, 2), FREQUENCY.get(int(per_day), "QD")

    def diagnoses(self, codes: tuple[str, ...], rng) -> tuple[str, ...]:
        extra = [c for c in codes[1:] if rng.random() < 0.3]
        return (codes[0], *extra)

    def poisson_days(self, rng, start: dt.date, rate_for) -> list[dt.date]:
        days: list[dt.date] = []
        day = start
        while True:
            rate = rate_for(day)
            if rate <= 0:
                return days
            day += dt.timedelta(days=max(1, int(rng.expovariate(rate / 365.25))))
            if day > self.today:
                return days
            days.append(day)

    def illness_visit(
        self, illness: cat.AcuteIllness, day, provider, kind, rng, age: int
    ) -> VisitPlan:
        plan = VisitPlan(
            day,
            illness.kind,
            provider,
            kind,
            illness.department,
            self.diagnoses(illness.diagnoses, rng),
            services=[(cat.CONSULTATION_FEES[kind], 1, None)],
        )
        if illness.drugs:
            days = rng.randint(*illness.days)
            for code in rng.sample(illness.drugs, k=min(len(illness.drugs), rng.randint(1, 4))):
                per_day = 1 if illness.kind == "tcm" else rng.choice((1, 2, 3, 3, 3))
                if illness.kind == "tcm":
                    per_day = rng.choice((3, 4, 6))
                plan.drugs.append(
                    (code, days, float(per_day * days), FREQUENCY.get(per_day, "TID"))
                )
        for code in illness.services:
            if rng.random() < 0.5 or illness.tooth:
                tooth = self.tooth(rng, age) if illness.tooth else None
                plan.services.append((code, 1, tooth))
        return plan

    def tooth(self, rng, age: int) -> str:
        # Children under 12 still have primary teeth (51-85), mostly.
        if age < 12 and rng.random() < 0.8:
            return f"{rng.randint(5, 8)}{rng.randint(1, 5)}"
        return f"{rng.randint(1, 4)}{rng.randint(1, 8)}"

    def pick(self, options, rng, age: int, sex: str):
        fits = [o for o in options if o.ages[0] <= age <= o.ages[1] and o.sex in ("", sex)]
        return rng.choices(fits, weights=[o.weight for o in fits])[0] if fits else None

    def acute(self, m: Member, rng, town, county, start, home_clinic):
        western = [a for a in cat.ACUTE if a.kind == "western"]
        plans = []
        for day in self.poisson_days(rng, start, lambda d: acute_rate(m.age_on(d))):
            illness = self.pick(western, rng, m.age_on(day), m.sex)
            if illness is None:
                continue
            if rng.random() < 0.1:
                provider, kind = self.hospital(rng, county)
            else:
                provider = home_clinic if rng.random() < 0.6 else self.place(rng, town, Kind.CLINIC)
                kind = Kind.CLINIC
            plans.append(self.illness_visit(illness, day, provider, kind, rng, m.age_on(day)))
        return plans

    def dental(self, m: Member, rng, town, start, regular: bool, rate: float):
        dental = [a for a in cat.ACUTE if a.kind == "dental"]
        clinic = self.place(rng, town, Kind.DENTAL_CLINIC)
        plans = []
        if regular:
            icd, service = cat.DENTAL_SCALING
            day = start + dt.timedelta(days=rng.randrange(180))
            while day <= self.today:
                if m.age_on(day) >= 13:
                    plans.append(
                        VisitPlan(
                            day,
                            Visit.Kind.DENTAL,
                            clinic,
                            Kind.DENTAL_CLINIC,
                            dental[0].department,
                            (icd,),
                            services=[
                                (cat.CONSULTATION_FEES[Kind.DENTAL_CLINIC], 1, None),
                                (service, 1, None),
                            ],
                        )
                    )
                day += dt.timedelta(days=180 + rng.randint(0, 30))
        for day in self.poisson_days(rng, start, lambda d: rate if m.age_on(d) >= 2 else 0.0):
            illness = self.pick(dental, rng, m.age_on(day), m.sex)
            if illness:
                plans.append(
                    self.illness_visit(illness, day, clinic, Kind.DENTAL_CLINIC, rng, m.age_on(day))
                )
        return plans

    def tcm(self, m: Member, rng, town, start, rate: float):
        if rate <= 0:
            return []
        options = [a for a in cat.ACUTE if a.kind == "tcm"]
        clinic = self.place(rng, town, Kind.TCM_CLINIC)
        plans = []
        for day in self.poisson_days(rng, start, lambda d: rate):
            illness = self.pick(options, rng, m.age_on(day), m.sex)
            if illness:
                plans.append(
                    self.illness_visit(illness, day, clinic, Kind.TCM_CLINIC, rng, m.age_on(day))
                )
        return plans

    def admissions(self, m: Member, rng, county, start):
        plans = []
        for day in self.poisson_days(rng, start, lambda d: admission_rate(m.age_on(d))):
            admission = self.pick(cat.ADMISSIONS, rng, m.age_on(day), m.sex)
            if admission is None:
                continue
            provider, kind = self.hospital(rng, county)
            stay = rng.randint(*admission.stay_days)
            discharge = min(day + dt.timedelta(days=stay), self.today)
            plan = VisitPlan(
                day,
                Visit.Kind.INPATIENT,
                provider,
                kind,
                admission.department,
                self.diagnoses(admission.diagnoses, rng),
                discharge=discharge,
                imaging=admission.imaging,
                admission=admission,
            )
            nights = max(1, (discharge - day).days)
            plan.services.append((cat.WARD_FEES[kind], nights, None))
            plan.drugs = [self.daily_order(code, 7) for code in admission.drugs]
            plans.append(plan)
        return plans

    def write_visits(self, m: Member, plans: list[VisitPlan], body: Physiology, rng) -> None:
        visits, t = self.t["visit"], self.t
        sequence: dict[int, int] = {}
        for plan in plans:
            if plan.refill_of is not None:
                plan.card_sequence = plan.refill_of.card_sequence
            elif plan.kind == Visit.Kind.INPATIENT:
                plan.card_sequence = "IC01"
            else:
                sequence[plan.date.year] = sequence.get(plan.date.year, 0) + 1
                plan.card_sequence = f"{sequence[plan.date.year]:04d}"
            drug_points = sum(qty * drug_price(code) for code, _, qty, _ in plan.drugs)
            points = round(
                drug_points
                + sum(
                    self.codes.service_points.get(code, 0) * qty for code, qty, _ in plan.services
                )
            )
            surgery = plan.admission.surgery if plan.admission else ""
            if surgery:
                points += self.codes.service_points.get(surgery, 0)
            if plan.kind == Visit.Kind.INPATIENT:
                copayment = round(points * 0.1)
            elif plan.chronic_refill:
                copayment = 0
            else:
                copayment = COPAYMENT[plan.provider_kind] + (
                    min(200, round(drug_points * 0.2 / 10) * 10) if drug_points > 100 else 0
                )
            visit_id = visits.next_id
            visits.add(
                m.person_id,
                plan.provider,
                f"V{visit_id}",
                plan.kind,
                plan.date,
                plan.discharge,
                plan.department,
                plan.diagnoses[0],
                copayment,
                points,
                plan.card_sequence,
                plan.chronic_refill,
                plan.refill_number,
            )
            for rank, code in enumerate(plan.diagnoses, start=1):
                t["visitdiagnosis"].add(visit_id, m.person_id, code, rank)
            for code, days, qty, freq in plan.drugs:
                t["drugorder"].add(visit_id, m.person_id, code, days, qty, freq)
            for code, qty, tooth in plan.services:
                t["serviceorder"].add(visit_id, m.person_id, code, qty, tooth)
            if surgery and plan.admission and plan.discharge:  # a surgery is an admission's
                operated = plan.date + dt.timedelta(days=min(1, (plan.discharge - plan.date).days))
                t["surgery"].add(visit_id, m.person_id, surgery, plan.admission.body_site, operated)
            for key in plan.labs:
                self.lab(m, body, key, plan.date, plan.provider, visit_id)
            for key in plan.imaging:
                self.report(m, key, plan.date, plan.provider, visit_id)
            if plan.admission:
                self.discharge_summary(m, plan, visit_id)

    def lab(self, m: Member, body: Physiology, key: str, day, provider, visit_id) -> None:
        number, text = body.value(key, day)
        low, high = self.codes.lab_range[key]
        flag = ""
        if self.codes.lab_kind[key] == "qualitative" or number is None:
            number = None
            flag = "A" if text in (POSITIVE, "+", "2+", "3+") else ""
        elif high is not None and number > high:
            flag = "H"
        elif low is not None and number < low:
            flag = "L"
        table = self.t["labresult"]
        table.add(
            m.person_id,
            provider,
            f"L{table.next_id}",
            visit_id,
            cat.LABS[key],
            day,
            number,
            text,
            flag,
        )

    def report(self, m: Member, key: str, day, provider, visit_id) -> None:
        exam = self.codes.imaging[key]
        table = self.t["imagingreport"]
        table.add(
            m.person_id,
            provider,
            f"R{table.next_id}",
            visit_id,
            exam.kind,
            exam.service,
            exam.body_site,
            day,
            exam.findings,
            exam.impression,
        )

    def discharge_summary(self, m: Member, plan: VisitPlan, visit_id: int) -> None:
        a = plan.admission
        if a is None:
            raise ValueError("a discharge summary is of an admission")
        table = self.t["dischargesummary"]
        names = "\n".join(f"{c} {self.codes.diagnosis_names[c]}" for c in plan.diagnoses)
        table.add(
            m.person_id,
            plan.provider,
            f"D{table.next_id}",
            visit_id,
            plan.date,
            plan.discharge,
            a.chief_complaint,
            names,
            a.course,
            a.surgery and f"{a.surgery} ({a.body_site})",
            a.plan,
        )

    # --- agencies' data --------------------------------------------------------------

    def vaccinations(self, m: Member, rng, town) -> None:
        table = self.t["vaccination"]
        station = self.place(rng, town, Kind.HEALTH_STATION)
        birth_year = m.birth_date.year
        for dose in cat.VACCINE_SCHEDULE:
            if not dose.born_from <= birth_year <= dose.born_until or rng.random() > 0.95:
                continue
            day = m.birth_date + dt.timedelta(days=dose.age_days + rng.randint(0, 20))
            if VACCINATION_DATA_FROM <= day <= self.today:
                provider = station if rng.random() < 0.5 else self.place(rng, town, Kind.CLINIC)
                table.add(m.person_id, provider, f"C{table.next_id}", dose.vaccine, day, "")
        age_now = m.age_on(self.today)
        flu_chance = 0.55 if age_now >= 65 else 0.3 if age_now < 7 else 0.08
        if rng.random() < flu_chance * 1.5:
            for year in range(max(VACCINATION_DATA_FROM.year, birth_year + 1), self.today.year + 1):
                day = dt.date(year, 10, 1) + dt.timedelta(days=rng.randrange(75))
                if (
                    day <= self.today
                    and day > m.birth_date + dt.timedelta(days=183)
                    and rng.random() < 0.8
                ):
                    table.add(m.person_id, station, f"C{table.next_id}", cat.FLU_VACCINE, day, "")
        if age_now >= 19 and rng.random() < 0.85:
            day = dt.date(2021, 6, 15) + dt.timedelta(days=rng.randrange(120))
            for n, code in enumerate(cat.COVID_VACCINES[:3]):
                given = day + dt.timedelta(days=n * rng.randint(60, 150))
                if given <= self.today:
                    table.add(m.person_id, station, f"C{table.next_id}", code, given, "")
        if age_now >= 71 and rng.random() < 0.4:
            day = years_after(m.birth_date, 65) + dt.timedelta(days=rng.randrange(365 * 5))
            if VACCINATION_DATA_FROM <= day <= self.today:
                table.add(m.person_id, station, f"C{table.next_id}", cat.PPV_VACCINE, day, "")

    def preventive_checks(self, m: Member, body: Physiology, rng, town) -> None:
        """Adults 40-64 every three years, 65 and over every year, about a third take it up."""
        if rng.random() > 0.35:
            return
        table = self.t["preventivecheck"]
        clinic = self.place(rng, town, Kind.CLINIC)
        day = max(years_after(m.birth_date, 40), self.today - dt.timedelta(days=365 * 7))
        day += dt.timedelta(days=rng.randrange(365))
        screened = False
        while day <= self.today:
            age = m.age_on(day)
            v = body.measurement(day)
            lipid = {
                k: body.number(k, day) for k in ("total_cholesterol", "triglycerides", "hdl", "ldl")
            }
            bun, creatinine = body.number("bun", day), body.number("creatinine", day)
            egfr, alt, ast = (
                body.number("egfr", day),
                body.number("alt", day),
                body.number("ast", day),
            )
            urine = body.value("urine_protein", day)[1]
            hepatitis = not screened and age >= 45
            screened = screened or hepatitis

            def result(bad: bool) -> str:
                return CheckResult.ABNORMAL if bad else CheckResult.NORMAL

            metabolic = (
                sum(
                    (
                        v["waist"] >= (90 if m.sex == "M" else 80),
                        v["systolic"] >= 130,
                        v["fasting_glucose"] >= 100,
                        lipid["triglycerides"] >= 150,
                        lipid["hdl"] < (40 if m.sex == "M" else 50),
                    )
                )
                >= 3
            )
            table.add(
                m.person_id,
                clinic,
                f"P{table.next_id}",
                day,
                v["height"],
                v["weight"],
                v["bmi"],
                v["waist"],
                v["systolic"],
                v["diastolic"],
                result(v["systolic"] >= 140 or v["diastolic"] >= 90),
                lipid["total_cholesterol"],
                lipid["triglycerides"],
                lipid["hdl"],
                lipid["ldl"],
                result(
                    lipid["total_cholesterol"] >= 200
                    or lipid["ldl"] >= 130
                    or lipid["triglycerides"] >= 150
                ),
                v["fasting_glucose"],
                result(v["fasting_glucose"] >= 100),
                bun,
                creatinine,
                egfr,
                result(egfr < 60 or urine not in ("-", "±")),
                urine,
                result(metabolic),
                ast,
                alt,
                result(alt > 40 or ast > 40),
                (Serology.POSITIVE if body.hbv else Serology.NEGATIVE)
                if hepatitis
                else Serology.NOT_DONE,
                (Serology.POSITIVE if body.hcv else Serology.NEGATIVE)
                if hepatitis
                else Serology.NOT_DONE,
            )
            day += dt.timedelta(days=(365 if age >= 65 else 3 * 365) + rng.randint(0, 60))

    def allergies(self, m: Member, rng, clinic: int) -> None:
        if rng.random() > 0.06:
            return
        table = self.t["allergy"]
        start = max(ALLERGY_DATA_FROM, m.birth_date)
        for code, reaction in rng.sample(cat.ALLERGENS, k=rng.choice((1, 1, 2))):
            day = start + dt.timedelta(days=rng.randrange(max(1, (self.today - start).days)))
            table.add(
                m.person_id,
                clinic,
                f"A{table.next_id}",
                day,
                self.codes.drug_names[code],
                code,
                reaction,
                name_for(rng, rng.choice("MF")),
            )

    def wishes(self, m: Member, rng) -> None:
        table = self.t["carewish"]
        mohw = self.network.agencies["mohw"]
        adult = years_after(m.birth_date, 20)
        wishes = []
        if rng.random() < 0.025:
            wishes.append((CareWish.Kind.ORGAN_DONATION, max(adult, ORGAN_WISH_FROM)))
        if m.age_on(self.today) >= 50 and rng.random() < 0.05:
            start = max(adult, HOSPICE_WISH_FROM)
            wishes.append((CareWish.Kind.HOSPICE, start))
            if rng.random() < 0.6:
                wishes.append((CareWish.Kind.NO_CPR, start))
        signed = None
        for kind, earliest in wishes:
            if earliest > self.today:
                continue
            if signed is None or kind == CareWish.Kind.ORGAN_DONATION:
                signed = earliest + dt.timedelta(
                    days=rng.randrange(max(1, (self.today - earliest).days))
                )
            noted = min(self.today, signed + dt.timedelta(days=rng.randint(7, 60)))
            table.add(m.person_id, mohw, f"W{table.next_id}", kind, signed, noted, None)


def own_entries(tables, m: Member, body: Physiology, rng, today: dt.date, weeks: int) -> None:
    """Home measurements (weekly, mornings) and a few calendar entries the person made."""
    kinds = ["systolic", "diastolic", "heart_rate", "weight"]
    if "diabetes" in m.conditions:
        kinds.append("fasting_glucose")
    for week in range(weeks):
        # From yesterday back: a morning reading today could lie ahead of the clock.
        day = today - dt.timedelta(days=7 * week + 1 + rng.randrange(3))
        at = dt.datetime.combine(day, dt.time(7, rng.randrange(60)), tzinfo=TAIPEI)
        values = body.measurement(day)
        # The latest sitting also has height and waist, so the portal can show a BMI.
        for kind in kinds + (["height", "waist"] if week == 0 else []):
            tables["measurement"].add(
                m.person_id, getattr(Measurement.Kind, kind.upper()), values[kind], at
            )
    for offset, title in ((9, "回診：量血壓並帶居家紀錄"), (30, "領慢性病連續處方箋藥")):
        tables["calendarevent"].add(
            m.person_id, title, today + dt.timedelta(days=offset), dt.time(9, 30), ""
        )
