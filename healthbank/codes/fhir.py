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
CONDITION_CLINICAL = f"{THO}/condition-clinical"
CONDITION_VERIFICATION = f"{THO}/condition-ver-status"
CLAIM_TYPE = f"{THO}/claim-type"
ADJUDICATION = f"{THO}/adjudication"
CARIN_ADJUDICATION = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
CVX = "http://hl7.org/fhir/sid/cvx"

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
# The person's id in this system (the FHIR Patient id): the API's Patient carries it instead
# of the national ID, which no app is given (fhir/mapping.py patient_entry).
PATIENT_ID = f"{PROJECT}/sid/patient"

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
        "98979-8",  # the project computes CKD-EPI 2021 (records/selectors/assessments.py)
        "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, "
        "Plasma, or Blood by Creatinine-based formula (CKD-EPI 2021)",
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

# -- TW Core profiles (meta.profile) ------------------------------------------------------

# MOHW TW Core IG profile ids (its FSH sources, cctwFHIRterm/MOHW_TWCoreIG_Build, 0.3.x).
TW_CORE_PROFILE = "https://twcore.mohw.gov.tw/ig/twcore/StructureDefinition"
PROFILES = {
    rt: f"{TW_CORE_PROFILE}/{rt}-twcore"
    for rt in (
        "Patient",
        "Organization",
        "Coverage",
        "Encounter",
        "Condition",
        "MedicationRequest",
        "Procedure",
        "DiagnosticReport",
        "DocumentReference",
        "AllergyIntolerance",
        "Immunization",
    )
}
# Observations by what they are (code or category); TW Core has none for Invoice,
# PaymentReconciliation, Consent, Appointment or ExplanationOfBenefit.
OBSERVATION_PROFILES = {
    "8302-2": f"{TW_CORE_PROFILE}/Observation-body-height-twcore",
    "29463-7": f"{TW_CORE_PROFILE}/Observation-body-weight-twcore",
    "39156-5": f"{TW_CORE_PROFILE}/Observation-bmi-twcore",
    "8867-4": f"{TW_CORE_PROFILE}/Observation-heart-rate-twcore",
    "85354-9": f"{TW_CORE_PROFILE}/Observation-bloodPressure-twcore",
    LABORATORY: f"{TW_CORE_PROFILE}/Observation-laboratoryResult-twcore",
    VITAL_SIGNS: f"{TW_CORE_PROFILE}/Observation-vitalSigns-twcore",
}
OBSERVATION_SIMPLE = f"{TW_CORE_PROFILE}/Observation-simple-twcore"

# -- LOINC of the lab items (codes.LabItem, keyed by its code) -----------------------------

# Curated by hand from LOINC's long common names (Regenstrief, LOINC 2.7x), for what each
# NHI payment code measures, in the unit the item reports: mass/volume in serum or plasma
# unless noted. LDL-C (09044C) is a measured test in NHI's schedule (a calculated LDL is
# not billed), with no method stated: 2089-1, not 13457-7 (calculated) nor 18262-6
# (direct assay). eGFR is the project's own CKD-EPI 2021 calculation: 98979-8.
LAB_LOINC: dict[str, tuple[str, str]] = {
    "09006C": ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
    "09005C": ("1558-6", f"Fasting glucose {_SERUM}"),
    "09001C": ("2093-3", f"Cholesterol {_SERUM}"),
    "09004C": ("2571-8", f"Triglyceride {_SERUM}"),
    "09043C": ("2085-9", f"Cholesterol in HDL {_SERUM}"),
    "09044C": ("2089-1", f"Cholesterol in LDL {_SERUM}"),
    "09015C": ("2160-0", f"Creatinine {_SERUM}"),
    "EGFR": PREVENTIVE_VALUES["egfr"][:2],
    "09002C": ("3094-0", f"Urea nitrogen {_SERUM}"),
    "09013C": ("3084-1", f"Urate {_SERUM}"),
    "09016C": ("2161-8", "Creatinine [Mass/volume] in Urine"),
    "06013C": ("2887-8", "Protein [Presence] in Urine"),
    "12111C": ("9318-7", "Albumin/Creatinine [Mass Ratio] in Urine"),
    "06012C": ("24356-8", "Urinalysis complete panel - Urine"),
    "09025C": PREVENTIVE_VALUES["ast"][:2],
    "09026C": PREVENTIVE_VALUES["alt"][:2],
    "09031C": (
        "2324-2",
        "Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma",
    ),
    "09027C": ("6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma"),
    "09029C": ("1975-2", f"Bilirubin.total {_SERUM}"),
    "09038C": ("1751-7", f"Albumin {_SERUM}"),
    "14032C": SEROLOGY["hbsag"],
    "14035C": ("13954-3", "Hepatitis B virus e Ag [Presence] in Serum or Plasma by Immunoassay"),
    "14051C": SEROLOGY["anti_hcv"],
    "12007C": ("1834-1", f"Alpha-1-Fetoprotein {_SERUM}"),
    "12184C": (
        "42595-9",
        "Hepatitis B virus DNA [Units/volume] (viral load) in Serum or Plasma by NAA with "
        "probe detection",
    ),
    "12185C": (
        "11011-4",
        "Hepatitis C virus RNA [Units/volume] (viral load) in Serum or Plasma by NAA with "
        "probe detection",
    ),
    "08002C": ("6690-2", "Leukocytes [#/volume] in Blood by Automated count"),
    "08003C": ("718-7", "Hemoglobin [Mass/volume] in Blood"),
    "08006C": ("777-3", "Platelets [#/volume] in Blood by Automated count"),
    "08026C": ("5902-2", "Prothrombin time (PT)"),
    "09021C": ("2951-2", "Sodium [Moles/volume] in Serum or Plasma"),
    "09022C": ("2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
    "09011C": ("17861-6", f"Calcium {_SERUM}"),
    "09012C": ("2777-1", f"Phosphate {_SERUM}"),
    "09112C": ("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"),
    "09106C": ("3024-7", f"Thyroxine (T4) free {_SERUM}"),
    "12015C": ("1988-5", f"C reactive protein {_SERUM}"),
    "12081C": ("2857-1", f"Prostate specific Ag {_SERUM}"),
    "09099C": ("10839-9", f"Troponin I.cardiac {_SERUM}"),
    "12193C": ("30934-4", f"Natriuretic peptide B {_SERUM}"),
    "09064C": ("3040-3", "Lipase [Enzymatic activity/volume] in Serum or Plasma"),
}

# -- CVX of the vaccines (codes.Vaccine, keyed by its Taiwan CDC code) ----------------------

# CDC's CVX (https://www2a.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx), the
# "unspecified formulation" code where Taiwan's product is not named. Vaccines with no CVX
# (live chimeric JE, Tdap-IPV: not licensed in the US) carry the Taiwan CDC code only.
_HEPB_PEDIATRIC = ("08", "Hep B, adolescent or pediatric")
_DTP = ("01", "DTP")
_OPV = ("02", "OPV")
_PCV13 = ("133", "Pneumococcal conjugate PCV 13")
_JE = ("129", "Japanese Encephalitis vaccine, unspecified formulation")
_HEPA = ("85", "Hep A, unspecified formulation")
_FLU = ("88", "Influenza, unspecified formulation")
_COVID = ("213", "SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED FORMULATION")
_HPV = ("137", "HPV, unspecified formulation")
_PENTA = ("120", "DTaP-Hib-IPV")
VACCINE_CVX: dict[str, tuple[str, str]] = {
    "HBIG": ("30", "HBIG"),
    "RHEPB1": _HEPB_PEDIATRIC,
    "RHEPB2": _HEPB_PEDIATRIC,
    "RHEPB3": _HEPB_PEDIATRIC,
    "BCG": ("19", "BCG"),
    **{f"DTP{n}": _DTP for n in range(1, 5)},
    **{f"OPV{n}": _OPV for n in range(1, 6)},
    "TD": ("139", "Td(adult) unspecified formulation"),
    **{f"5IN1-{n}": _PENTA for n in range(1, 5)},
    "DTAP-IPV": ("130", "DTaP-IPV"),
    "PCV13-1": _PCV13,
    "PCV13-2": _PCV13,
    "PCV13-3": _PCV13,
    "PCV13": _PCV13,
    "PPV23": ("33", "pneumococcal polysaccharide PPV23"),
    "MV": ("05", "measles"),
    "MMR1": ("03", "MMR"),
    "MMR2": ("03", "MMR"),
    "VAR": ("21", "varicella"),
    **{f"JE{n}": _JE for n in range(1, 5)},
    "HEPA1": _HEPA,
    "HEPA2": _HEPA,
    "FLU1": _FLU,
    "FLU2": _FLU,
    "FLU": _FLU,
    **{f"COVID19-{n}": _COVID for n in range(1, 5)},
    "COVID19-XBB": _COVID,
    "HPV1": _HPV,
    "HPV2": _HPV,
}
