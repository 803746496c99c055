"""Personal risk prediction (疾病評估): 10-year heart disease and stroke, 8-year type 2 diabetes.

Two published, validated models, as pure functions of plain values (no database):

* Heart disease and stroke (ASCVD): the Pooled Cohort Equations, Goff DC Jr, Lloyd-Jones DM,
  et al. 2013 ACC/AHA Guideline on the Assessment of Cardiovascular Risk. Circulation
  2014;129(25 Suppl 2):S49–S73, Table A and its worked example. The "white and other"
  equations, which the guideline says to use for people who are not African American.

  A Chinese model was preferred (China-PAR, Yang X et al. Circulation 2016;134:1430–1440),
  but its coefficients could not be verified from two independent sources while this was
  built (the only implementation found gives coefficients that disagree with the paper's
  form: no treated/untreated blood pressure split), so the equations are the PCE. They were
  developed in US cohorts and tend to overestimate the risk of Chinese adults; the page
  says so.

* Type 2 diabetes: the Framingham Offspring "simple clinical model", Wilson PWF, Meigs JB,
  Sullivan L, Fox CS, Nathan DM, D'Agostino RB Sr. Prediction of incident diabetes mellitus
  in middle-aged adults: the Framingham Offspring Study. Arch Intern Med 2007;167:1068–1074.
  Logistic coefficients as published by the Framingham Heart Study
  (framinghamheartstudy.org/risk-functions/diabetes). No Taiwanese or Chinese model's full
  coefficients could be verified (Sun F et al. 2009 and Chien K et al. 2009 publish only
  the final formula or an AUC in their abstracts), so this US model is used; the page says
  it was developed in white middle-aged Americans.

Each model's coefficients, population, outcome, horizon and C-statistic are module
constants (`HEART_MODEL`, `DIABETES_MODEL`) so the page prints what the code computes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise
Number = Decimal | int | float

# --- Models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coefficient:
    """One term of a model's equation, as printed in its source."""

    term: str
    value: float


@dataclass(frozen=True)
class ModelCard:
    """What the page prints about a model: where it comes from and how good it is."""

    key: str
    name: Label
    citation: str
    source: str
    population: Label
    outcome: Label
    years: int
    ages: tuple[int, int]
    c_statistic: Label
    caveat: Label
    coefficients: dict[str, tuple[Coefficient, ...]]
    equation: str


# Goff 2013, Table A ("White" rows; the guideline uses them for other groups too).
PCE_WOMEN = {
    "ln_age": -29.799,
    "ln_age_squared": 4.884,
    "ln_total_cholesterol": 13.540,
    "ln_age_x_ln_total_cholesterol": -3.114,
    "ln_hdl": -13.578,
    "ln_age_x_ln_hdl": 3.149,
    "ln_treated_systolic": 2.019,
    "ln_untreated_systolic": 1.957,
    "smoker": 7.574,
    "ln_age_x_smoker": -1.665,
    "diabetes": 0.661,
}
PCE_MEN = {
    "ln_age": 12.344,
    "ln_total_cholesterol": 11.853,
    "ln_age_x_ln_total_cholesterol": -2.664,
    "ln_hdl": -7.990,
    "ln_age_x_ln_hdl": 1.769,
    "ln_treated_systolic": 1.797,
    "ln_untreated_systolic": 1.764,
    "smoker": 7.837,
    "ln_age_x_smoker": -1.795,
    "diabetes": 0.658,
}
# Mean of the individual sums and 10-year baseline survival (Table A).
PCE_MEAN = {"F": -29.18, "M": 61.18}
PCE_BASELINE_SURVIVAL = {"F": 0.9665, "M": 0.9144}
PCE_COEFFICIENTS = {"F": PCE_WOMEN, "M": PCE_MEN}
PCE_AGES = (40, 79)

HEART_MODEL = ModelCard(
    key="heart",
    name=_("Pooled Cohort Equations (ACC/AHA 2013)"),
    citation=(
        "Goff DC Jr, Lloyd-Jones DM, Bennett G, et al. 2013 ACC/AHA Guideline on the "
        "Assessment of Cardiovascular Risk. Circulation 2014;129(25 Suppl 2):S49–S73."
    ),
    source="https://doi.org/10.1161/01.cir.0000437741.48606.98",
    population=_(
        "About 25,000 adults aged 40 to 79 without heart disease or stroke, from five US "
        "community studies (ARIC, CHS, CARDIA, Framingham, Framingham Offspring)."
    ),
    outcome=_(
        "A first heart attack, death from heart disease, or stroke (fatal or not) within 10 years."
    ),
    years=10,
    ages=PCE_AGES,
    c_statistic=_(
        "C-statistic (how well it tells who will and will not have an event; 0.5 is chance, "
        "1 is perfect): 0.81 for women, 0.71 for men (white US adults, in the study data)."
    ),
    caveat=_(
        "It was developed in the United States. In studies of Chinese adults it often gives "
        "a higher risk than what happened, so treat the number as an upper estimate."
    ),
    coefficients={
        "F": tuple(Coefficient(term, value) for term, value in PCE_WOMEN.items()),
        "M": tuple(Coefficient(term, value) for term, value in PCE_MEN.items()),
    },
    equation=(
        "risk = 1 − S₀^exp(Σβx − mean); women S₀ 0.9665, mean −29.18; men S₀ 0.9144, mean 61.18"
    ),
)

# Wilson 2007, simple clinical model (logistic regression), as the Framingham Heart Study
# publishes it. Every x is 0 or 1.
FRAMINGHAM_DIABETES = {
    "intercept": -5.517,
    "age_50_64": -0.018,
    "age_65_plus": -0.081,
    "male": -0.010,
    "parental_history": 0.565,
    "bmi_25_29": 0.301,
    "bmi_30_plus": 0.920,
    "blood_pressure": 0.498,
    "low_hdl": 0.944,
    "triglycerides": 0.575,
    "fasting_glucose": 1.980,
}
# Framingham Heart Study: "Population of interest: individuals 45 to 64 years".
DIABETES_AGES = (45, 64)
# The model's cut-offs (metabolic-syndrome traits, NCEP ATP III as the paper uses them).
GLUCOSE_IMPAIRED, GLUCOSE_DIABETES = 100, 126  # mg/dL: 100–125 impaired fasting glucose
HBA1C_DIABETES = Decimal("6.5")  # % (ADA): at or above, diabetes, not a risk of it
BMI_OVERWEIGHT, BMI_OBESE = 25, 30
SYSTOLIC_HIGH, DIASTOLIC_HIGH = 130, 85
HDL_LOW = {"M": 40, "F": 50}
TRIGLYCERIDES_HIGH = 150

DIABETES_MODEL = ModelCard(
    key="diabetes",
    name=_("Framingham Offspring diabetes risk (simple clinical model)"),
    citation=(
        "Wilson PWF, Meigs JB, Sullivan L, Fox CS, Nathan DM, D'Agostino RB Sr. Prediction of "
        "incident diabetes mellitus in middle-aged adults: the Framingham Offspring Study. "
        "Arch Intern Med 2007;167:1068–1074."
    ),
    source="https://www.framinghamheartstudy.org/fhs-risk-functions/diabetes/",
    population=_(
        "3,140 middle-aged adults without diabetes in the Framingham Offspring Study "
        "(Massachusetts, USA), almost all of them white; 160 developed diabetes in about 7 "
        "years."
    ),
    outcome=_("Type 2 diabetes (fasting glucose 126 mg/dL or more, or treatment) within 8 years."),
    years=8,
    ages=DIABETES_AGES,
    c_statistic=_(
        "C-statistic (area under the ROC curve; 0.5 is chance, 1 is perfect): 0.85 in the "
        "study data."
    ),
    caveat=_(
        "It was developed in white Americans. No Taiwanese model's full formula could be "
        "checked, so this one is used; Taiwanese adults get diabetes at a lower weight, so "
        "the risk may be underestimated for people of normal weight."
    ),
    coefficients={
        "": tuple(Coefficient(term, value) for term, value in FRAMINGHAM_DIABETES.items())
    },
    equation="risk = 1 / (1 + exp(−Σβx))",
)


# --- The two equations, as pure functions --------------------------------------------------


def pce_individual_sum(
    sex: str,
    age: Number,
    total_cholesterol: Number,
    hdl: Number,
    systolic: Number,
    treated: bool,
    smoker: bool,
    diabetes: bool,
) -> float:
    """Σβx of the Pooled Cohort Equations (cholesterol in mg/dL, blood pressure in mmHg)."""
    if sex not in PCE_COEFFICIENTS:
        raise ValueError(f"sex must be M or F, not {sex!r}")
    for name, value in (
        ("age", age),
        ("total cholesterol", total_cholesterol),
        ("HDL", hdl),
        ("systolic", systolic),
    ):
        if value <= 0:
            raise ValueError(f"{name} must be positive: {value}")
    beta = PCE_COEFFICIENTS[sex]
    ln_age, ln_tc = math.log(age), math.log(total_cholesterol)
    ln_hdl, ln_sbp = math.log(hdl), math.log(systolic)
    smoking = 1.0 if smoker else 0.0
    total = (
        beta["ln_age"] * ln_age
        + beta.get("ln_age_squared", 0.0) * ln_age**2
        + beta["ln_total_cholesterol"] * ln_tc
        + beta["ln_age_x_ln_total_cholesterol"] * ln_age * ln_tc
        + beta["ln_hdl"] * ln_hdl
        + beta["ln_age_x_ln_hdl"] * ln_age * ln_hdl
        + beta["ln_treated_systolic" if treated else "ln_untreated_systolic"] * ln_sbp
        + beta["smoker"] * smoking
        + beta["ln_age_x_smoker"] * ln_age * smoking
        + (beta["diabetes"] if diabetes else 0.0)
    )
    return total


def pce_risk_from_sum(sex: str, individual_sum: float) -> float:
    """10-year risk (0–1) from an individual sum: 1 − S₀^exp(sum − mean)."""
    return 1 - PCE_BASELINE_SURVIVAL[sex] ** math.exp(individual_sum - PCE_MEAN[sex])


def pce_risk(
    sex: str,
    age: Number,
    total_cholesterol: Number,
    hdl: Number,
    systolic: Number,
    treated: bool,
    smoker: bool,
    diabetes: bool,
) -> float:
    """10-year risk (0–1) of a first heart attack or stroke (Pooled Cohort Equations)."""
    return pce_risk_from_sum(
        sex,
        pce_individual_sum(
            sex, float(age), float(total_cholesterol), float(hdl), float(systolic),
            treated, smoker, diabetes,
        ),
    )  # fmt: skip


def framingham_diabetes_risk(
    sex: str,
    age: Number,
    fasting_glucose: Number,
    bmi: Number,
    hdl: Number,
    triglycerides: Number,
    systolic: Number,
    diastolic: Number,
    treated: bool,
    parental_history: bool,
) -> float:
    """8-year risk (0–1) of type 2 diabetes (Wilson 2007, simple clinical model)."""
    return 1 / (1 + math.exp(-sum(diabetes_terms(
        sex, age, fasting_glucose, bmi, hdl, triglycerides, systolic, diastolic, treated,
        parental_history,
    ).values())))  # fmt: skip


def diabetes_terms(
    sex: str,
    age: Number,
    fasting_glucose: Number,
    bmi: Number,
    hdl: Number,
    triglycerides: Number,
    systolic: Number,
    diastolic: Number,
    treated: bool,
    parental_history: bool,
) -> dict[str, float]:
    """Each coefficient of the diabetes model that applies to these values (β·x, x = 1)."""
    if sex not in HDL_LOW:
        raise ValueError(f"sex must be M or F, not {sex!r}")
    beta = FRAMINGHAM_DIABETES
    flags = {
        "intercept": True,
        "age_50_64": 50 <= age < 65,
        "age_65_plus": age >= 65,
        "male": sex == "M",
        "parental_history": parental_history,
        "bmi_25_29": BMI_OVERWEIGHT <= bmi < BMI_OBESE,
        "bmi_30_plus": bmi >= BMI_OBESE,
        "blood_pressure": treated or systolic >= SYSTOLIC_HIGH or diastolic >= DIASTOLIC_HIGH,
        "low_hdl": hdl < HDL_LOW[sex],
        "triglycerides": triglycerides >= TRIGLYCERIDES_HIGH,
        "fasting_glucose": GLUCOSE_IMPAIRED <= fasting_glucose,
    }
    return {key: beta[key] for key, on in flags.items() if on}


# --- A person's assessment: result, drivers, what-ifs, and when it does not apply -----------


@dataclass(frozen=True)
class Band:
    """A range of risk with a plain name; `low` inclusive, `high` exclusive (percent)."""

    key: str
    label: Label
    low: float
    high: float | None

    def contains(self, percent: float) -> bool:
        return percent >= self.low and (self.high is None or percent < self.high)


# ACC/AHA 2019 primary-prevention guideline's 10-year ASCVD groups.
HEART_BANDS = (
    Band("low", _("Low (under 5%)"), 0, 5),
    Band("borderline", _("Borderline (5% to under 7.5%)"), 5, 7.5),
    Band("intermediate", _("Intermediate (7.5% to under 20%)"), 7.5, 20),
    Band("high", _("High (20% or more)"), 20, None),
)
# The paper gives no groups; these are this site's, for reading the number only.
DIABETES_BANDS = (
    Band("low", _("Lower (under 5%)"), 0, 5),
    Band("moderate", _("Moderate (5% to under 10%)"), 5, 10),
    Band("high", _("Higher (10% to under 20%)"), 10, 20),
    Band("very_high", _("High (20% or more)"), 20, None),
)


@dataclass(frozen=True)
class RiskInputs:
    """Everything either model can use; None means not known."""

    sex: str
    age: int
    systolic: Number | None = None
    diastolic: Number | None = None
    bmi: Number | None = None
    height_cm: Number | None = None
    total_cholesterol: Number | None = None
    hdl: Number | None = None
    triglycerides: Number | None = None
    fasting_glucose: Number | None = None
    hba1c: Number | None = None
    treated_bp: bool | None = None
    smoker: bool | None = None
    parental_diabetes: bool | None = None
    has_diabetes: bool | None = None
    has_cvd: bool = False


# Which inputs each model needs (and the order the page lists them in).
HEART_NEEDS = ("total_cholesterol", "hdl", "systolic", "treated_bp", "smoker", "has_diabetes")
DIABETES_NEEDS = (
    "fasting_glucose",
    "bmi",
    "hdl",
    "triglycerides",
    "systolic",
    "diastolic",
    "treated_bp",
    "parental_diabetes",
)


@dataclass(frozen=True)
class Driver:
    """A factor's share of the risk: the risk minus the risk with that factor at `reference`."""

    key: str
    added: float  # percentage points added (may be 0 or negative)
    reference: Label


@dataclass(frozen=True)
class WhatIf:
    """The same person with one thing changed, and the risk they would have."""

    key: str
    label: Label
    percent: float


@dataclass(frozen=True)
class Assessment:
    model: ModelCard
    percent: float | None
    band: Band | None
    drivers: tuple[Driver, ...] = ()
    what_ifs: tuple[WhatIf, ...] = ()
    missing: tuple[str, ...] = ()
    not_applicable: tuple[str, ...] = ()  # reasons: "age", "diabetes", "cvd"
    baseline_percent: float | None = None  # everything modifiable at its reference

    @property
    def complete(self) -> bool:
        return self.percent is not None

    @property
    def applies(self) -> bool:
        return not self.not_applicable

    @property
    def people(self) -> int:
        """Of 100 people like this person, how many would have the event (rounded)."""
        return round(self.percent) if self.percent is not None else 0


def _band(bands: tuple[Band, ...], percent: float) -> Band:
    return next(band for band in bands if band.contains(percent))


def _assess(
    model: ModelCard,
    inputs: RiskInputs,
    needs: tuple[str, ...],
    not_applicable: list[str],
    compute: Callable[[RiskInputs], float],
    references: tuple[tuple[str, dict, Label], ...],
    what_ifs: tuple[tuple[str, dict, Label], ...],
    bands: tuple[Band, ...],
) -> Assessment:
    low, high = model.ages
    if not low <= inputs.age <= high:
        not_applicable.insert(0, "age")
    missing = tuple(key for key in needs if getattr(inputs, key) is None)
    if not_applicable or missing:
        return Assessment(model, None, None, missing=missing, not_applicable=tuple(not_applicable))
    percent = 100 * compute(inputs)
    drivers = tuple(
        Driver(key, percent - 100 * compute(replace(inputs, **change)), reference)
        for key, change, reference in references
    )
    everything = {k: v for _, change, _ in references for k, v in change.items()}
    baseline = 100 * compute(replace(inputs, **everything))
    # A change the model does not see (blood pressure brought down while still on
    # blood-pressure drugs, in the diabetes model) is left out rather than shown as no change.
    changed = tuple(
        what_if
        for key, change, label in what_ifs
        if any(getattr(inputs, field) != value for field, value in change.items())
        if abs(
            (what_if := WhatIf(key, label, 100 * compute(replace(inputs, **change)))).percent
            - percent
        )
        >= 0.05
    )
    return Assessment(
        model,
        percent,
        _band(bands, percent),
        drivers,
        changed,
        baseline_percent=baseline,
    )


def _heart(inputs: RiskInputs) -> float:
    if inputs.total_cholesterol is None or inputs.hdl is None or inputs.systolic is None:
        raise ValueError("the heart model needs total cholesterol, HDL and systolic pressure")
    return pce_risk(
        inputs.sex,
        inputs.age,
        inputs.total_cholesterol,
        inputs.hdl,
        inputs.systolic,
        bool(inputs.treated_bp),
        bool(inputs.smoker),
        bool(inputs.has_diabetes),
    )


# ACC/AHA's "optimal" risk factors: total cholesterol 170, HDL 50, systolic 110 untreated,
# not smoking, no diabetes. Each driver is the risk above that factor at its optimal value.
HEART_REFERENCES: tuple[tuple[str, dict, Label], ...] = (
    ("systolic", {"systolic": 110, "treated_bp": False}, _("110 mmHg, no blood-pressure drugs")),
    ("total_cholesterol", {"total_cholesterol": 170}, _("170 mg/dL")),
    ("hdl", {"hdl": 50}, _("50 mg/dL")),
    ("smoker", {"smoker": False}, _("not smoking")),
    ("has_diabetes", {"has_diabetes": False}, _("no diabetes")),
)
HEART_WHAT_IFS: tuple[tuple[str, dict, Label], ...] = (
    ("systolic", {"systolic": 120}, _("Systolic blood pressure at 120 mmHg")),
    ("smoker", {"smoker": False}, _("Not smoking")),
    ("total_cholesterol", {"total_cholesterol": 170}, _("Total cholesterol at 170 mg/dL")),
)


def heart_risk(inputs: RiskInputs) -> Assessment:
    """10-year ASCVD risk with its drivers and what-ifs, or why it cannot be given."""
    reasons = ["cvd"] if inputs.has_cvd else []
    what_ifs = tuple(w for w in HEART_WHAT_IFS if not _already_below(inputs, w[0]))
    return _assess(
        HEART_MODEL,
        inputs,
        HEART_NEEDS,
        reasons,
        _heart,
        HEART_REFERENCES,
        what_ifs,
        HEART_BANDS,
    )


def _diabetes(inputs: RiskInputs) -> float:
    values = (
        inputs.fasting_glucose,
        inputs.bmi,
        inputs.hdl,
        inputs.triglycerides,
        inputs.systolic,
        inputs.diastolic,
    )
    if any(value is None for value in values):
        raise ValueError("the diabetes model needs every one of its values")
    glucose, bmi, hdl, triglycerides, systolic, diastolic = values
    return framingham_diabetes_risk(
        inputs.sex,
        inputs.age,
        glucose,  # type: ignore[arg-type]
        bmi,  # type: ignore[arg-type]
        hdl,  # type: ignore[arg-type]
        triglycerides,  # type: ignore[arg-type]
        systolic,  # type: ignore[arg-type]
        diastolic,  # type: ignore[arg-type]
        bool(inputs.treated_bp),
        bool(inputs.parental_diabetes),
    )


TAIWAN_HEALTHY_BMI = 24  # 國健署: 18.5 ≤ BMI < 24 is a healthy weight

DIABETES_REFERENCES: tuple[tuple[str, dict, Label], ...] = (
    ("fasting_glucose", {"fasting_glucose": 90}, _("under 100 mg/dL")),
    ("bmi", {"bmi": TAIWAN_HEALTHY_BMI}, _("under 25")),
    ("hdl", {"hdl": 60}, _("40 mg/dL or more (men), 50 or more (women)")),
    ("triglycerides", {"triglycerides": 100}, _("under 150 mg/dL")),
    (
        "blood_pressure",
        {"systolic": 115, "diastolic": 75, "treated_bp": False},
        _("under 130/85 mmHg, no blood-pressure drugs"),
    ),
    ("parental_diabetes", {"parental_diabetes": False}, _("no parent with diabetes")),
)
DIABETES_WHAT_IFS: tuple[tuple[str, dict, Label], ...] = (
    ("bmi", {"bmi": TAIWAN_HEALTHY_BMI}, _("Weight at a BMI of 24 (Taiwan's healthy limit)")),
    ("fasting_glucose", {"fasting_glucose": 95}, _("Fasting glucose under 100 mg/dL")),
    ("blood_pressure", {"systolic": 120, "diastolic": 80}, _("Blood pressure at 120/80 mmHg")),
    ("triglycerides", {"triglycerides": 140}, _("Triglycerides under 150 mg/dL")),
)


def has_diabetes_by_values(inputs: RiskInputs) -> bool:
    """A fasting glucose of 126 mg/dL or an HbA1c of 6.5% or more is diabetes already."""
    glucose, hba1c = inputs.fasting_glucose, inputs.hba1c
    return (glucose is not None and glucose >= GLUCOSE_DIABETES) or (
        hba1c is not None and hba1c >= HBA1C_DIABETES
    )


def diabetes_risk(inputs: RiskInputs) -> Assessment:
    """8-year type 2 diabetes risk with drivers and what-ifs, or why it cannot be given."""
    reasons = ["diabetes"] if inputs.has_diabetes or has_diabetes_by_values(inputs) else []
    what_ifs = tuple(
        (key, change, label)
        for key, change, label in DIABETES_WHAT_IFS
        if not _already_below(inputs, key)
    )
    return _assess(
        DIABETES_MODEL,
        inputs,
        DIABETES_NEEDS,
        reasons,
        _diabetes,
        DIABETES_REFERENCES,
        what_ifs,
        DIABETES_BANDS,
    )


def _already_below(inputs: RiskInputs, key: str) -> bool:
    """A what-if that would raise a value the person already has under its target is left out
    (a BMI of 21 is not "brought to 24")."""
    if key == "bmi":
        return inputs.bmi is not None and inputs.bmi <= TAIWAN_HEALTHY_BMI
    if key == "fasting_glucose":
        return inputs.fasting_glucose is not None and inputs.fasting_glucose < GLUCOSE_IMPAIRED
    if key == "triglycerides":
        return inputs.triglycerides is not None and inputs.triglycerides < TRIGLYCERIDES_HIGH
    if key == "systolic":
        return inputs.systolic is not None and inputs.systolic <= 120
    if key == "total_cholesterol":
        return inputs.total_cholesterol is not None and inputs.total_cholesterol <= 170
    if key == "blood_pressure":
        return (
            inputs.systolic is not None
            and inputs.diastolic is not None
            and inputs.systolic <= 120
            and inputs.diastolic <= 80
        )
    return False


def weight_for_bmi(bmi: Number, height_cm: Number) -> float:
    """The weight (kg) that gives this BMI at this height."""
    metres = float(height_cm) / 100
    return float(bmi) * metres * metres


# Adult preventive check (成人預防保健): 40–64 once every 3 years, 65 and over every year.
def preventive_check_interval(age: int) -> int | None:
    """Years between the free adult preventive checks at this age; None before 40."""
    if age >= 65:
        return 1
    if age >= 40:
        return 3
    return None
