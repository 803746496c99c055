"""The package's documents (健康存摺下載檔): for one category of one person over one period, a
printable HTML file and an XML file following schema/healthbank-package.xsd; and the ZIP's
README.txt. The FHIR Bundle is fhir.py's.

Both files read the rows categories.py gives (newest first, joins done), so they hold what
the portal's pages show. The HTML is self-contained (inline style, no script, no link), in
Traditional Chinese with the English after it in headings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.template.loader import render_to_string
from django.utils import timezone, translation
from lxml import etree

from healthbank.core.rocdate import ROC_OFFSET, to_roc
from healthbank.people.models import Person
from healthbank.records.categories import Category
from healthbank.records.measures import BMI_UNIT, MEASURES, bmi
from healthbank.records.models import LabResult, Measurement
from healthbank.records.preventive import PREVENTIVE_SECTIONS
from healthbank.records.rules import Window

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "healthbank-package.xsd"
NAMESPACE = "https://healthbank.example/schema/package/1"
SCHEMA_VERSION = "1"

# What XML 1.0 cannot hold (lxml refuses it): control characters a person may have typed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROC_EPOCH = dt.date(ROC_OFFSET + 1, 1, 1)


class PackagePart(Protocol):
    """One file set of the ZIP (package.Part): its category, file name without suffix,
    period and rows."""

    @property
    def category(self) -> Category: ...
    @property
    def name(self) -> str: ...
    @property
    def period(self) -> Window: ...
    @property
    def rows(self) -> list[Any]: ...


@cache
def xml_schema() -> etree.XMLSchema:
    """The package schema, parsed once (for validating in tests and on the way out)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


# ---- shared helpers -------------------------------------------------------------------


def both(text) -> tuple[str, str]:
    """A (lazily) translated string in Chinese and in English."""
    with translation.override("zh-hant"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh, en


def _label(text) -> dict:
    """A heading's Chinese and English; no English when the catalogue has no Chinese yet."""
    zh, en = both(text)
    return {"zh": zh, "en": "" if en == zh else en}


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _period(period: Window) -> dict:
    # Categories kept for good (cards, wishes) start in 1900, before the ROC calendar.
    since_ever = period.start < _ROC_EPOCH
    return {
        "since_ever": since_ever,
        "start_roc": "" if since_ever else to_roc(period.start),
        "end_roc": to_roc(period.end),
        "start_iso": period.start.isoformat(),
        "end_iso": period.end.isoformat(),
    }


def _generated(generated_at: dt.datetime) -> dict:
    local = _local(generated_at)
    return {
        "roc": f"{to_roc(local.date())} {local:%H:%M}",
        "iso": local.isoformat(timespec="seconds"),
    }


# ---- HTML ------------------------------------------------------------------------------


def _preventive(rows: list) -> dict:
    """The portal's table: the seed's items as rows, the checks (latest first) as columns."""
    sections = []
    for title, fields in PREVENTIVE_SECTIONS:
        items = []
        for field in fields:
            cells = []
            for check in rows:
                value = getattr(check, field.attr)
                if field.kind == "value":
                    cells.append({"text": "" if value in (None, "") else value, "flag": False})
                else:
                    text = getattr(check, f"get_{field.attr}_display")()
                    cells.append({"text": text, "flag": value in ("abnormal", "positive")})
            items.append({"label": _label(field.label), "unit": field.unit, "cells": cells})
        sections.append({"title": _label(title), "items": items})
    return {"sections": sections}


def _measurements(rows: list[Measurement]) -> dict:
    """The portal's history table: one row a time, a column a kind, BMI after weight."""
    by_time: dict[dt.datetime, dict[str, Decimal]] = {}
    for row in rows:
        by_time.setdefault(row.measured_at, {})[row.kind] = row.value
    # As the portal does: the height current then, else the latest one.
    latest_height = next((r.value for r in rows if r.kind == Measurement.Kind.HEIGHT), None)
    sittings = []
    height = None
    for measured_at, values in sorted(by_time.items()):  # oldest first, carrying the height
        height = values.get(Measurement.Kind.HEIGHT, height)
        cells: list[Decimal | None] = []
        for measure in MEASURES:
            cells.append(values.get(measure.kind))
            if measure.kind == Measurement.Kind.WEIGHT:
                cells.append(bmi(height or latest_height, values.get(measure.kind)))
        sittings.append({"at": _local(measured_at), "cells": cells})
    sittings.reverse()
    columns: list[dict[str, Any]] = []
    for measure in MEASURES:
        columns.append({"label": _label(measure.label), "unit": measure.unit})
        if measure.kind == Measurement.Kind.WEIGHT:
            columns.append({"label": {"zh": "BMI", "en": ""}, "unit": BMI_UNIT})
    return {"columns": columns, "sittings": sittings}


_HTML_EXTRA = {"preventive": _preventive, "measurements": _measurements}


def html_file(
    category: Category, person: Person, rows: list, period: Window, generated_at: dt.datetime
) -> str:
    """The printable file: a self-contained HTML5 page, Chinese first, English after."""
    label_zh, label_en = both(category.label)
    context = {
        "category": category,
        "label_zh": label_zh,
        "label_en": label_en,
        "person": person,
        "rows": rows,
        "period": _period(period),
        "generated": _generated(generated_at),
    }
    if rows and category.code in _HTML_EXTRA:
        context.update(_HTML_EXTRA[category.code](rows))
    with translation.override("zh-hant"):
        return render_to_string(f"downloads/package/{category.code}.html", context)


# ---- XML -------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _format(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")  # never 1E+2: xs:decimal has no exponent
    return _NOT_XML.sub("", str(value))


def _add(parent: etree._Element, tag: str, value=None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, _q(tag))
    for name, attribute in attributes.items():
        if attribute is not None:
            element.set(name, _format(attribute))
    if value is not None:
        element.text = _format(value)
    return element


def _opt(parent: etree._Element, tag: str, value) -> None:
    """An optional element: left out when the value is missing or blank."""
    if value is not None and value != "":
        _add(parent, tag, value)


def _coded(parent: etree._Element, tag: str, entry, **attributes) -> etree._Element:
    element = _add(parent, tag, code=entry.code, **attributes)
    _add(element, "nameZh", entry.name_zh or entry.name_en or entry.code)
    _opt(element, "nameEn", entry.name_en)
    return element


def _organisation(parent: etree._Element, tag: str, organisation) -> None:
    element = _add(parent, tag, code=organisation.code)
    _add(element, "name", organisation.name or organisation.code)
    _opt(element, "phone", getattr(organisation, "phone", ""))
    _opt(element, "address", getattr(organisation, "address", ""))


def _month(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def _card_issuance(section, row) -> None:
    element = _add(section, "cardIssuance", reason=row.reason, channel=row.channel)
    _add(element, "appliedOn", row.applied_on)
    _add(element, "collectedOn", row.issued_on)
    card = _add(element, "card", status=row.card.status)
    _add(card, "numberMasked", str(row.card))
    _add(card, "issuedOn", row.card.issued_on)
    _add(element, "fee", row.fee)


def _premium_bill(section, row) -> None:
    element = _add(section, "premiumBill", insuredCategory=row.category)
    _add(element, "month", _month(row.month))
    _organisation(element, "insuredUnit", row.unit)
    _add(element, "insuredAmount", row.insured_amount)
    _add(element, "dependants", row.dependants)
    _add(element, "amount", row.amount)
    _add(element, "dueDate", row.due_date)


def _premium_payment(section, row) -> None:
    element = _add(section, "premiumPayment", method=row.method)
    _add(element, "paidOn", row.paid_on)
    _add(element, "forMonth", _month(row.bill.month))
    _add(element, "amount", row.amount)


def _visit(section, row) -> None:
    element = _add(section, "visit", kind=row.kind)
    _add(element, "date", row.visit_date)
    _opt(element, "dischargeDate", row.discharge_date)
    _organisation(element, "provider", row.provider)
    _coded(element, "department", row.department)
    diagnoses = _add(element, "diagnoses")
    ranked = list(row.diagnoses.all())
    if ranked:
        for d in ranked:
            _coded(diagnoses, "diagnosis", d.diagnosis, rank=d.rank)
    else:  # a claim with its main diagnosis only
        _coded(diagnoses, "diagnosis", row.primary_diagnosis, rank=1)
    _add(element, "copayment", row.copayment)
    _add(element, "points", row.points)
    _add(element, "cardSequence", row.card_sequence)
    if row.chronic_refill:
        _add(element, "chronicRefill", refillNumber=row.refill_number)
    drugs = _add(element, "drugOrders")
    for order in row.drug_orders.all():
        item = _add(drugs, "drugOrder")
        _coded(item, "drug", order.drug)
        _add(item, "days", order.days)
        _add(item, "quantity", order.quantity)
        _opt(item, "frequency", order.frequency)
    services = _add(element, "serviceOrders")
    for order in row.service_orders.all():
        item = _add(services, "serviceOrder")
        _coded(item, "service", order.service)
        _add(item, "quantity", order.quantity)
        if order.tooth is not None:
            _coded(item, "tooth", order.tooth)
    surgeries = _add(element, "surgeries")
    for surgery in row.surgeries.all():
        item = _add(surgeries, "surgery")
        _coded(item, "service", surgery.service)
        _coded(item, "bodySite", surgery.body_site)
        _add(item, "date", surgery.performed_on)


_LAB_FLAGS = {
    LabResult.Flag.NORMAL: "normal",
    LabResult.Flag.HIGH: "high",
    LabResult.Flag.LOW: "low",
    LabResult.Flag.ABNORMAL: "abnormal",
}


def _lab_result(section, row) -> None:
    element = _add(section, "labResult", flag=_LAB_FLAGS.get(row.flag, "normal"))
    item = row.item
    _add(element, "date", row.collected_on)
    _coded(element, "item", item)
    _opt(element, "shortName", item.short_name)
    _opt(element, "value", row.value)
    _add(element, "valueText", row.value_text)
    _opt(element, "unit", item.unit)
    _opt(element, "referenceLow", item.reference_low)
    _opt(element, "referenceHigh", item.reference_high)
    _add(element, "referenceText", item.reference_text)
    _organisation(element, "provider", row.provider)


def _report(section, row) -> None:
    element = _add(section, "report", kind=row.kind)
    _add(element, "date", row.examined_on)
    _coded(element, "exam", row.service)
    _coded(element, "bodySite", row.body_site)
    _organisation(element, "provider", row.provider)
    _add(element, "findings", row.findings)
    _add(element, "impression", row.impression)


def _discharge_summary(section, row) -> None:
    element = _add(section, "dischargeSummary")
    _add(element, "admittedOn", row.admitted_on)
    _add(element, "dischargedOn", row.discharged_on)
    _organisation(element, "provider", row.provider)
    _add(element, "chiefComplaint", row.chief_complaint)
    _add(element, "diagnoses", row.diagnoses)
    _add(element, "course", row.course)
    _opt(element, "procedures", row.procedures)
    _add(element, "dischargePlan", row.discharge_plan)


def _allergy(section, row) -> None:
    element = _add(section, "allergy")
    _add(element, "recordedOn", row.recorded_on)
    _add(element, "substance", row.substance)
    if row.drug is not None:
        _coded(element, "drug", row.drug)
    _opt(element, "reaction", row.reaction)
    _opt(element, "physician", row.physician)
    _organisation(element, "provider", row.provider)


def _wish(section, row) -> None:
    element = _add(section, "wish", kind=row.kind)
    _add(element, "signedOn", row.signed_on)
    _add(element, "notedOn", row.noted_on)
    _opt(element, "revokedOn", row.revoked_on)
    _organisation(element, "provider", row.provider)


def _vaccination(section, row) -> None:
    element = _add(section, "vaccination")
    _add(element, "date", row.given_on)
    _coded(element, "vaccine", row.vaccine)
    _opt(element, "lotNumber", row.lot_number)
    _organisation(element, "provider", row.provider)


# The schema's order; (element, model field).
_PREVENTIVE_FIELDS = (
    ("heightCm", "height_cm"),
    ("weightKg", "weight_kg"),
    ("bmi", "bmi"),
    ("waistCm", "waist_cm"),
    ("systolic", "systolic"),
    ("diastolic", "diastolic"),
    ("bloodPressureResult", "blood_pressure_result"),
    ("totalCholesterol", "total_cholesterol"),
    ("triglycerides", "triglycerides"),
    ("hdl", "hdl"),
    ("ldl", "ldl"),
    ("lipidResult", "lipid_result"),
    ("fastingGlucose", "fasting_glucose"),
    ("glucoseResult", "glucose_result"),
    ("bun", "bun"),
    ("creatinine", "creatinine"),
    ("egfr", "egfr"),
    ("kidneyResult", "kidney_result"),
    ("urineProtein", "urine_protein"),
    ("metabolicSyndromeResult", "metabolic_syndrome_result"),
    ("ast", "ast"),
    ("alt", "alt"),
    ("liverResult", "liver_result"),
    ("hbsag", "hbsag"),
    ("antiHcv", "anti_hcv"),
)


def _preventive_check(section, row) -> None:
    element = _add(section, "preventiveCheck")
    _add(element, "date", row.checked_on)
    _organisation(element, "provider", row.provider)
    for tag, attr in _PREVENTIVE_FIELDS:
        _opt(element, tag, getattr(row, attr))


def _event(section, row) -> None:
    element = _add(section, "event")
    _add(element, "date", row.date)
    _opt(element, "time", row.time)
    _add(element, "title", row.title)
    _opt(element, "note", _NOT_XML.sub("", row.note).strip())


# Units as in the portal's columns, in their international form.
_MEASUREMENT_UNITS = {
    Measurement.Kind.HEIGHT: "cm",
    Measurement.Kind.WEIGHT: "kg",
    Measurement.Kind.WAIST: "cm",
    Measurement.Kind.SYSTOLIC: "mmHg",
    Measurement.Kind.DIASTOLIC: "mmHg",
    Measurement.Kind.FASTING_GLUCOSE: "mg/dL",
    Measurement.Kind.HEART_RATE: "/min",
}


def _measurement(section, row) -> None:
    element = _add(section, "measurement", kind=row.kind)
    _add(element, "measuredAt", row.measured_at)
    _add(element, "value", row.value)
    _add(element, "unit", _MEASUREMENT_UNITS[row.kind])


# category code -> (section element, row writer)
_XML_SECTIONS = {
    "cards": ("cards", _card_issuance),
    "premium_bills": ("premiumBills", _premium_bill),
    "premium_payments": ("premiumPayments", _premium_payment),
    "outpatient": ("outpatient", _visit),
    "inpatient": ("inpatient", _visit),
    "dental": ("dental", _visit),
    "tcm": ("tcm", _visit),
    "labs": ("labs", _lab_result),
    "reports": ("reports", _report),
    "discharge_summaries": ("dischargeSummaries", _discharge_summary),
    "allergies": ("allergies", _allergy),
    "wishes": ("wishes", _wish),
    "vaccinations": ("vaccinations", _vaccination),
    "preventive": ("preventive", _preventive_check),
    "calendar": ("calendar", _event),
    "measurements": ("measurements", _measurement),
}


def xml_file(
    category: Category, person: Person, rows: list, period: Window, generated_at: dt.datetime
) -> bytes:
    """The machine-readable file: UTF-8 XML valid against healthbank-package.xsd."""
    root = etree.Element(_q("healthbankPackage"), nsmap={None: NAMESPACE})
    root.set("version", SCHEMA_VERSION)
    root.set("category", category.code)
    root.set("generated", _format(generated_at))
    root.set("periodStart", _format(period.start))
    root.set("periodEnd", _format(period.end))
    who = _add(root, "person")
    _add(who, "name", person.name)
    _add(who, "nationalIdMasked", person.masked_id)
    _add(who, "birthDate", person.birth_date)
    _add(who, "sex", person.sex)
    tag, write = _XML_SECTIONS[category.code]
    section = _add(root, tag, count=len(rows))
    for row in rows:
        write(section, row)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---- README ----------------------------------------------------------------------------


def readme_text(parts: Sequence[PackagePart], person: Person, generated_at: dt.datetime) -> str:
    """README.txt of the ZIP, Chinese then English: what each file is, how they are named,
    the password rule and keeping the files safe. With a BOM and CRLF line ends, so that
    Windows Notepad shows the Chinese right."""
    files = []
    for part in parts:
        label_zh, label_en = both(part.category.label)
        files.append(
            {
                "name": part.name,
                "label_zh": label_zh,
                "label_en": label_en,
                "period": _period(part.period),
                "count": len(part.rows),
            }
        )
    context = {
        "person": person,
        "files": files,
        "generated": _generated(generated_at),
        "schema_name": SCHEMA_PATH.name,
    }
    with translation.override("zh-hant"):
        text: str = render_to_string("downloads/package/readme.txt", context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return "\ufeff" + text.replace("\n", "\r\n") + "\r\n"
