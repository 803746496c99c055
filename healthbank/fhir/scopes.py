"""What an app may ask for, in the person's words and in SMART's.

A person consents per category of the seed's table (records/categories.py); an app asks in
SMART App Launch 2 scopes (`patient/Observation.rs`). `SHARED` says which FHIR resource
types each category's records become through the API, so that the consent screen can turn
the scopes an app asks for into the categories it would read, and a grant's categories
back into the scopes its tokens carry. Demographics (the Patient's name, sex and birth
date) are a choice of their own, as in Blue Button 2.0.

Premium bills and payments and the person's own calendar are not served to apps: the API
has no resource for them (issue 25 lists what it serves).
"""

from __future__ import annotations

from types import MappingProxyType

from healthbank.records.categories import BY_CODE, Category

_VISIT_TYPES = ("ExplanationOfBenefit", "Encounter", "Condition", "MedicationRequest", "Procedure")

# Category code -> the resource types its records are served as.
SHARED: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "cards": ("Coverage",),
        "outpatient": _VISIT_TYPES,
        "inpatient": _VISIT_TYPES,
        "dental": _VISIT_TYPES,
        "tcm": _VISIT_TYPES,
        "labs": ("Observation",),
        "reports": ("DiagnosticReport",),
        "discharge_summaries": ("DocumentReference",),
        "allergies": ("AllergyIntolerance",),
        "wishes": ("Consent",),
        "vaccinations": ("Immunization",),
        "preventive": ("Observation",),
        "measurements": ("Observation",),
    }
)
# The demographics choice: the Patient resource.
PATIENT = "Patient"
RESOURCE_TYPES: tuple[str, ...] = (
    PATIENT,
    *sorted({t for types in SHARED.values() for t in types}),
)


def shared_categories() -> list[Category]:
    """The categories an app may be granted, in the seed's order."""
    return [BY_CODE[code] for code in SHARED]


def categories_of(resource_type: str) -> tuple[str, ...]:
    """The categories whose records are served as `resource_type`."""
    return tuple(code for code, types in SHARED.items() if resource_type in types)
