"""What the synthetic population falls ill with, and the codes each case is recorded with.

The generator (synth/population.py) decides who, when and how often; this module
decides what: which diagnosis, department, drugs, tests, procedures and texts. Every
code named here must exist in the code tables (codes/data); a test checks it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChronicCondition:
    """A long-term condition followed up in clinic with chronic refill prescriptions."""

    key: str
    diagnoses: tuple[str, ...]  # ICD-10-CM; the first is the usual one
    department: str  # department code of the follow-up clinic
    # Share of people who have it, by age band: ((min_age, share), ...) ascending.
    prevalence: tuple[tuple[int, float], ...]
    # Alternative daily regimens (NHI drug codes, one unit per day unless noted in
    # DAILY_UNITS); each patient is put on one of them.
    regimens: tuple[tuple[str, ...], ...]
    labs: tuple[str, ...]  # keys of LABS checked at follow-up ...
    lab_interval_months: int  # ... this often
    sex: str = ""  # "M" or "F" when only one sex has it


@dataclass(frozen=True)
class AcuteIllness:
    """A short illness that brings someone to a western, Chinese-medicine or dental clinic."""

    key: str
    diagnoses: tuple[str, ...]
    department: str
    kind: str  # records.Visit.Kind: "western", "tcm" or "dental"
    ages: tuple[int, int]  # inclusive age range in years
    weight: float  # relative frequency among illnesses of the same kind and age
    drugs: tuple[str, ...] = ()  # a visit prescribes one to four of these
    days: tuple[int, int] = (3, 3)  # days supplied, range
    services: tuple[str, ...] = ()  # extra non-drug orders; each is added with chance 1/2
    tooth: bool = False  # dental: each service order names a tooth
    sex: str = ""


@dataclass(frozen=True)
class ImagingExam:
    """An imaging or pathology exam and a typical report (English, as reports are written)."""

    key: str
    service: str  # NHI service code
    kind: str  # records.ImagingReport.Kind: "imaging" or "pathology"
    body_site: str
    findings: str
    impression: str


@dataclass(frozen=True)
class Admission:
    """A reason for an inpatient stay, with its surgery and the discharge summary's texts."""

    key: str
    diagnoses: tuple[str, ...]
    department: str
    ages: tuple[int, int]
    weight: float
    stay_days: tuple[int, int]
    surgery: str = ""  # NHI service code of the surgery, if any ...
    body_site: str = ""  # ... and where on the body
    imaging: tuple[str, ...] = ()  # keys of IMAGING done during the stay
    drugs: tuple[str, ...] = ()  # discharge medication
    chief_complaint: str = ""  # discharge-summary texts, Traditional Chinese
    course: str = ""
    plan: str = ""
    sex: str = ""


@dataclass(frozen=True)
class VaccineDose:
    """A dose of Taiwan's routine childhood schedule, given at about this age."""

    vaccine: str  # vaccine code
    age_days: int
    born_from: int = 2003  # first birth year the dose applies to (schedules change) ...
    born_until: int = 9999  # ... and the last


# The data below is filled in by the catalogue's curator; see the module docstring.
