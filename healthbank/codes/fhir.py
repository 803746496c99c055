"""The FHIR code systems and codings of this project's records: what the package's FHIR
export (fhir/mapping.py) writes and the providers' FHIR reader (ingest/formats/fhir.py)
reads back. In one module, below both apps, so that the two read the same table and
neither imports the other.

**Code systems.** Official URIs where one exists: ICD-10-CM `http://hl7.org/fhir/sid/icd-10-cm`,
ATC `http://www.whocc.no/atc`, LOINC, UCUM, SNOMED CT and HL7's terminology. Taiwan's
codes use the MOHW TW Core IG's canonical URIs (https://twcore.mohw.gov.tw/ig/twcore/):
the national ID (`http://www.moi.gov.tw`, type v2-0203 NNxxx) or resident certificate
(`http://www.immigration.gov.tw`, type PRC) as TW Core Patient's identifier slices have
them, provider codes (organization-identifier-tw), NHI drug codes (medication-nhi-tw, and
nhi-medication-ch-herb-tw for Chinese-medicine extracts), NHI medical service payment
codes (medical-service-payment-tw) and NHI departments (medical-treatment-department-nhi-tw).
Codes without a published system use this project's, under `https://healthbank.example/fhir/`:
Taiwan CDC's vaccine codes, FDI tooth numbers (HL7's ex-tooth lacks primary teeth), body
sites, visit kinds, care wishes and the preventive check's results; so do identifiers
(visits, card numbers, bills, insured units) that have no public namespace.
"""

from __future__ import annotations

# -- systems ------------------------------------------------------------------------------

TW_CORE = "https://twcore.mohw.gov.tw/ig/twcore/CodeSystem"
NATIONAL_ID = "http://www.moi.gov.tw"  # TW Core Patient identifier:idCardNumber
RESIDENT_CERTIFICATE = "http://www.immigration.gov.tw"  # TW Core identifier:residentNumber
ORGANIZATION_ID = f"{TW_CORE}/organization-identifier-tw"
NHI_DRUG = f"{TW_CORE}/medication-nhi-tw"
NHI_HERB = f"{TW_CORE}/nhi-medication-ch-herb-tw"
NHI_SERVICE = f"{TW_CORE}/medical-service-payment-tw"
NHI_DEPARTMENT = f"{TW_CORE}/medical-treatment-department-nhi-tw"

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ATC = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
THO = "http://terminology.hl7.org/CodeSystem"
IDENTIFIER_TYPE = f"{THO}/v2-0203"
ACT_CODE = f"{THO}/v3-ActCode"
INTERPRETATION = f"{THO}/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = f"{THO}/observation-category"
CONDITION_CATEGORY = f"{THO}/condition-category"
DIAGNOSTIC_SERVICE = f"{THO}/v2-0074"
ORGANIZATION_TYPE = f"{THO}/organization-type"
TIMING_ABBREVIATION = f"{THO}/v3-GTSAbbreviation"
COURSE_OF_THERAPY = f"{THO}/medicationrequest-course-of-therapy"
ALLERGY_CLINICAL = f"{THO}/allergyintolerance-clinical"
ALLERGY_VERIFICATION = f"{THO}/allergyintolerance-verification"
CONSENT_SCOPE = f"{THO}/consentscope"
CONSENT_CATEGORY = f"{THO}/consentcategorycodes"
PAYMENT_TYPE = f"{THO}/payment-type"

PROJECT = "https://healthbank.example/fhir"
VACCINE = f"{PROJECT}/CodeSystem/tw-cdc-vaccine"
TOOTH = f"{PROJECT}/CodeSystem/fdi-tooth"
BODY_SITE = f"{PROJECT}/CodeSystem/body-site"
VISIT_KIND = f"{PROJECT}/CodeSystem/visit-kind"
LAB_ITEM = f"{PROJECT}/CodeSystem/lab-item"  # items without an NHI code (calculated eGFR)
CARE_WISH = f"{PROJECT}/CodeSystem/care-wish"
PREVENTIVE_RESULT = f"{PROJECT}/CodeSystem/preventive-result"
VISIT_ID = f"{PROJECT}/sid/visit"  # <provider code>-<provider's record id>
RECORD_ID = f"{PROJECT}/sid"  # + /lab-result, /imaging-report ... for other reported rows
CARD_ID = f"{PROJECT}/sid/nhi-card"
BILL_ID = f"{PROJECT}/sid/premium-bill"
UNIT_ID = f"{PROJECT}/sid/insured-unit"

# -- codings ------------------------------------------------------------------------------

VITAL_SIGNS = "vital-signs"
LABORATORY = "laboratory"
BLOOD_PRESSURE = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")

# (LOINC code, display, UCUM unit, category)
HEIGHT = ("8302-2", "Body height", "cm", VITAL_SIGNS)
WEIGHT = ("29463-7", "Body weight", "kg", VITAL_SIGNS)
WAIST = ("8280-0", "Waist Circumference at umbilicus by Tape measure", "cm", VITAL_SIGNS)
_SERUM = "[Mass/volume] in Serum or Plasma"
# The adult preventive check's values (records.models.PreventiveCheck's fields).
PREVENTIVE_VALUES = {
    "height_cm": HEIGHT,
    "weight_kg": WEIGHT,
    "bmi": ("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", VITAL_SIGNS),
    "waist_cm": WAIST,
    "total_cholesterol": ("2093-3", f"Cholesterol {_SERUM}", "mg/dL", LABORATORY),
    "triglycerides": ("2571-8", f"Triglyceride {_SERUM}", "mg/dL", LABORATORY),
    "hdl": ("2085-9", f"Cholesterol in HDL {_SERUM}", "mg/dL", LABORATORY),
    "ldl": ("18262-6", f"Cholesterol in LDL {_SERUM} by Direct assay", "mg/dL", LABORATORY),
    "fasting_glucose": ("1558-6", f"Fasting glucose {_SERUM}", "mg/dL", LABORATORY),
    "bun": ("3094-0", f"Urea nitrogen {_SERUM}", "mg/dL", LABORATORY),
    "creatinine": ("2160-0", f"Creatinine {_SERUM}", "mg/dL", LABORATORY),
    "egfr": (
        "33914-3",
        "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or "
        "Plasma by Creatinine-based formula (MDRD)",
        "mL/min/{1.73_m2}",
        LABORATORY,
    ),
    "ast": (
        "1920-8",
        "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        LABORATORY,
    ),
    "alt": (
        "1742-6",
        "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        LABORATORY,
    ),
}
SEROLOGY = {
    "hbsag": ("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum"),
    "anti_hcv": ("16128-1", "Hepatitis C virus Ab [Presence] in Serum"),
}
SEROLOGY_VALUES = {
    "positive": ("10828004", "Positive"),  # records.models.Serology's values
    "negative": ("260385009", "Negative"),
}
URINE_PROTEIN = ("20454-5", "Protein [Presence] in Urine by Test strip")
# The check's results (seed: 結果 per group), each judging the values listed.
PREVENTIVE_RESULTS = (
    ("blood_pressure_result", "blood-pressure", "Blood pressure", ("blood_pressure",)),
    (
        "lipid_result",
        "lipids",
        "Blood lipids",
        ("total_cholesterol", "triglycerides", "hdl", "ldl"),
    ),
    ("glucose_result", "glucose", "Blood glucose", ("fasting_glucose",)),
    (
        "kidney_result",
        "kidney",
        "Kidney function",
        ("bun", "creatinine", "egfr", "urine_protein"),
    ),
    ("metabolic_syndrome_result", "metabolic-syndrome", "Metabolic syndrome", ()),
    ("liver_result", "liver", "Liver function", ("ast", "alt", "hbsag", "anti_hcv")),
)
# A surgery's Procedure category (SNOMED CT); a drug order's course of therapy.
SURGICAL_PROCEDURE = ("387713003", "Surgical procedure")
LONG_TERM = ("continuous", "Continuous long term therapy")
ACUTE = ("acute", "Short course (acute) therapy")
