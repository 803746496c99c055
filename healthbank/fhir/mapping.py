"""The FHIR R4 JSON Bundle (type collection) of one category of a package.

`fhir_bundle(category, person, rows, period, generated_at)` returns plain Python data
(dicts, lists, str, int, float, bool) ready for `json.dumps`. The first entry is always
the person's `Patient`, then the `Organization`s the records name, then the records.

**Ids and references.** Every resource's id is a UUID 5 of its type and database key, its
entry's fullUrl is `urn:uuid:<id>`, and every reference inside the bundle is that urn.
The same rows therefore give the same bundle, and the same Patient, Organization or
Encounter has the same id in every file of a package. A record that points at one kept
in another category's file (a discharge summary's stay, a payment's bill) refers to it by
business identifier (`Reference.identifier`), never by a urn the bundle cannot resolve.

**Mapping** (R4 resources; R4B validates them identically):

- cards: a `Coverage` per card, NHIA the payor, the card number as member id (v2-0203
  MB), active while the card is valid, cancelled otherwise. Coverage has no structured
  place for an issuance (reason, channel, dates, fee): those are its narrative.
- premium_bills: an `Invoice` (issued) from NHIA to the person, the insured unit as
  participant, the premium as base price and totals, the insured amount informational.
- premium_payments: a `PaymentReconciliation` whose detail names the bill's Invoice by
  identifier. R4 gives it no patient element: it is the one record without a reference
  to the Patient.
- outpatient, dental, tcm, inpatient: per visit an `Encounter` (AMB, or IMP for a stay,
  the NHI department as serviceType), a `Condition` (encounter-diagnosis) per diagnosis,
  a `MedicationRequest` per drug order (quantity, days, frequency), and a `Procedure` per
  surgery and per order of a surgery, procedure, dental or Chinese-medicine treatment
  (tooth or body site as bodySite). Fees, dispensing, ward days and tests stay out.
- labs: an `Observation` (laboratory) with valueQuantity (valueString for qualitative
  results), the reference range and an interpretation (N, H, L, A).
- reports: a `DiagnosticReport` (RAD or PAT), the impression as conclusion, the findings
  as a text/plain presentedForm.
- discharge_summaries: a `DocumentReference` typed LOINC 18842-5, the summary as UTF-8
  text/plain, with the stay's period and Encounter.
- allergies: an `AllergyIntolerance` (medication), the drug coded when known, the
  recording provider as the note's author.
- wishes: a `Consent` (scope adr; category acd, or dnr for do-not-resuscitate), inactive
  once revoked; provision permit (donation, hospice) or deny (CPR, life-sustaining
  treatment); the day it was noted on the NHI card as its verification date.
- vaccinations: an `Immunization` with the Taiwan CDC registry code and CVX.
- preventive: an `Observation` per value measured (LOINC, vital-signs or laboratory;
  blood pressure as the 85354-9 panel) and one per result the check gives (normal or
  abnormal), with the values it judged as members.
- calendar: an `Appointment` with the person as the only participant, fulfilled once its
  day has passed, booked otherwise; an entry without a time spans its whole day.
- measurements: an `Observation` each (vital-signs LOINC; a systolic and a diastolic
  taken together as one 85354-9 panel).

Per visit also an `ExplanationOfBenefit`: the claim after CARIN Blue Button's shape
(type institutional, oral, pharmacy or professional; use claim; outcome complete; NHIA
the insurer), its Conditions as diagnoses, its drug, service and surgery orders as items,
the NHI points as the header adjudication `submitted` (points are not money) and the
copayment as the total `paidbypatient`. The card used is not on the claim row, so
`insurance` names NHI coverage by display only.

**Meaning beside structure.** Lab Observations carry LOINC beside the NHI code
(codes/fhir.py's LAB_LOINC), vaccines CVX beside Taiwan CDC's code (VACCINE_CVX). A
claim's Conditions are `confirmed` (what the physician billed for the visit: ICD-10-CM's
outpatient guideline IV.H codes uncertain diagnoses as their symptoms) and `active` while
the visit is at most ACUTE_ACTIVE_DAYS old, the stay goes on or the condition is chronic
(Diagnosis.chronic), `resolved` after. Every resource names the TW Core profile it
follows in `meta.profile` (none for Invoice, PaymentReconciliation, Consent, Appointment
and ExplanationOfBenefit, which TW Core does not profile) and has a generated zh-TW
narrative of its key facts, escaped. healthbank/fhir/tests/validation.py checks all of
it against the R4 model, HL7's JSON schema and the FHIRPath invariants.

**Code systems** and the codings the FHIR reader shares: healthbank/codes/fhir.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import uuid
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.html import escape

from healthbank.codes.fhir import (
    ACT_CODE,
    ACUTE,
    ADJUDICATION,
    ALLERGY_CLINICAL,
    ALLERGY_VERIFICATION,
    ATC,
    BILL_ID,
    BLOOD_PRESSURE,
    BODY_SITE,
    CARD_ID,
    CARE_WISH,
    CARIN_ADJUDICATION,
    CLAIM_TYPE,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    CONSENT_CATEGORY,
    CONSENT_SCOPE,
    COURSE_OF_THERAPY,
    CVX,
    DIAGNOSTIC_SERVICE,
    DIASTOLIC,
    HEIGHT,
    ICD10CM,
    IDENTIFIER_TYPE,
    INTERPRETATION,
    LAB_ITEM,
    LAB_LOINC,
    LABORATORY,
    LOINC,
    LONG_TERM,
    NATIONAL_ID,
    NHI_DEPARTMENT,
    NHI_DRUG,
    NHI_HERB,
    NHI_SERVICE,
    OBSERVATION_CATEGORY,
    OBSERVATION_PROFILES,
    OBSERVATION_SIMPLE,
    ORGANIZATION_ID,
    ORGANIZATION_TYPE,
    PATIENT_ID,
    PAYMENT_TYPE,
    PREVENTIVE_RESULT,
    PREVENTIVE_RESULTS,
    PREVENTIVE_VALUES,
    PROFILES,
    PROJECT,
    RECORD_ID,
    RESIDENT_CERTIFICATE,
    SEROLOGY,
    SEROLOGY_VALUES,
    SNOMED,
    SURGICAL_PROCEDURE,
    SYSTOLIC,
    TIMING_ABBREVIATION,
    TOOTH,
    UCUM,
    UNIT_ID,
    URINE_PROTEIN,
    VACCINE,
    VACCINE_CVX,
    VISIT_ID,
    VISIT_KIND,
    VITAL_SIGNS,
    WAIST,
    WEIGHT,
)
from healthbank.codes.models import Diagnosis, Drug
from healthbank.core.meta import model_field
from healthbank.people.models import (
    CardIssuance,
    InsuredUnit,
    NhiCard,
    Person,
    PremiumBill,
    Sex,
)
from healthbank.records.categories import Category
from healthbank.records.models import (
    CareWish,
    CheckResult,
    DischargeSummary,
    Measurement,
    Provider,
    Visit,
)
from healthbank.records.rules import Window
from healthbank.records.selectors.assessments import EGFR_CODE

NHIA_NAME = "衛生福利部中央健康保險署"
NHIA_ALIAS = "National Health Insurance Administration"
CURRENCY = "TWD"
TEXT_PLAIN = "text/plain; charset=utf-8"

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROJECT)

# Units as labs report them -> UCUM codes; a unit not listed is sent as text only.
_UCUM = {
    "%": "%",
    "10³/µL": "10*3/uL",
    "IU/mL": "[IU]/mL",
    "U/L": "U/L",
    "g/dL": "g/dL",
    "mL/min/1.73m²": "mL/min/{1.73_m2}",
    "mg/dL": "mg/dL",
    "mg/g": "mg/g",
    "mmol/L": "mmol/L",
    "ng/dL": "ng/dL",
    "ng/mL": "ng/mL",
    "pg/mL": "pg/mL",
    "sec": "s",
    "µIU/mL": "u[IU]/mL",
    "cm": "cm",
    "kg": "kg",
    "kg/m2": "kg/m2",
    "mm[Hg]": "mm[Hg]",
    "/min": "/min",
}
_UCUM_CODES = set(_UCUM.values())  # units already written in UCUM (codes/fhir.py's tables)
_FLAGS = {"": ("N", "Normal"), "H": ("H", "High"), "L": ("L", "Low"), "A": ("A", "Abnormal")}
_FREQUENCIES = {"QD": 1, "BID": 2, "TID": 3, "QID": 4}  # v3-GTSAbbreviation, times a day

_MEASUREMENTS: dict[str, tuple[str, str, str, str]] = {
    Measurement.Kind.HEIGHT: HEIGHT,
    Measurement.Kind.WEIGHT: WEIGHT,
    Measurement.Kind.WAIST: WAIST,
    Measurement.Kind.HEART_RATE: ("8867-4", "Heart rate", "/min", VITAL_SIGNS),
    Measurement.Kind.FASTING_GLUCOSE: (
        "41604-0",
        "Fasting glucose [Mass/volume] in Capillary blood by Glucometer",
        "mg/dL",
        LABORATORY,
    ),
    Measurement.Kind.SYSTOLIC: (*SYSTOLIC, "mm[Hg]", VITAL_SIGNS),
    Measurement.Kind.DIASTOLIC: (*DIASTOLIC, "mm[Hg]", VITAL_SIGNS),
}
# Care wishes: (consent category code, provision type, what it is about, legal basis).
_ORGAN_ACT = "Human Organ Transplantation Act (人體器官移植條例)"
_HOSPICE_ACT = "Hospice Palliative Care Act (安寧緩和醫療條例)"
_WISHES: dict[str, tuple[str, str, str, str]] = {
    CareWish.Kind.ORGAN_DONATION: ("acd", "permit", "Organ donation", _ORGAN_ACT),
    CareWish.Kind.HOSPICE: ("acd", "permit", "Hospice and palliative care", _HOSPICE_ACT),
    CareWish.Kind.NO_CPR: ("dnr", "deny", "Cardiopulmonary resuscitation", _HOSPICE_ACT),
    CareWish.Kind.NO_LIFE_SUSTAINING: (
        "acd",
        "deny",
        "Life-sustaining treatment",
        _HOSPICE_ACT,
    ),
}
_PROCEDURE_SERVICES = {"surgery", "procedure", "dental", "tcm"}  # Service.Category values
_INPATIENT = ("IMP", "inpatient encounter")
_AMBULATORY = ("AMB", "ambulatory")
_PATHOLOGY = ("PAT", "Pathology (gross & histopath, not surgical)")
_NORMAL = ("N", "Normal")
_ABNORMAL = ("A", "Abnormal")


# -- small builders -----------------------------------------------------------------------


def _coding(system: str, code: str, display: str = "") -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(*codings: dict, text: str = "") -> dict:
    concept: dict[str, Any] = {}
    if codings:
        concept["coding"] = list(codings)
    if text:
        concept["text"] = text
    return concept


def _number(value: Decimal | int | float) -> int | float:
    return value if isinstance(value, int) else float(value)


def _quantity(value: Decimal | int | float, unit: str) -> dict:
    quantity: dict[str, Any] = {"value": _number(value)}
    if unit:
        quantity["unit"] = unit
        code = _UCUM.get(unit, unit if unit in _UCUM_CODES else None)
        if code:
            quantity |= {"system": UCUM, "code": code}
    return quantity


def _money(amount: int) -> dict:
    return {"value": amount, "currency": CURRENCY}


def instant(moment: dt.datetime) -> str:
    """An aware moment as a FHIR instant in local time, to the second."""
    return moment.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds")


def _text_attachment(text: str, title: str) -> dict:
    return {
        "contentType": TEXT_PLAIN,
        "language": "zh-TW",
        "data": base64.b64encode(text.encode()).decode("ascii"),
        "title": title,
    }


def _field_label(model: type[models.Model], field: str) -> str:
    return str(model_field(model, field).verbose_name)


def _field_value(instance: models.Model, field: str) -> str:
    value = getattr(instance, field)
    if model_field(instance, field).choices:
        return str(getattr(instance, f"get_{field}_display")())
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _narrative(rows: Iterable[tuple[models.Model, tuple[str, ...]]]) -> dict:
    """A generated narrative: a table per instance of its fields' labels and values."""
    tables = []
    for instance, fields in rows:
        cells = "".join(
            f"<tr><th>{escape(_field_label(type(instance), f))}</th>"
            f"<td>{escape(_field_value(instance, f))}</td></tr>"
            for f in fields
        )
        tables.append(f"<table>{cells}</table>")
    div = '<div xmlns="http://www.w3.org/1999/xhtml">' + "".join(tables) + "</div>"
    return {"status": "generated", "div": div}


def _drug_concept(drug: Drug) -> dict:
    system = NHI_HERB if drug.kind == Drug.Kind.TCM else NHI_DRUG
    codings = [_coding(system, drug.code, drug.name_en)]
    if drug.atc_id:
        codings.append(_coding(ATC, drug.atc_id))
    return _concept(*codings, text=drug.name_zh)


def _service_concept(service) -> dict:
    return _concept(_coding(NHI_SERVICE, service.code, service.name_zh), text=service.name_zh)


def _category(code: str) -> list[dict]:
    return [_concept(_coding(OBSERVATION_CATEGORY, code))]


def _interpretation(code: str, display: str) -> list[dict]:
    return [_concept(_coding(INTERPRETATION, code, display))]


def _profile(resource_type: str, body: dict) -> str | None:
    """The TW Core profile the resource follows (codes/fhir.py's PROFILES)."""
    if resource_type != "Observation":
        return PROFILES.get(resource_type)
    for coding in body["code"].get("coding", ()):
        if coding["system"] == LOINC and coding["code"] in OBSERVATION_PROFILES:
            return OBSERVATION_PROFILES[coding["code"]]
    category = body["category"][0]["coding"][0]["code"]
    if category == LABORATORY:
        return OBSERVATION_PROFILES[LABORATORY]
    return OBSERVATION_SIMPLE  # waist, the preventive check's results


# A generated narrative's words (zh-TW, the reader's language): resource names and labels.
_RESOURCE_ZH = {
    "Patient": "個人資料",
    "Organization": "機構",
    "Coverage": "健保卡",
    "Invoice": "保費帳單",
    "PaymentReconciliation": "保費繳納",
    "Encounter": "就醫紀錄",
    "Condition": "診斷",
    "MedicationRequest": "用藥",
    "Procedure": "處置或手術",
    "ExplanationOfBenefit": "健保申報",
    "Observation": "檢驗檢查",
    "DiagnosticReport": "影像或病理報告",
    "DocumentReference": "出院病歷摘要",
    "AllergyIntolerance": "過敏",
    "Consent": "意願註記",
    "Immunization": "疫苗接種",
    "Appointment": "行事曆",
}
_CONCEPTS = (
    ("code", "項目"),
    ("vaccineCode", "疫苗"),
    ("medicationCodeableConcept", "藥品"),
    ("serviceType", "科別"),
    ("bodySite", "部位"),
)
_VALUES = ("valueQuantity", "valueString", "valueCodeableConcept")
_DATES = (
    ("birthDate", "出生日期"),
    ("effectiveDateTime", "日期"),
    ("occurrenceDateTime", "日期"),
    ("performedDateTime", "日期"),
    ("recordedDate", "記錄日期"),
    ("dateTime", "日期"),
    ("created", "日期"),
    ("paymentDate", "繳納日期"),
    ("date", "日期"),
    ("authoredOn", "開立日期"),
    ("start", "開始"),
)
_PERIODS = (("period", "期間"), ("billablePeriod", "就醫期間"))


def _concept_text(concept: dict) -> str:
    if concept.get("text"):
        return concept["text"]
    coding = concept.get("coding", [{}])[0]
    return coding.get("display") or coding.get("code", "")


def _value_text(body: dict) -> str:
    if "valueQuantity" in body:
        quantity = body["valueQuantity"]
        return f"{quantity['value']} {quantity.get('unit', '')}".strip()
    if "valueString" in body:
        return body["valueString"]
    if "valueCodeableConcept" in body:
        return _concept_text(body["valueCodeableConcept"])
    return " / ".join(_value_text(c) for c in body.get("component", ()))


def _facts(resource_type: str, body: dict) -> list[tuple[str, str]]:
    facts = [("類別", _RESOURCE_ZH.get(resource_type, resource_type))]
    if isinstance(body.get("name"), str):
        facts.append(("名稱", body["name"]))
    elif body.get("name"):
        facts.append(("姓名", body["name"][0]["text"]))
    for key, label in _CONCEPTS:
        concept = body.get(key)
        if isinstance(concept, list):
            concept = concept[0] if concept else None
        if concept:
            facts.append((label, _concept_text(concept)))
    if resource_type == "Observation" and (value := _value_text(body)):
        facts.append(("結果", value))
    if ranges := body.get("referenceRange"):
        facts.append(("參考值", ranges[0].get("text", "")))
    if flags := body.get("interpretation"):
        facts.append(("判讀", _concept_text(flags[0])))
    for key, label in _DATES:
        if isinstance(body.get(key), str):
            facts.append((label, body[key][:10]))
            break
    for key, label in _PERIODS:
        if period := body.get(key):
            facts.append((label, f"{period.get('start', '')} ~ {period.get('end', '')}"))
    for total in body.get("total", ()):
        facts.append((html.escape(_concept_text(total["category"])), str(total["amount"]["value"])))
    for key, label in (("conclusion", "結論"), ("description", "說明"), ("status", "狀態")):
        if isinstance(body.get(key), str):
            facts.append((label, body[key]))
    return [(label, value) for label, value in facts if value]


def _generated(resource_type: str, body: dict) -> dict:
    """A resource's generated narrative: a table of its key facts, in zh-TW."""
    # The standard library's escape: Django's, lazy-aware, costs three times as much.
    rows = "".join(
        f"<tr><th>{label}</th><td>{html.escape(value)}</td></tr>"
        for label, value in _facts(resource_type, body)
    )
    div = f'<div xmlns="http://www.w3.org/1999/xhtml" lang="zh-TW"><table>{rows}</table></div>'
    return {"status": "generated", "div": div}


def resource_id(key: object) -> str:
    """A resource's id from its key (a database key, or "lab/12", "preventive/3/bmi_high"):
    readable, stable, and the same in the API and in packages; FHIR ids take letters,
    digits, "-" and "." only."""
    return str(key).replace("/", "-").replace("_", ".")


def _urn(resource_type: str, resource_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{resource_type}/{resource_id}')}"


class _Bundle:
    """Collects a bundle's entries: the Patient, the Organizations, then the records.

    `base` None: a package's collection, which must stand alone, so entries' fullUrls are
    urn:uuids and references name them. Else the API's base URL: references are relative
    (`Encounter/12`) and fullUrls the resources' own URLs.
    """

    def __init__(
        self,
        person: Person,
        *,
        base: str | None = None,
        today: dt.date | None = None,
        types: Collection[str] | None = None,
    ) -> None:
        self.person = person
        self.base = base
        self.today = today or timezone.localdate()
        self.types = None if types is None else frozenset(types)  # None: every type
        self.organizations: dict[str, dict] = {}
        self.records: list[dict] = []
        self.patient = self.ref("Patient", person.pk)

    def ref(self, resource_type: str, key: object) -> dict:
        rid = resource_id(key)
        if self.base is None:
            return {"reference": _urn(resource_type, rid)}
        return {"reference": f"{resource_type}/{rid}"}

    def entry(
        self, resource_type: str, key: object, body: dict, updated: dt.datetime | None = None
    ) -> dict:
        rid = resource_id(key)
        resource: dict[str, Any] = {"resourceType": resource_type, "id": rid}
        meta: dict[str, Any] = {}
        if updated is not None:
            meta["lastUpdated"] = instant(updated)
        profile = _profile(resource_type, body)
        if profile:
            meta["profile"] = [profile]
        if meta:
            resource["meta"] = meta
        if "text" not in body:
            resource["text"] = _generated(resource_type, body)
        resource |= body
        if self.base is None:
            full_url = _urn(resource_type, rid)
        else:
            full_url = f"{self.base}/{resource_type}/{rid}"
        return {"fullUrl": full_url, "resource": resource}

    def wants(self, *resource_types: str) -> bool:
        """Whether any of these types is rendered (a search renders its type only)."""
        return self.types is None or not self.types.isdisjoint(resource_types)

    def add(self, row: object, resource_type: str, key: object, body: dict) -> dict:
        """Add the resource `body` that `row` becomes; its meta.lastUpdated is the row's."""
        if self.wants(resource_type):
            updated = getattr(row, "updated_at", None)
            self.records.append(self.entry(resource_type, key, body, updated))
        return self.ref(resource_type, key)

    def organization(self, key: str, body: dict) -> dict:
        if key not in self.organizations:
            self.organizations[key] = self.entry("Organization", key, body)
        return self.ref("Organization", key)

    def provider(self, provider: Provider) -> dict:
        kind = "govt" if provider.kind == Provider.Kind.AGENCY else "prov"
        body: dict[str, Any] = {
            "identifier": [
                {
                    "use": "official",
                    "type": _concept(_coding(IDENTIFIER_TYPE, "PRN")),
                    "system": ORGANIZATION_ID,
                    "value": provider.code,
                }
            ],
            "active": True,
            "type": [_concept(_coding(ORGANIZATION_TYPE, kind))],
            "name": provider.name,
        }
        if provider.phone:
            body["telecom"] = [{"system": "phone", "value": provider.phone, "use": "work"}]
        if provider.address:
            body["address"] = [{"use": "work", "text": provider.address}]
        return self.organization(f"provider/{provider.code}", body)

    def nhia(self) -> dict:
        return self.organization(
            "nhia",
            {
                "type": [
                    _concept(_coding(ORGANIZATION_TYPE, "govt")),
                    _concept(_coding(ORGANIZATION_TYPE, "pay")),
                ],
                "name": NHIA_NAME,
                "alias": [NHIA_ALIAS],
            },
        )

    def patient_resource(self, *, national_id: bool) -> dict:
        """The person's Patient. TW Core Patient requires an identifier (1..*, slicing
        open): the package, which is the person's own, carries the national ID (or resident
        certificate number); the API, read by apps, a pseudonymous one instead, this
        system's patient id (the Patient's id, which the token response names anyway)."""
        person = self.person
        if not national_id:
            system, id_type, value = PATIENT_ID, "PI", str(person.pk)
        elif person.is_foreign_resident:
            system, id_type, value = RESIDENT_CERTIFICATE, "PRC", person.national_id
        else:
            system, id_type, value = NATIONAL_ID, "NNxxx", person.national_id
        body = {
            "identifier": [
                {
                    "use": "official" if national_id else "usual",
                    "type": _concept(_coding(IDENTIFIER_TYPE, id_type)),
                    "system": system,
                    "value": value,
                }
            ],
            "name": [{"use": "official", "text": person.name}],
            "gender": "male" if person.sex == Sex.MALE else "female",
            "birthDate": person.birth_date.isoformat(),
        }
        return self.entry("Patient", person.pk, body)

    def entries(self) -> list[dict]:
        return [
            self.patient_resource(national_id=True),  # the package is the person's own
            *self.organizations.values(),
            *self.records,
        ]


def _record_identifier(kind: str, row, provider: Provider | None = None) -> list[dict]:
    """A reported row's business identifier: its reporter's code and the reporter's own
    record id (unique together)."""
    system = VISIT_ID if kind == "visit" else f"{RECORD_ID}/{kind}"
    return [{"system": system, "value": f"{(provider or row.provider).code}-{row.source_id}"}]


# -- categories ---------------------------------------------------------------------------


def _cards(b: _Bundle, rows: list[CardIssuance]) -> None:
    cards: dict[int, tuple[NhiCard, list[CardIssuance]]] = {}
    for issuance in rows:
        cards.setdefault(issuance.card_id, (issuance.card, []))[1].append(issuance)
    fields = ("reason", "channel", "applied_on", "issued_on", "fee")
    for card, issuances in cards.values():
        valid = card.status == NhiCard.Status.VALID
        b.add(
            card,
            "Coverage",
            card.pk,
            {
                "text": _narrative((issuance, fields) for issuance in issuances),
                "identifier": [
                    {
                        "type": _concept(_coding(IDENTIFIER_TYPE, "MB", "Member Number")),
                        "system": CARD_ID,
                        "value": card.number,
                    }
                ],
                "status": "active" if valid else "cancelled",
                "type": _concept(_coding(ACT_CODE, "PUBLICPOL", "public healthcare")),
                "beneficiary": b.patient,
                "period": {"start": card.issued_on.isoformat()},
                "payor": [b.nhia()],
            },
        )


def _premium_bills(b: _Bundle, rows: list[PremiumBill]) -> None:
    for bill in rows:
        unit = b.organization(
            f"unit/{bill.unit.code}",
            {"identifier": [{"system": UNIT_ID, "value": bill.unit.code}], "name": bill.unit.name},
        )
        details = (
            f"{_field_label(PremiumBill, f)}: {_field_value(bill, f)}"
            for f in ("month", "category", "dependants")
        )
        b.add(
            bill,
            "Invoice",
            bill.pk,
            {
                "identifier": [{"system": BILL_ID, "value": str(bill.pk)}],
                "status": "issued",
                "type": _concept(text=str(PremiumBill._meta.verbose_name)),
                "subject": b.patient,
                "recipient": b.patient,
                "date": bill.month.isoformat(),
                "participant": [
                    {"role": _concept(text=str(InsuredUnit._meta.verbose_name)), "actor": unit}
                ],
                "issuer": b.nhia(),
                "lineItem": [
                    {
                        "sequence": 1,
                        "chargeItemCodeableConcept": _concept(text="; ".join(details)),
                        "priceComponent": [
                            {"type": "base", "amount": _money(bill.amount)},
                            {
                                "type": "informational",
                                "code": _concept(text=_field_label(PremiumBill, "insured_amount")),
                                "amount": _money(bill.insured_amount),
                            },
                        ],
                    }
                ],
                "totalNet": _money(bill.amount),
                "totalGross": _money(bill.amount),
                "paymentTerms": f"{_field_label(PremiumBill, 'due_date')}: {bill.due_date}",
            },
        )


def _premium_payments(b: _Bundle, rows: list) -> None:
    for payment in rows:
        paid_on = payment.paid_on.isoformat()
        b.add(
            payment,
            "PaymentReconciliation",
            payment.pk,
            {
                "status": "active",
                "created": paid_on,
                "outcome": "complete",
                "disposition": payment.get_method_display(),
                "paymentDate": paid_on,
                "paymentAmount": _money(payment.amount),
                "detail": [
                    {
                        "type": _concept(_coding(PAYMENT_TYPE, "payment", "Payment")),
                        "request": {
                            "type": "Invoice",
                            "identifier": {"system": BILL_ID, "value": str(payment.bill_id)},
                        },
                        "date": paid_on,
                        "amount": _money(payment.amount),
                    }
                ],
            },
        )


# The details (records/selectors/visits.py's DETAILS) each type of a visit is made from: a
# search of one type reads only these.
VISIT_DETAILS: dict[str, tuple[str, ...]] = {
    "Encounter": ("diagnoses",),
    "Condition": ("diagnoses",),
    "MedicationRequest": ("drug_orders",),
    "Procedure": ("service_orders", "surgeries"),
    "ExplanationOfBenefit": ("diagnoses", "drug_orders", "service_orders", "surgeries"),
}


def _visits(b: _Bundle, rows: list[Visit]) -> None:
    encounters, claims = b.wants("Encounter"), b.wants("ExplanationOfBenefit")
    conditions = b.wants("Condition")
    for visit in rows:
        provider = b.provider(visit.provider)
        encounter = b.ref("Encounter", visit.pk)
        day = visit.visit_date.isoformat()
        inpatient = visit.kind == Visit.Kind.INPATIENT
        diagnoses: list[tuple[int | str, Diagnosis, int]] = []
        if encounters or claims or conditions:
            diagnoses = [(d.pk, d.diagnosis, d.rank) for d in visit.diagnoses.all()] or [
                (f"visit-{visit.pk}", visit.primary_diagnosis, 1)
            ]
        period = {"start": day}
        if visit.discharge_date or not inpatient:
            period["end"] = (visit.discharge_date or visit.visit_date).isoformat()
        if encounters:
            _encounter(b, visit, provider, period, diagnoses)
        if claims:
            _claim(b, visit, provider, period, diagnoses)
        if conditions:
            _conditions(b, visit, encounter, day, diagnoses)
        if b.wants("MedicationRequest"):
            for order in visit.drug_orders.all():
                request = _medication_request(b, visit, order, provider)
                b.add(visit, "MedicationRequest", order.pk, request)
        if b.wants("Procedure"):
            _procedures(b, visit, encounter, day, provider)


def _encounter(b: _Bundle, visit: Visit, provider: dict, period: dict, diagnoses: list) -> None:
    inpatient = visit.kind == Visit.Kind.INPATIENT
    b.add(
        visit,
        "Encounter",
        visit.pk,
        {
            "identifier": _record_identifier("visit", visit),
            "status": "finished" if "end" in period else "in-progress",
            "class": _coding(ACT_CODE, *(_INPATIENT if inpatient else _AMBULATORY)),
            "type": [_concept(_coding(VISIT_KIND, visit.kind))],
            "serviceType": _concept(
                _coding(NHI_DEPARTMENT, visit.department.code, visit.department.name_zh),
                text=visit.department.name_zh,
            ),
            "subject": b.patient,
            "period": period,
            "diagnosis": [
                {"condition": b.ref("Condition", key), "rank": rank} for key, _, rank in diagnoses
            ],
            "serviceProvider": provider,
        },
    )


def _conditions(b: _Bundle, visit: Visit, encounter: dict, day: str, diagnoses: list) -> None:
    clinical = _clinical_status(visit, b.today)
    for key, diagnosis, _ in diagnoses:
        status = "active" if diagnosis.chronic else clinical
        b.add(
            visit,
            "Condition",
            key,
            {
                "clinicalStatus": _concept(
                    _coding(CONDITION_CLINICAL, status, status.capitalize())
                ),
                "verificationStatus": _concept(
                    _coding(CONDITION_VERIFICATION, "confirmed", "Confirmed")
                ),
                "category": [
                    _concept(
                        _coding(CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")
                    )
                ],
                "code": _concept(
                    _coding(ICD10CM, diagnosis.code, diagnosis.name_en), text=diagnosis.name_zh
                ),
                "subject": b.patient,
                "encounter": encounter,
                "recordedDate": day,
            },
        )


def _procedures(b: _Bundle, visit: Visit, encounter: dict, day: str, provider: dict) -> None:
    """A Procedure per surgery, and per order of a surgery, procedure, dental or
    Chinese-medicine treatment the surgeries do not already name."""
    surgeries = list(visit.surgeries.all())
    for surgery in surgeries:
        b.add(
            visit,
            "Procedure",
            f"surgery/{surgery.pk}",
            {
                "status": "completed",
                "category": _concept(_coding(SNOMED, *SURGICAL_PROCEDURE)),
                "code": _service_concept(surgery.service),
                "subject": b.patient,
                "encounter": encounter,
                "performedDateTime": surgery.performed_on.isoformat(),
                "performer": [{"actor": provider}],
                "bodySite": [
                    _concept(
                        _coding(BODY_SITE, surgery.body_site.code, surgery.body_site.name_en),
                        text=surgery.body_site.name_zh,
                    )
                ],
            },
        )
    operated = {surgery.service_id for surgery in surgeries}
    for service_order in visit.service_orders.all():
        service = service_order.service
        if service.category not in _PROCEDURE_SERVICES or service.code in operated:
            continue
        procedure = {
            "status": "completed",
            "code": _service_concept(service),
            "subject": b.patient,
            "encounter": encounter,
            "performedDateTime": day,
            "performer": [{"actor": provider}],
        }
        if service_order.tooth:
            tooth = service_order.tooth
            procedure["bodySite"] = [
                _concept(_coding(TOOTH, tooth.code, tooth.name_en), text=tooth.name_zh)
            ]
        b.add(visit, "Procedure", f"service/{service_order.pk}", procedure)


# A visit's claim diagnoses: active while the visit is this recent (or the condition is
# chronic: Diagnosis.chronic), resolved after. A claim says what was treated on the day,
# not when it ended; an acute diagnosis billed weeks ago is taken to be over.
ACUTE_ACTIVE_DAYS = 30
# Claim type (v3 claim-type) per visit kind.
_CLAIM_TYPES: dict[str, tuple[str, str]] = {
    Visit.Kind.INPATIENT: ("institutional", "Institutional"),
    Visit.Kind.PHARMACY: ("pharmacy", "Pharmacy"),
    Visit.Kind.DENTAL: ("oral", "Oral"),
}
_PROFESSIONAL = ("professional", "Professional")


def _clinical_status(visit: Visit, today: dt.date) -> str:
    last = visit.discharge_date or visit.visit_date
    if visit.kind == Visit.Kind.INPATIENT and visit.discharge_date is None:
        return "active"
    return "active" if (today - last).days <= ACUTE_ACTIVE_DAYS else "resolved"


def _claim(b: _Bundle, visit: Visit, provider: dict, period: dict, diagnoses: list) -> None:
    """The visit as the claim NHIA paid (CARIN Blue Button's shape): points submitted,
    the copayment the patient paid, its diagnoses and ordered items."""
    items: list[dict] = []
    for order in visit.drug_orders.all():
        items.append(
            {
                "productOrService": _drug_concept(order.drug),
                "quantity": {"value": _number(order.quantity)},
            }
        )
    for service_order in visit.service_orders.all():
        items.append({"productOrService": _service_concept(service_order.service)})
    for surgery in visit.surgeries.all():
        items.append({"productOrService": _service_concept(surgery.service)})
    body: dict[str, Any] = {
        "identifier": _record_identifier("claim", visit),
        "status": "active",
        "type": _concept(_coding(CLAIM_TYPE, *_CLAIM_TYPES.get(visit.kind, _PROFESSIONAL))),
        "use": "claim",
        "patient": b.patient,
        "billablePeriod": period,
        "created": visit.visit_date.isoformat(),
        "insurer": b.nhia(),
        "provider": provider,
        "outcome": "complete",
        "diagnosis": [
            {"sequence": n, "diagnosisReference": b.ref("Condition", key)}
            for n, (key, _, _) in enumerate(diagnoses, 1)
        ],
        # The card used is not in the claim's row: NHI coverage, named.
        "insurance": [{"focal": True, "coverage": {"type": "Coverage", "display": "全民健康保險"}}],
        "adjudication": [
            {
                "category": _concept(
                    _coding(ADJUDICATION, "submitted", "Submitted Amount"), text="申報點數"
                ),
                "value": visit.points,
            }
        ],
        "total": [
            {
                "category": _concept(
                    _coding(CARIN_ADJUDICATION, "paidbypatient", "Paid by patient"),
                    text="部分負擔",
                ),
                "amount": _money(visit.copayment),
            }
        ],
    }
    if items:
        day = visit.visit_date.isoformat()
        body["item"] = [
            {"sequence": n, **item, "servicedDate": day} for n, item in enumerate(items, 1)
        ]
    b.add(visit, "ExplanationOfBenefit", f"claim/{visit.pk}", body)


def _medication_request(b: _Bundle, visit: Visit, order, provider: dict) -> dict:
    request: dict[str, Any] = {
        "status": "completed",
        "intent": "order",
        "courseOfTherapyType": _concept(
            _coding(COURSE_OF_THERAPY, *(LONG_TERM if visit.chronic_refill else ACUTE))
        ),
        "medicationCodeableConcept": _drug_concept(order.drug),
        "subject": b.patient,
        "encounter": b.ref("Encounter", visit.pk),
        "authoredOn": visit.visit_date.isoformat(),
        "requester": provider,
    }
    if order.frequency:
        known = order.frequency in _FREQUENCIES
        codings = [_coding(TIMING_ABBREVIATION, order.frequency)] if known else []
        timing: dict[str, Any] = {"code": _concept(*codings, text=order.frequency)}
        if known:
            timing["repeat"] = {
                "frequency": _FREQUENCIES[order.frequency],
                "period": 1,
                "periodUnit": "d",
            }
        request["dosageInstruction"] = [{"text": order.frequency, "timing": timing}]
    request["dispenseRequest"] = {
        "quantity": _quantity(order.quantity, order.drug.unit),
        "expectedSupplyDuration": {
            "value": order.days,
            "unit": "days",
            "system": UCUM,
            "code": "d",
        },
    }
    return request


def _labs(b: _Bundle, rows: list) -> None:
    for result in rows:
        item = result.item
        system = LAB_ITEM if item.code == EGFR_CODE else NHI_SERVICE
        codings = [_coding(system, item.code, item.name_zh)]
        if item.code in LAB_LOINC:
            codings.append(_coding(LOINC, *LAB_LOINC[item.code]))
        observation: dict[str, Any] = {
            "identifier": _record_identifier("lab-result", result),
            "status": "final",
            "category": _category(LABORATORY),
            "code": _concept(*codings, text=item.name_zh),
            "subject": b.patient,
            "effectiveDateTime": result.collected_on.isoformat(),
            "performer": [b.provider(result.provider)],
        }
        if result.value is not None and item.kind == item.Kind.NUMERIC:
            observation["valueQuantity"] = _quantity(result.value, item.unit)
        else:
            observation["valueString"] = result.value_text
        observation["interpretation"] = _interpretation(*_FLAGS[result.flag])
        reference: dict[str, Any] = {}
        if item.reference_low is not None:
            reference["low"] = _quantity(item.reference_low, item.unit)
        if item.reference_high is not None:
            reference["high"] = _quantity(item.reference_high, item.unit)
        if item.reference_text:
            reference["text"] = item.reference_text
        if reference:
            observation["referenceRange"] = [reference]
        b.add(result, "Observation", f"lab/{result.pk}", observation)


def _reports(b: _Bundle, rows: list) -> None:
    for report in rows:
        imaging = report.kind == report.Kind.IMAGING
        category = ("RAD", "Radiology") if imaging else _PATHOLOGY
        title = f"{report.service.name_zh}（{report.body_site.name_zh}）"
        b.add(
            report,
            "DiagnosticReport",
            report.pk,
            {
                "identifier": _record_identifier("imaging-report", report),
                "status": "final",
                "category": [_concept(_coding(DIAGNOSTIC_SERVICE, *category))],
                "code": _service_concept(report.service),
                "subject": b.patient,
                "effectiveDateTime": report.examined_on.isoformat(),
                "performer": [b.provider(report.provider)],
                "conclusion": report.impression,
                "presentedForm": [_text_attachment(report.findings, title)],
            },
        )


def _discharge_summaries(b: _Bundle, rows: list[DischargeSummary]) -> None:
    fields = (
        "admitted_on",
        "discharged_on",
        "chief_complaint",
        "diagnoses",
        "course",
        "procedures",
        "discharge_plan",
    )
    title = str(DischargeSummary._meta.verbose_name)
    for summary in rows:
        text = "\n\n".join(
            f"{_field_label(DischargeSummary, f)}\n{_field_value(summary, f)}"
            for f in fields
            if getattr(summary, f)
        )
        context: dict[str, Any] = {
            "period": {
                "start": summary.admitted_on.isoformat(),
                "end": summary.discharged_on.isoformat(),
            }
        }
        if summary.visit.provider_id == summary.provider_id:
            # The stay's Encounter is in the inpatient file: named by its identifier.
            stay = _record_identifier("visit", summary.visit, summary.provider)
            context["encounter"] = [{"type": "Encounter", "identifier": stay[0]}]
        b.add(
            summary,
            "DocumentReference",
            summary.pk,
            {
                "identifier": _record_identifier("discharge-summary", summary),
                "status": "current",
                "type": _concept(_coding(LOINC, "18842-5", "Discharge summary")),
                "subject": b.patient,
                "author": [b.provider(summary.provider)],
                "content": [{"attachment": _text_attachment(text, title)}],
                "context": context,
            },
        )


def _allergies(b: _Bundle, rows: list) -> None:
    for allergy in rows:
        code = _drug_concept(allergy.drug) if allergy.drug else {}
        code["text"] = allergy.substance
        body: dict[str, Any] = {
            "identifier": _record_identifier("allergy", allergy),
            "clinicalStatus": _concept(_coding(ALLERGY_CLINICAL, "active", "Active")),
            "verificationStatus": _concept(_coding(ALLERGY_VERIFICATION, "confirmed", "Confirmed")),
            "type": "allergy",
            "category": ["medication"],
            "code": code,
            "patient": b.patient,
            "recordedDate": allergy.recorded_on.isoformat(),
            "note": [
                {
                    "authorReference": b.provider(allergy.provider),
                    "time": allergy.recorded_on.isoformat(),
                    "text": allergy.substance,
                }
            ],
        }
        if allergy.physician:
            body["recorder"] = {"display": allergy.physician}
        if allergy.reaction:
            body["reaction"] = [{"manifestation": [_concept(text=allergy.reaction)]}]
        b.add(allergy, "AllergyIntolerance", allergy.pk, body)


def _wishes(b: _Bundle, rows: list[CareWish]) -> None:
    for wish in rows:
        category, provision, subject, act = _WISHES[wish.kind]
        period = {"start": wish.signed_on.isoformat()}
        if wish.revoked_on:
            period["end"] = wish.revoked_on.isoformat()
        b.add(
            wish,
            "Consent",
            wish.pk,
            {
                "identifier": _record_identifier("care-wish", wish),
                "status": "inactive" if wish.revoked_on else "active",
                "scope": _concept(_coding(CONSENT_SCOPE, "adr", "Advanced Care Directive")),
                "category": [
                    _concept(_coding(CONSENT_CATEGORY, category)),
                    _concept(_coding(CARE_WISH, wish.kind, subject)),
                ],
                "patient": b.patient,
                "dateTime": wish.signed_on.isoformat(),
                "performer": [b.patient],
                "organization": [b.provider(wish.provider)],
                "policyRule": _concept(text=act),
                # Noted on the NHI card once the signed form was checked.
                "verification": [{"verified": True, "verificationDate": wish.noted_on.isoformat()}],
                "provision": {
                    "type": provision,
                    "period": period,
                    "code": [_concept(text=subject)],
                },
            },
        )


def _vaccinations(b: _Bundle, rows: list) -> None:
    for vaccination in rows:
        vaccine = vaccination.vaccine
        body: dict[str, Any] = {
            "identifier": _record_identifier("vaccination", vaccination),
            "status": "completed",
            "vaccineCode": _concept(
                _coding(VACCINE, vaccine.code, vaccine.name_en),
                *(
                    [_coding(CVX, *VACCINE_CVX[vaccine.code])]
                    if vaccine.code in VACCINE_CVX
                    else []
                ),
                text=vaccine.name_zh,
            ),
            "patient": b.patient,
            "occurrenceDateTime": vaccination.given_on.isoformat(),
            "performer": [{"actor": b.provider(vaccination.provider)}],
        }
        if vaccination.lot_number:
            body["lotNumber"] = vaccination.lot_number
        b.add(vaccination, "Immunization", vaccination.pk, body)


def _observation(
    b: _Bundle, category: str, code: tuple[str, str], effective: dict, **values: Any
) -> dict:
    return {
        "status": "final",
        "category": _category(category),
        "code": _concept(_coding(LOINC, *code)),
        "subject": b.patient,
        **effective,
        **values,
    }


def _blood_pressure(systolic, diastolic) -> dict:
    components = []
    for code, value in ((SYSTOLIC, systolic), (DIASTOLIC, diastolic)):
        if value is not None:
            components.append(
                {
                    "code": _concept(_coding(LOINC, *code)),
                    "valueQuantity": _quantity(value, "mm[Hg]"),
                }
            )
    return {"component": components}


def _preventive(b: _Bundle, rows: list) -> None:
    for check in rows:
        _preventive_check(b, check)


def _preventive_check(b: _Bundle, check) -> None:
    effective = {
        "effectiveDateTime": check.checked_on.isoformat(),
        "performer": [b.provider(check.provider)],
    }
    members: dict[str, dict] = {}

    def add(name: str, category: str, code: tuple[str, str], values: dict) -> None:
        body = _observation(b, category, code, effective, **values)
        members[name] = b.add(check, "Observation", f"preventive/{check.pk}/{name}", body)

    for field, (loinc, display, unit, category) in PREVENTIVE_VALUES.items():
        value = getattr(check, field)
        if value is not None:
            add(field, category, (loinc, display), {"valueQuantity": _quantity(value, unit)})
    if check.systolic is not None or check.diastolic is not None:
        panel = _blood_pressure(check.systolic, check.diastolic)
        add("blood_pressure", VITAL_SIGNS, BLOOD_PRESSURE, panel)
    if check.urine_protein:
        add("urine_protein", LABORATORY, URINE_PROTEIN, {"valueString": check.urine_protein})
    for field, loinc_code in SEROLOGY.items():
        value = getattr(check, field)
        if value in SEROLOGY_VALUES:
            answer = _concept(_coding(SNOMED, *SEROLOGY_VALUES[value]))
            add(field, LABORATORY, loinc_code, {"valueCodeableConcept": answer})
    for field, code, display, judged in PREVENTIVE_RESULTS:
        result = getattr(check, field)
        if result == CheckResult.NOT_DONE:
            continue
        body = {
            "status": "final",
            "category": _category("exam"),
            "code": _concept(_coding(PREVENTIVE_RESULT, code, display)),
            "subject": b.patient,
            **effective,
            "interpretation": _interpretation(
                *(_NORMAL if result == CheckResult.NORMAL else _ABNORMAL)
            ),
        }
        has_member = [members[name] for name in judged if name in members]
        if has_member:
            body["hasMember"] = has_member
        b.add(check, "Observation", f"preventive/{check.pk}/{code}", body)


def _calendar(b: _Bundle, rows: list, today: dt.date) -> None:
    for event in rows:
        if event.time:
            start = timezone.make_aware(dt.datetime.combine(event.date, event.time))
            end = start
        else:
            start = timezone.make_aware(dt.datetime.combine(event.date, dt.time()))
            end = start + dt.timedelta(days=1)
        body: dict[str, Any] = {
            "status": "fulfilled" if event.date < today else "booked",
            "description": event.title,
            "start": instant(start),
            "end": instant(end),
            "participant": [{"actor": b.patient, "status": "accepted"}],
        }
        if event.note:
            body["comment"] = event.note
        b.add(event, "Appointment", event.pk, body)


def _measurements(b: _Bundle, rows: list[Measurement]) -> None:
    at_once: dict[dt.datetime, dict[str, Measurement]] = {}
    for measurement in rows:
        at_once.setdefault(measurement.measured_at, {})[measurement.kind] = measurement
    for measurement in rows:
        effective = {"effectiveDateTime": instant(measurement.measured_at)}
        pair = at_once[measurement.measured_at]
        systolic = pair.get(Measurement.Kind.SYSTOLIC)
        diastolic = pair.get(Measurement.Kind.DIASTOLIC)
        if systolic and diastolic:
            if measurement is systolic:  # the pair once, as a blood-pressure panel
                panel = _blood_pressure(systolic.value, diastolic.value)
                body = _observation(b, VITAL_SIGNS, BLOOD_PRESSURE, effective, **panel)
                b.add(systolic, "Observation", f"measurement/{systolic.pk}", body)
            if measurement in (systolic, diastolic):
                continue
        loinc, display, unit, category = _MEASUREMENTS[measurement.kind]
        value = {"valueQuantity": _quantity(measurement.value, unit)}
        body = _observation(b, category, (loinc, display), effective, **value)
        b.add(measurement, "Observation", f"measurement/{measurement.pk}", body)


_RENDERERS: dict[str, Callable[[_Bundle, list], None]] = {
    "cards": _cards,
    "premium_bills": _premium_bills,
    "premium_payments": _premium_payments,
    "outpatient": _visits,
    "inpatient": _visits,
    "dental": _visits,
    "tcm": _visits,
    "labs": _labs,
    "reports": _reports,
    "discharge_summaries": _discharge_summaries,
    "allergies": _allergies,
    "wishes": _wishes,
    "vaccinations": _vaccinations,
    "preventive": _preventive,
    "measurements": _measurements,
}


def _collect(b: _Bundle, category: Category, rows: list, today: dt.date) -> None:
    if category.code == "calendar":
        _calendar(b, rows, today)
    else:
        _RENDERERS[category.code](b, rows)


def fhir_bundle(
    category: Category, person: Person, rows: list, period: Window, generated_at: dt.datetime
) -> dict:
    """The category's rows of `person` over `period` as a FHIR R4 collection Bundle."""
    today = timezone.localtime(generated_at).date()
    b = _Bundle(person, today=today)
    _collect(b, category, rows, today)
    bundle_id = str(
        uuid.uuid5(
            _NAMESPACE,
            f"Bundle/{person.pk}/{category.code}/{period.start}/{period.end}/"
            f"{generated_at.isoformat()}",
        )
    )
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
        "type": "collection",
        "timestamp": instant(generated_at),
        "entry": b.entries(),
    }


def api_resources(
    category: Category,
    person: Person,
    rows: list,
    *,
    today: dt.date,
    base: str,
    types: Collection[str] | None = None,
) -> tuple[list[dict], list[dict]]:
    """The category's rows of `person` as the API serves them: (records, organizations),
    each a search entry (fullUrl under `base`, the resource), references relative. The
    same resources as a package's, but for references and fullUrls. With `types` only
    resources of those types are made (a visit's rows then need only the details
    VISIT_DETAILS names for them); references to the others are the same."""
    b = _Bundle(person, base=base, today=today, types=types)
    _collect(b, category, rows, today)
    return b.records, list(b.organizations.values())


def patient_entry(person: Person, *, base: str, national_id: bool = False) -> dict:
    """The person's Patient as the API serves it (a search entry): name, sex and birth date,
    and never the national ID unless `national_id` (no consent screen offers it: apps get
    this system's patient id as the identifier TW Core requires)."""
    return _Bundle(person, base=base).patient_resource(national_id=national_id)
