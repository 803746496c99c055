"""The fields of each row type (rows.py), as data: what kind of value each holds, whether it
is required, and its limits. Validation walks these; the CSV reader reads its cells by them;
the schema documents list them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from healthbank.codes.models import (
    BodySite,
    Department,
    Diagnosis,
    Drug,
    LabItem,
    Service,
    ToothPosition,
    Vaccine,
)
from healthbank.ingest import rules
from healthbank.records import rules as record_rules
from healthbank.records.models import (
    CareWish,
    ImagingReport,
    LabResult,
    PreventiveCheck,
    Provider,
    Visit,
)


@dataclass(frozen=True)
class Field:
    """kind: str (one line), text (several lines), date, datetime (with its UTC offset), int,
    decimal, bool, choice, choices (a list of distinct choices), code (one code of `table`),
    codes (a list of them), orders (a list of objects of `item`), ref (a visit's id from the
    same provider)."""

    kind: str
    required: bool = True
    max_chars: int = 0
    choices: tuple[str, ...] = ()
    table: type[models.Model] | None = None
    low: int = 0
    high: int = 0
    max_digits: int = 0
    decimal_places: int = 0
    max_items: int = 0
    item: dict[str, Field] = field(default_factory=dict)
    signed: bool = False  # a decimal may be negative (a lab value)
    positive: bool = False  # a decimal must be above zero (a quantity)

    @property
    def code_table(self) -> type[models.Model]:
        """The table a code's (or codes') values are looked up in."""
        if self.table is None:
            raise TypeError(f"a {self.kind} field has no code table")
        return self.table


def Str(max_chars: int, required: bool = True) -> Field:  # noqa: N802 - reads as a type
    return Field("str", required, max_chars=max_chars)


def Text(required: bool = True) -> Field:  # noqa: N802
    return Field("text", required, max_chars=rules.MAX_TEXT_CHARS)


def Date(required: bool = True) -> Field:  # noqa: N802
    return Field("date", required)


def Int(low: int, high: int, required: bool = True) -> Field:  # noqa: N802
    return Field("int", required, low=low, high=high)


def Decimal(  # noqa: N802
    max_digits: int,
    places: int,
    required: bool = True,
    *,
    high: int = 0,
    signed: bool = False,
    positive: bool = False,
) -> Field:
    return Field(
        "decimal",
        required,
        max_digits=max_digits,
        decimal_places=places,
        high=high,
        signed=signed,
        positive=positive,
    )


def Code(table: type[models.Model], required: bool = True) -> Field:  # noqa: N802
    return Field("code", required, table=table)


def Choice(choices: type[models.Choices] | tuple[str, ...], required: bool = True) -> Field:  # noqa: N802
    values = choices if isinstance(choices, tuple) else tuple(choices.values)
    return Field("choice", required, choices=values)


# Every row has these; `national_id` is required unless the row voids.
COMMON = {
    "type": Field("choice", choices=()),  # checked against rows.TYPES first
    "id": Str(rules.MAX_ID_CHARS),
    "national_id": Str(10),
    "void": Field("bool", required=False),
}

DRUG_ORDER = {
    "drug": Code(Drug),
    "days": Int(1, rules.MAX_DRUG_DAYS),
    "quantity": Decimal(8, 2, high=rules.MAX_QUANTITY, positive=True),
    "frequency": Str(10, required=False),
}
SERVICE_ORDER = {
    "service": Code(Service),
    "quantity": Decimal(8, 2, required=False, high=rules.MAX_QUANTITY, positive=True),
    "tooth": Code(ToothPosition, required=False),
}
SURGERY = {
    "service": Code(Service),
    "body_site": Code(BodySite),
    "performed_on": Date(),
}


def _orders(item: dict[str, Field]) -> Field:
    return Field("orders", required=False, max_items=rules.MAX_ORDERS, item=item)


def _preventive_fields() -> dict[str, Field]:
    """PreventiveCheck's measurements by name, with the model's own digits and choices."""
    fields: dict[str, Field] = {}
    for f in PreventiveCheck._meta.concrete_fields:
        if f.name in {"id", "person", "provider", "source_id", "checked_on"}:
            continue
        if isinstance(f, models.DecimalField):
            fields[f.name] = Decimal(f.max_digits, f.decimal_places, required=not f.null)
        elif isinstance(f, models.PositiveSmallIntegerField):
            fields[f.name] = Int(0, 32767, required=not f.null)
        elif f.choices:
            fields[f.name] = Choice(tuple(value for value, _ in f.choices), required=not f.blank)
        else:
            fields[f.name] = Str(f.max_length or 0, required=not f.blank)
    return fields


FIELDS: dict[str, dict[str, Field]] = {
    "visit": {
        "kind": Choice(Visit.Kind),
        "visit_date": Date(),
        "discharge_date": Date(required=False),
        "department": Code(Department),
        "diagnoses": Field("codes", table=Diagnosis, max_items=rules.MAX_DIAGNOSES),
        "copayment": Int(0, rules.MAX_COPAYMENT),
        "points": Int(0, rules.MAX_POINTS),
        "card_sequence": Str(rules.CARD_SEQUENCE_CHARS),
        "chronic_refill": Field("bool", required=False),
        "refill_number": Int(1, rules.MAX_REFILL_NUMBER, required=False),
        "drug_orders": _orders(DRUG_ORDER),
        "service_orders": _orders(SERVICE_ORDER),
        "surgeries": _orders(SURGERY),
    },
    "lab_result": {
        "item": Code(LabItem),
        "collected_on": Date(),
        "value_text": Str(40),
        "value": Decimal(10, 2, required=False, signed=True),
        "flag": Choice(LabResult.Flag, required=False),
        "visit": Field("ref", required=False),
    },
    "imaging_report": {
        "kind": Choice(ImagingReport.Kind),
        "service": Code(Service),
        "body_site": Code(BodySite),
        "examined_on": Date(),
        "findings": Text(),
        "impression": Text(),
        "visit": Field("ref", required=False),
    },
    "discharge_summary": {
        "visit": Field("ref"),
        "admitted_on": Date(),
        "discharged_on": Date(),
        "chief_complaint": Text(),
        "diagnoses": Text(),
        "course": Text(),
        "procedures": Text(required=False),
        "discharge_plan": Text(),
    },
    "allergy": {
        "recorded_on": Date(),
        "substance": Str(120),
        "drug": Code(Drug, required=False),
        "reaction": Str(100, required=False),
        "physician": Str(50, required=False),
    },
    "vaccination": {
        "vaccine": Code(Vaccine),
        "given_on": Date(),
        "lot_number": Str(20, required=False),
    },
    "preventive_check": {"checked_on": Date(), **_preventive_fields()},
    "care_wish": {
        "kind": Choice(CareWish.Kind),
        "signed_on": Date(),
        "noted_on": Date(),
        "revoked_on": Date(required=False),
    },
    "facility": {
        "latitude": Decimal(9, 6, signed=True),
        "longitude": Decimal(9, 6),
        "sessions": Field(
            "choices",
            choices=record_rules.SESSION_NAMES,
            max_items=len(record_rules.SESSION_NAMES),
        ),
        "departments": Field(
            "codes", required=False, table=Department, max_items=rules.MAX_DEPARTMENTS
        ),
        "emergency_level": Choice(Provider.EmergencyLevel, required=False),
    },
    "er_load": {
        "reported_at": Field("datetime"),
        "waiting_to_be_seen": Int(0, rules.MAX_WAITING),
        "waiting_for_bed": Int(0, rules.MAX_WAITING),
        "waiting_for_admission": Int(0, rules.MAX_WAITING),
    },
    "prior_review": {
        "service": Code(Service, required=False),
        "drug": Code(Drug, required=False),
        "submitted_on": Date(),
        "decision": Choice(rules.PRIOR_REVIEW_DECISIONS, required=False),
        "decided_on": Date(required=False),
        "note": Str(rules.PRIOR_REVIEW_NOTE_CHARS, required=False),
    },
}

# The date each type is about: insurance is checked on it.
RECORD_DATE = {
    "visit": "visit_date",
    "lab_result": "collected_on",
    "imaging_report": "examined_on",
    "discharge_summary": "admitted_on",
    "allergy": "recorded_on",
    "vaccination": "given_on",
    "preventive_check": "checked_on",
    "care_wish": "signed_on",
    "prior_review": "submitted_on",
}
