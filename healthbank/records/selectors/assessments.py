"""The inputs of the disease assessments (疾病評估), read from a person's uploaded lab results.

Seed 000: "風險因子輸入健保特約醫事機構上傳之檢驗(查)結果估算" - each input is the person's
latest result of its test within the record window, and the page shows which result it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from healthbank.people.models import Person
from healthbank.records.assessments import LiverRiskInputs
from healthbank.records.models import LabResult
from healthbank.records.rules import Window as Period
from healthbank.records.rules import is_positive, record_window
from healthbank.records.selectors.labs import latest_results

# Lab item codes (healthbank/codes/data/labitem.csv). There is no urine protein/creatinine
# ratio item, so the kidney page reads ACR only; PCR can still be entered to recalculate.
ALT_CODE = "09026C"
HBEAG_CODE = "14035C"
EGFR_CODE = "EGFR"
ACR_CODE = "12111C"


@dataclass(frozen=True)
class LiverSources:
    """Where each input of the liver-cancer score came from; None: no result in the window."""

    window: Period
    sex: str
    birth_date: dt.date
    alt: LabResult | None
    hbeag: LabResult | None


def liver_risk_inputs(person: Person, today: dt.date) -> tuple[LiverRiskInputs, LiverSources]:
    """Sex and age from the person, ALT and HBeAg from their latest results (one query)."""
    window = record_window(today)
    latest = latest_results(person, (ALT_CODE, HBEAG_CODE), window, numeric=(ALT_CODE,))
    alt, hbeag = latest.get(ALT_CODE), latest.get(HBEAG_CODE)
    inputs = LiverRiskInputs(
        sex=person.sex,
        age=person.age_on(today),
        alt=alt.value if alt else None,
        hbeag_positive=is_positive(hbeag) if hbeag else None,
    )
    return inputs, LiverSources(window, person.sex, person.birth_date, alt, hbeag)


@dataclass(frozen=True)
class KidneyInputs:
    """eGFR (ml/min/1.73 m²) and urine ratios (mg/g) for the KDIGO grid; None when unknown."""

    egfr: Decimal | None
    acr: Decimal | None
    pcr: Decimal | None = None


@dataclass(frozen=True)
class KidneySources:
    """The results behind the kidney inputs, and every eGFR and ACR in the window (oldest first)."""

    window: Period
    egfr: LabResult | None
    acr: LabResult | None
    egfr_series: list[LabResult]
    acr_series: list[LabResult]


def kidney_inputs(person: Person, today: dt.date) -> tuple[KidneyInputs, KidneySources]:
    """The latest eGFR and ACR in the record window, and their history for the chart (one query)."""
    window = record_window(today)
    rows = list(
        LabResult.objects.filter(
            person=person,
            item_id__in=(EGFR_CODE, ACR_CODE),
            collected_on__range=(window.start, window.end),
            value__isnull=False,
        )
        .select_related("item", "provider")
        .order_by("collected_on", "pk")
    )
    egfrs = [row for row in rows if row.item_id == EGFR_CODE]
    acrs = [row for row in rows if row.item_id == ACR_CODE]
    egfr, acr = (egfrs[-1] if egfrs else None), (acrs[-1] if acrs else None)
    inputs = KidneyInputs(egfr.value if egfr else None, acr.value if acr else None)
    return inputs, KidneySources(window, egfr, acr, egfrs, acrs)
