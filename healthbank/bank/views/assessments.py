"""Disease assessments (疾病評估): liver-cancer risk (肝癌風險預測), CKD prognosis (末期腎病評估).

Each page scores the person's own latest results (the selectors) with the seed's rules
(bank/assessments.py). 重新計算 is a GET form that scores values the person types instead;
重新載入個人資料 is the page without parameters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from healthbank.bank import charts
from healthbank.bank.portal import Portal, portal_page
from healthbank.core.templatetags.rocdate import rocdate
from healthbank.people.models import Sex
from healthbank.records.assessments import (
    ALBUMINURIA_COLUMNS,
    FOLLOW_UP_LABELS,
    GRID,
    LIVER_MODEL_NOTE,
    LIVER_RISK_BANDS,
    LIVER_SCORE_TABLE,
    NOT_APPLICABLE_NOTES,
    CkdRiskLevel,
    LiverRiskInputs,
    ckd_prognosis,
    liver_cancer_risk,
)
from healthbank.records.selectors.assessments import (
    EGFR_CODE,
    KidneyInputs,
    kidney_inputs,
    liver_risk_inputs,
)

POSITIVE, NEGATIVE = "positive", "negative"

LIVER_NOTES = (
    *NOT_APPLICABLE_NOTES,
    _("The risk factors are taken from the test results NHI-contracted providers uploaded."),
    _(
        "“Recalculate” lets you change each value yourself; “Reload my data” brings back the "
        "values from your records."
    ),
)
KIDNEY_NOTES = (
    _("The risk factors are loaded from the test results NHI-contracted providers uploaded."),
    _(
        "“Recalculate” lets you change each value yourself; “Reload my data” brings back the "
        "values from your records."
    ),
)
# Seed note 1 under the grid names each colour: 綠色…；黃色…；橙色…；紅色…；深紅色….
COLOUR_NAMES = {
    CkdRiskLevel.GREEN: _("Green"),
    CkdRiskLevel.YELLOW: _("Yellow"),
    CkdRiskLevel.ORANGE: _("Orange"),
    CkdRiskLevel.RED: _("Red"),
    CkdRiskLevel.DARKRED: _("Dark red"),
}


class RecalculateForm(forms.Form):
    """A recalculation form is bound only when the query string carries one of its fields."""

    @classmethod
    def from_query(cls, request: HttpRequest, initial: dict) -> Self:
        if any(name in request.GET for name in cls.base_fields):
            return cls(request.GET)
        return cls(initial=initial)


class LiverRecalculateForm(RecalculateForm):
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    age = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=120)
    alt = forms.DecimalField(
        label=_("ALT (U/L)"), min_value=0, max_value=5000, max_digits=7, decimal_places=2
    )
    hbeag = forms.ChoiceField(
        label=_("HBeAg"),
        choices=((NEGATIVE, _("Negative (−)")), (POSITIVE, _("Positive (+)"))),
        widget=forms.RadioSelect,
    )

    def inputs(self) -> LiverRiskInputs:
        data = self.cleaned_data
        return LiverRiskInputs(data["sex"], data["age"], data["alt"], data["hbeag"] == POSITIVE)


RATIO_LIMIT = 100000


class KidneyRecalculateForm(RecalculateForm):
    egfr = forms.DecimalField(
        label=_("eGFR (ml/min/1.73 m²)"), min_value=0, max_value=200, max_digits=6, decimal_places=2
    )
    acr = forms.DecimalField(
        label=_("ACR (mg/g)"),
        required=False,
        min_value=0,
        max_value=RATIO_LIMIT,
        max_digits=8,
        decimal_places=2,
    )
    pcr = forms.DecimalField(
        label=_("PCR (mg/g)"),
        required=False,
        min_value=0,
        max_value=RATIO_LIMIT,
        max_digits=8,
        decimal_places=2,
        help_text=_("Only needed when there is no ACR; ACR is used when both are given."),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if (
            not self.has_error("acr")
            and not self.has_error("pcr")
            and data.get("acr") is None
            and data.get("pcr") is None
        ):
            raise forms.ValidationError(
                _("Enter a urine albumin/creatinine ratio (ACR) or a protein ratio (PCR)."),
                code="ratio_required",
            )
        return data

    def inputs(self) -> KidneyInputs:
        data = self.cleaned_data
        return KidneyInputs(data["egfr"], data["acr"], data["pcr"])


def _reload_url(name: str) -> str:
    return reverse(f"bank:{name}")


def _plain(value: Decimal | int | None) -> str | None:
    """A lab value as typed: 69.00 -> "69", 41.30 -> "41.3"."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def _hbeag_choice(positive: bool | None) -> str | None:
    if positive is None:
        return None
    return POSITIVE if positive else NEGATIVE


@portal_page
def liver_risk(request: HttpRequest, portal: Portal) -> HttpResponse:
    own, sources = liver_risk_inputs(portal.subject, portal.today)
    form = LiverRecalculateForm.from_query(
        request,
        initial={
            "sex": own.sex,
            "age": own.age,
            "alt": _plain(own.alt),
            "hbeag": _hbeag_choice(own.hbeag_positive),
        },
    )
    recalculated = form.is_bound and form.is_valid()
    inputs = form.inputs() if recalculated else own
    risk = liver_cancer_risk(inputs)
    chosen = {
        factor.key: factor.option_for(getattr(inputs, factor.key))
        for factor in LIVER_SCORE_TABLE
        if getattr(inputs, factor.key) is not None
    }
    score_rows = [
        {
            "factor": factor,
            "options": [
                {"option": option, "chosen": option is chosen.get(factor.key)}
                for option in factor.options
            ],
        }
        for factor in LIVER_SCORE_TABLE
    ]
    bands = [{"band": band, "chosen": band is risk.band} for band in LIVER_RISK_BANDS]
    return render(
        request,
        "bank/assessments/liver.html",
        {
            "own": own,
            "sources": sources,
            "window": sources.window,
            "inputs": inputs,
            "risk": risk,
            "score_rows": score_rows,
            "bands": bands,
            "form": form,
            "recalculated": recalculated,
            "reload_url": _reload_url("liver_risk"),
            "model_note": LIVER_MODEL_NOTE,
            "notes": LIVER_NOTES,
        },
    )


@portal_page
def kidney_risk(request: HttpRequest, portal: Portal) -> HttpResponse:
    own, sources = kidney_inputs(portal.subject, portal.today)
    form = KidneyRecalculateForm.from_query(
        request, initial={"egfr": _plain(own.egfr), "acr": _plain(own.acr)}
    )
    recalculated = form.is_bound and form.is_valid()
    inputs = form.inputs() if recalculated else own
    prognosis = ckd_prognosis(inputs.egfr, inputs.acr, inputs.pcr)
    grid = [
        {
            "category": row.category,
            "cells": [{"cell": cell, "here": cell is prognosis.cell} for cell in row.cells],
        }
        for row in GRID
    ]
    legend = [
        {"level": level, "colour": COLOUR_NAMES[level], "follow_up": FOLLOW_UP_LABELS[level]}
        for level in CkdRiskLevel
    ]
    egfr_chart = None
    if len(sources.egfr_series) > 1:
        item = sources.egfr_series[-1].item
        egfr_chart = charts.line(
            [rocdate(row.collected_on) for row in sources.egfr_series],
            [(item.short_name, [row.value for row in sources.egfr_series])],
            low=item.reference_low,
            unit=item.unit,
        )
    # The chart's text equivalent: one row per day and provider, newest first.
    history: dict[tuple, dict] = {}
    for row in [*sources.egfr_series, *sources.acr_series]:
        entry = history.setdefault(
            (row.collected_on, row.provider_id),
            {"date": row.collected_on, "provider": row.provider, "egfr": None, "acr": None},
        )
        entry["egfr" if row.item_id == EGFR_CODE else "acr"] = row
    return render(
        request,
        "bank/assessments/kidney.html",
        {
            "own": own,
            "sources": sources,
            "window": sources.window,
            "inputs": inputs,
            "prognosis": prognosis,
            "grid": grid,
            "columns": ALBUMINURIA_COLUMNS,
            "legend": legend,
            "form": form,
            "recalculated": recalculated,
            "reload_url": _reload_url("kidney_risk"),
            "egfr_chart": egfr_chart,
            "history": sorted(history.values(), key=lambda entry: entry["date"], reverse=True),
            "notes": KIDNEY_NOTES,
        },
    )
