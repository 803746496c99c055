"""The inputs of the personal risk predictions (risk_models), from the person's own records.

Each value is the person's latest in the record window from any of: uploaded lab results,
adult preventive checks (成人預防保健) and the measurements they entered themselves (生理量測),
and keeps its date and where it came from so the page can say so. Existing diabetes, heart
disease or stroke and blood-pressure treatment come from the visits' diagnoses and drug
orders. Smoking and a parent's diabetes are not in any record: the person answers them.

Five queries: lab results, preventive checks, measurements, diagnoses, drug orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from healthbank.people.models import Person
from healthbank.records.models import (
    DrugOrder,
    Measurement,
    PreventiveCheck,
    VisitDiagnosis,
)
from healthbank.records.risk_models import RiskInputs
from healthbank.records.rules import Window, record_window
from healthbank.records.selectors.labs import latest_results

HBA1C_CODE, GLUCOSE_CODE = "09006C", "09005C"
TC_CODE, TG_CODE, HDL_CODE = "09001C", "09004C", "09043C"
LAB_CODES = {
    "hba1c": HBA1C_CODE,
    "fasting_glucose": GLUCOSE_CODE,
    "total_cholesterol": TC_CODE,
    "triglycerides": TG_CODE,
    "hdl": HDL_CODE,
}
# Preventive-check field for each input it can give.
CHECK_FIELDS = {
    "systolic": "systolic",
    "diastolic": "diastolic",
    "bmi": "bmi",
    "height_cm": "height_cm",
    "weight_kg": "weight_kg",
    "total_cholesterol": "total_cholesterol",
    "triglycerides": "triglycerides",
    "hdl": "hdl",
    "fasting_glucose": "fasting_glucose",
}
MEASUREMENT_KINDS = {
    Measurement.Kind.SYSTOLIC: "systolic",
    Measurement.Kind.DIASTOLIC: "diastolic",
    Measurement.Kind.HEIGHT: "height_cm",
    Measurement.Kind.WEIGHT: "weight_kg",
}
# ICD-10-CM: diabetes E08–E13; ischaemic heart disease I20–I25; cerebrovascular I60–I69.
DIABETES_PREFIXES = ("E08", "E09", "E10", "E11", "E13")
CVD_PREFIXES = tuple(f"I2{n}" for n in range(6)) + tuple(f"I6{n}" for n in range(10))
# ATC: antihypertensives (C02), diuretics (C03), beta blockers (C07), calcium-channel
# blockers (C08), renin-angiotensin agents (C09); drugs used in diabetes (A10).
BP_DRUG_PREFIXES = ("C02", "C03", "C07", "C08", "C09")
DIABETES_DRUG_PREFIXES = ("A10",)
# A blood-pressure drug counts as "being treated" when it was supplied in the last year.
TREATMENT_RECENT_DAYS = 365


class Source:
    LAB = "lab"
    CHECK = "check"
    MEASUREMENT = "measurement"
    COMPUTED = "computed"
    DIAGNOSIS = "diagnosis"
    DRUG = "drug"


@dataclass(frozen=True)
class Sourced:
    """A value with the day it was taken and where it came from (provider's name if any)."""

    value: Decimal
    on: dt.date
    source: str
    provider: str = ""
    detail: str = ""  # a diagnosis or drug name, or how a value was computed


@dataclass(frozen=True)
class RiskRecords:
    window: Window
    sex: str
    age: int
    birth_date: dt.date
    values: dict[str, Sourced]
    diabetes: Sourced | None  # a diagnosis, a diabetes drug or a value at diabetes level
    cvd: Sourced | None
    bp_treatment: Sourced | None

    def inputs(self, smoker: bool | None, parental_diabetes: bool | None) -> RiskInputs:
        """The model inputs, with the two answers the records cannot give."""

        def value(key: str) -> Decimal | None:
            found = self.values.get(key)
            return found.value if found else None

        return RiskInputs(
            sex=self.sex,
            age=self.age,
            systolic=value("systolic"),
            diastolic=value("diastolic"),
            bmi=value("bmi"),
            height_cm=value("height_cm"),
            total_cholesterol=value("total_cholesterol"),
            hdl=value("hdl"),
            triglycerides=value("triglycerides"),
            fasting_glucose=value("fasting_glucose"),
            hba1c=value("hba1c"),
            treated_bp=self.bp_treatment is not None,
            smoker=smoker,
            parental_diabetes=parental_diabetes,
            has_diabetes=self.diabetes is not None,
            has_cvd=self.cvd is not None,
        )


def _bodily(value: Decimal | float | None) -> bool:
    """Whether a value can be a body's: every input of the models is above zero, so a 0 or
    a negative value (a lab's placeholder, a typing slip) is no value at all, never a
    logarithm's domain error on the page."""
    return value is not None and value > 0


def _newer(current: Sourced | None, candidate: Sourced) -> Sourced:
    return candidate if current is None or candidate.on > current.on else current


def risk_records(person: Person, today: dt.date) -> RiskRecords:
    """The person's latest value of each input in the record window, with its source."""
    window = record_window(today)
    values: dict[str, Sourced] = {}

    labs = latest_results(person, LAB_CODES.values(), window, numeric=LAB_CODES.values())
    for key, code in LAB_CODES.items():
        result = labs.get(code)
        if result is not None and result.value is not None and _bodily(result.value):
            values[key] = Sourced(
                result.value, result.collected_on, Source.LAB, result.provider.name
            )

    checks = (
        PreventiveCheck.objects.filter(person=person, checked_on__range=(window.start, window.end))
        .select_related("provider")
        .order_by("-checked_on", "-id")
    )
    for check in checks:
        for key, field in CHECK_FIELDS.items():
            raw = getattr(check, field)
            if not _bodily(raw) or (key in values and values[key].on >= check.checked_on):
                continue
            values[key] = Sourced(Decimal(raw), check.checked_on, Source.CHECK, check.provider.name)

    start = dt.datetime.combine(window.start, dt.time.min, tzinfo=dt.UTC)
    measurements = Measurement.objects.filter(
        person=person, kind__in=list(MEASUREMENT_KINDS), measured_at__gte=start
    ).order_by("kind", "-measured_at", "-id")
    seen: set[str] = set()
    for measured in measurements:
        if measured.kind in seen or not _bodily(measured.value):
            continue
        seen.add(measured.kind)
        key = MEASUREMENT_KINDS[Measurement.Kind(measured.kind)]
        day = measured.measured_at.date()
        if day > today:
            continue
        values[key] = _newer(values.get(key), Sourced(measured.value, day, Source.MEASUREMENT))

    _body_mass_index(values)

    diagnoses = (
        VisitDiagnosis.objects.filter(
            person=person,
            visit__visit_date__range=(window.start, window.end),
        )
        .filter(Q(diagnosis__code__regex=r"^(E08|E09|E10|E11|E13|I2[0-5]|I6[0-9])"))
        .select_related("diagnosis", "visit__provider")
        .order_by("-visit__visit_date", "-id")
    )
    diabetes: Sourced | None = None
    cvd: Sourced | None = None
    for diagnosis in diagnoses:
        found = Sourced(
            Decimal(1),
            diagnosis.visit.visit_date,
            Source.DIAGNOSIS,
            diagnosis.visit.provider.name,
            f"{diagnosis.diagnosis_id} {diagnosis.diagnosis.name}",
        )
        if diagnosis.diagnosis_id.startswith(DIABETES_PREFIXES):
            diabetes = diabetes or found
        elif diagnosis.diagnosis_id.startswith(CVD_PREFIXES):
            cvd = cvd or found

    drug_filter = Q()
    for prefix in (*BP_DRUG_PREFIXES, *DIABETES_DRUG_PREFIXES):
        drug_filter |= Q(drug__atc__code__startswith=prefix)
    recent = today - dt.timedelta(days=TREATMENT_RECENT_DAYS)
    drugs = (
        DrugOrder.objects.filter(person=person, visit__visit_date__range=(recent, today))
        .filter(drug_filter)
        .select_related("drug", "visit__provider")
        .order_by("-visit__visit_date", "-id")
    )
    bp_treatment = None
    for order in drugs:
        found = Sourced(
            Decimal(1),
            order.visit.visit_date,
            Source.DRUG,
            order.visit.provider.name,
            order.drug.name,
        )
        atc = order.drug.atc_id or ""
        if atc.startswith(DIABETES_DRUG_PREFIXES):
            diabetes = diabetes or found
        else:
            bp_treatment = bp_treatment or found

    return RiskRecords(
        window,
        person.sex,
        person.age_on(today),
        person.birth_date,
        values,
        diabetes,
        cvd,
        bp_treatment,
    )


def _body_mass_index(values: dict[str, Sourced]) -> None:
    """A BMI from the latest weight and height when it is newer than the latest BMI."""
    weight, height = values.get("weight_kg"), values.get("height_cm")
    if weight is None or height is None or height.value <= 0:
        return
    bmi = values.get("bmi")
    if bmi is not None and bmi.on >= weight.on:
        return
    metres = height.value / 100
    computed = (weight.value / (metres * metres)).quantize(Decimal("0.1"))
    values["bmi"] = Sourced(
        computed,
        weight.on,
        Source.COMPUTED,
        detail=f"{weight.value.normalize():f} kg, {height.value.normalize():f} cm",
    )
