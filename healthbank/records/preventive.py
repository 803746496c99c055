"""The seed's adult preventive check table (成人預防保健存摺): its sections, fields and units,
in its order. The portal's page and the app's record details both show it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Field:
    label: str | Promise
    attr: str
    unit: str | Promise = ""
    kind: str = "value"  # value, result (normal/abnormal) or serology (negative/positive)


def _result(attr: str) -> Field:
    return Field(pgettext_lazy("preventive check", "Result"), attr, kind="result")


# Seed 000 (成人預防保健存摺): its table, in its order, with its units.
PREVENTIVE_SECTIONS = (
    (
        _("General examination"),
        (
            Field(_("Height"), "height_cm", "cm"),
            Field(_("Weight"), "weight_kg", "kg"),
            Field(_("BMI (body mass index)"), "bmi", "kg/m²"),
            Field(_("Waist"), "waist_cm", "cm"),
        ),
    ),
    (
        _("Blood pressure"),
        (
            Field(_("Systolic pressure"), "systolic", "mmHg"),
            Field(_("Diastolic pressure"), "diastolic", "mmHg"),
            _result("blood_pressure_result"),
        ),
    ),
    (
        _("Blood lipids"),
        (
            Field(_("Total cholesterol (TC)"), "total_cholesterol", "mg/dL"),
            Field(_("Triglycerides (TG)"), "triglycerides", "mg/dL"),
            Field(_("HDL cholesterol (HDL)"), "hdl", "mg/dL"),
            Field(_("LDL cholesterol (LDL)"), "ldl", "mg/dL"),
            _result("lipid_result"),
        ),
    ),
    (
        _("Blood glucose"),
        (Field(_("Fasting glucose"), "fasting_glucose", "mg/dL"), _result("glucose_result")),
    ),
    (
        _("Kidney function"),
        (
            Field(_("Blood urea nitrogen (BUN)"), "bun", "mg/dL"),
            Field(_("Creatinine"), "creatinine", "mg/dL"),
            Field(_("Glomerular filtration rate (eGFR)"), "egfr", "mL/min/1.73m²"),
            _result("kidney_result"),
        ),
    ),
    (_("Urine"), (Field(_("Urine protein"), "urine_protein", _("+/− or mg/dL")),)),
    (_("Metabolic syndrome"), (_result("metabolic_syndrome_result"),)),
    (
        _("Liver function"),
        (
            Field(_("SGOT (AST or GOT)"), "ast", "IU/L"),
            Field(_("SGPT (ALT or GPT)"), "alt", "IU/L"),
            _result("liver_result"),
        ),
    ),
    (
        _("Hepatitis B"),
        (Field(_("Hepatitis B surface antigen (HBsAg)"), "hbsag", kind="serology"),),
    ),
    (_("Hepatitis C"), (Field(_("Hepatitis C antibody (Anti-HCV)"), "anti_hcv", kind="serology"),)),
)
