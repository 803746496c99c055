"""Personal risk prediction (疾病評估): heart disease and stroke (10 years), type 2 diabetes (8).

Each page scores the person's own latest values (selectors/risk.py) with a published model
(records/risk_models.py) and shows the risk as a number and as 100 people, the band, what
drove it, what would change it, and what is missing or why the model does not apply. The
two answers no record holds (smoking, a parent's diabetes) are a GET form on the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from healthbank.bank.portal import Portal, portal_page
from healthbank.records.risk_models import (
    DIABETES_BANDS,
    HEART_BANDS,
    TAIWAN_HEALTHY_BMI,
    Assessment,
    Band,
    diabetes_risk,
    heart_risk,
    preventive_check_interval,
    weight_for_bmi,
)
from healthbank.records.selectors.risk import RiskRecords, Source, risk_records

YES, NO = "yes", "no"
ANSWERS = ((NO, _("No")), (YES, _("Yes")))

LABELS = {
    "systolic": (_("Systolic blood pressure"), "mmHg"),
    "diastolic": (_("Diastolic blood pressure"), "mmHg"),
    "bmi": (_("BMI (body mass index)"), "kg/m²"),
    "total_cholesterol": (_("Total cholesterol"), "mg/dL"),
    "hdl": (_("HDL cholesterol"), "mg/dL"),
    "triglycerides": (_("Triglycerides"), "mg/dL"),
    "fasting_glucose": (_("Fasting glucose"), "mg/dL"),
    "hba1c": (_("HbA1c"), "%"),
    "treated_bp": (_("Blood-pressure drugs"), ""),
    "has_diabetes": (_("Diabetes"), ""),
    "smoker": (_("Smoking now"), ""),
    "parental_diabetes": (_("A parent with diabetes"), ""),
    "blood_pressure": (_("Blood pressure (systolic/diastolic)"), "mmHg"),
}
SOURCE_LABELS = {
    Source.LAB: _("lab result"),
    Source.CHECK: _("adult preventive check"),
    Source.MEASUREMENT: _("your own measurement"),
    Source.COMPUTED: _("worked out from your weight and height"),
    Source.DIAGNOSIS: _("diagnosis"),
    Source.DRUG: _("prescription"),
}
LAB_KEYS = {"total_cholesterol", "hdl", "triglycerides", "fasting_glucose", "hba1c"}
SELF_KEYS = {"systolic", "diastolic", "bmi"}
REASONS = {
    "age": _("The model was made for people aged %(low)s to %(high)s; you are %(age)s."),
    "diabetes": _(
        "Your records show diabetes already, so a risk of getting it does not apply. Your "
        "doctor follows it with you."
    ),
    "cvd": _(
        "Your records show heart disease or a stroke already; the model is only for people "
        "who have not had one. Your doctor can tell you about your risk."
    ),
}


class QuestionsForm(forms.Form):
    """What no record says: smoking (heart) and a parent's diabetes (diabetes)."""

    smoker = forms.ChoiceField(
        label=_("Do you smoke now?"), choices=ANSWERS, widget=forms.RadioSelect, required=False
    )
    parent = forms.ChoiceField(
        label=_("Does your father or mother have diabetes?"),
        choices=ANSWERS,
        widget=forms.RadioSelect,
        required=False,
    )

    def answer(self, name: str) -> bool | None:
        """The answer to one question, None if not given or not one of the choices: a bad
        value of the other question (a hand-edited link) does not throw this one away."""
        if not self.is_bound:
            return None
        self.is_valid()  # cleaned_data then holds each field that is valid
        value = self.cleaned_data.get(name)
        return None if not value else value == YES


def _how_to_get(key: str, age: int) -> str:
    interval = preventive_check_interval(age)
    if key in ("smoker", "parental_diabetes"):
        return str(_("Answer the question below."))
    parts = []
    if key in LAB_KEYS | SELF_KEYS and interval:
        parts.append(
            str(
                _(
                    "The free adult preventive check (成人預防保健) measures it: once every 3 "
                    "years from 40 to 64, every year from 65."
                )
            )
        )
    if key in SELF_KEYS:
        parts.append(str(_("You can also measure it yourself and enter it under Measurements.")))
    if key in LAB_KEYS:
        parts.append(str(_("Or ask your clinic for a blood test.")))
    return " ".join(parts)


def _icons(assessment: Assessment) -> list[dict]:
    """100 people, 10 by 10, the first `people` of them filled (left to right, top down)."""
    return [
        {"x": (i % 10) * 20, "y": (i // 10) * 24, "filled": i < assessment.people}
        for i in range(100)
    ]


def _rows(records: RiskRecords, keys: tuple[str, ...], answers: dict) -> list[dict]:
    rows = []
    for key in keys:
        label, unit = LABELS[key]
        row: dict[str, Any] = {"key": key, "label": label, "unit": unit, "found": None}
        row["answer"] = None
        if key in records.values:
            row["found"] = records.values[key]
            row["source"] = SOURCE_LABELS[records.values[key].source]
        elif key in ("treated_bp", "has_diabetes"):
            found = records.bp_treatment if key == "treated_bp" else records.diabetes
            row["flag"] = found
            row["source"] = SOURCE_LABELS[found.source] if found else ""
        elif key in answers:
            row["answer"] = answers[key]
        if key in ("smoker", "parental_diabetes"):
            row["question"] = True
        if key == "hba1c":  # only to tell diabetes already; the model does not use it
            row["how"] = ""
        elif row["found"] is None and key not in ("treated_bp", "has_diabetes"):
            row["how"] = _how_to_get(key, records.age) if answers.get(key) is None else ""
        rows.append(row)
    return rows


def _page(
    request: HttpRequest,
    portal: Portal,
    *,
    template_key: str,
    assess,
    keys: tuple[str, ...],
    bands: tuple[Band, ...],
    question: str,
) -> HttpResponse:
    records = risk_records(portal.subject, portal.today)
    form = QuestionsForm(request.GET if request.GET else None)
    smoker, parent = form.answer("smoker"), form.answer("parent")
    inputs = records.inputs(smoker, parent)
    assessment = assess(inputs)
    answers = {"smoker": smoker, "parental_diabetes": parent}
    rows = _rows(records, keys, answers)
    by_key = {row["key"]: row for row in rows}
    drivers = [
        {
            "driver": driver,
            "label": LABELS[driver.key][0],
            "row": by_key.get(driver.key) or by_key.get("systolic"),
        }
        for driver in sorted(assessment.drivers, key=lambda d: -d.added)
    ]
    low, high = assessment.model.ages
    reasons = [
        REASONS[reason] % {"low": low, "high": high, "age": records.age}
        if reason == "age"
        else REASONS[reason]
        for reason in assessment.not_applicable
    ]
    missing = [
        {"label": LABELS[key][0], "how": _how_to_get(key, records.age)}
        for key in assessment.missing
    ]
    target_weight = None
    height = records.values.get("height_cm")
    if height is not None:
        target_weight = round(weight_for_bmi(TAIWAN_HEALTHY_BMI, height.value), 1)
    return render(
        request,
        "bank/assessments/risk.html",
        {
            "current": template_key,
            "records": records,
            "window": records.window,
            "assessment": assessment,
            "model": assessment.model,
            "coefficients": [
                {"group": group, "terms": terms}
                for group, terms in assessment.model.coefficients.items()
            ],
            "bands": [{"band": band, "here": band is assessment.band} for band in bands],
            "icons": _icons(assessment),
            "rows": rows,
            "drivers": drivers,
            "reasons": reasons,
            "missing": missing,
            "form": form,
            "question": form[question],
            "reload_url": reverse(f"bank:{template_key}_risk"),
            "target_weight": target_weight,
        },
    )


@portal_page
def heart(request: HttpRequest, portal: Portal) -> HttpResponse:
    return _page(
        request,
        portal,
        template_key="heart",
        assess=heart_risk,
        keys=(
            "systolic",
            "treated_bp",
            "total_cholesterol",
            "hdl",
            "has_diabetes",
            "smoker",
        ),
        bands=HEART_BANDS,
        question="smoker",
    )


@portal_page
def diabetes(request: HttpRequest, portal: Portal) -> HttpResponse:
    return _page(
        request,
        portal,
        template_key="diabetes",
        assess=diabetes_risk,
        keys=(
            "fasting_glucose",
            "hba1c",
            "bmi",
            "systolic",
            "diastolic",
            "treated_bp",
            "hdl",
            "triglycerides",
            "parental_diabetes",
        ),
        bands=DIABETES_BANDS,
        question="parent",
    )
