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

from dataclasses import dataclass
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


# --- SMART App Launch 2 scopes ------------------------------------------------------------

# Scopes that say who and how, not what: asked for and granted as they are.
OPENID = "openid"
FHIR_USER = "fhirUser"
OFFLINE_ACCESS = "offline_access"
LAUNCH_PATIENT = "launch/patient"
CONTEXT_SCOPES: tuple[str, ...] = (OPENID, FHIR_USER, OFFLINE_ACCESS, LAUNCH_PATIENT)
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
# `patient/Observation.rs?category=<system>|<code>`: the categories whose records carry it.
_OBSERVATION_CATEGORIES: dict[str, tuple[str, ...]] = {
    "laboratory": ("labs", "preventive"),
    "vital-signs": ("measurements", "preventive"),
    "exam": ("preventive",),
}


@dataclass(frozen=True)
class ResourceScope:
    """One `patient/<type>.<permissions>[?category=...]` scope (SMART v2, or v1's .read)."""

    resource_type: str  # a type of RESOURCE_TYPES, or "*"
    readable: bool  # read or search (r, s; v1 read or *)
    category: str = ""  # the granular `?category=` code, if any

    def categories(self) -> tuple[str, ...]:
        """The categories of the seed's table whose records this scope reaches."""
        if self.resource_type == "*":
            codes: tuple[str, ...] = tuple(SHARED)
        else:
            codes = categories_of(self.resource_type)
        if self.category and self.resource_type == "Observation":
            wanted = _OBSERVATION_CATEGORIES.get(self.category, ())
            codes = tuple(code for code in codes if code in wanted)
        return codes

    def wants_patient(self) -> bool:
        return self.resource_type in ("*", PATIENT)


def parse_resource_scope(scope: str) -> ResourceScope | None:
    """A patient-level resource scope, or None for anything else (user/, system/, context)."""
    context, slash, rest = scope.partition("/")
    if context != "patient" or not slash:
        return None
    rest, _question, query = rest.partition("?")
    resource_type, dot, permissions = rest.partition(".")
    if not dot or (resource_type != "*" and resource_type not in RESOURCE_TYPES):
        return None
    if permissions in ("read", "*"):  # SMART v1
        readable = True
    elif permissions and set(permissions) <= set("cruds") and _in_order(permissions):
        readable = bool(set(permissions) & {"r", "s"})
    else:
        return None
    category = ""
    for name, _equals, value in (part.partition("=") for part in query.split("&") if part):
        if name == "category":
            category = value.rpartition("|")[2]
    return ResourceScope(resource_type, readable, category)


def _in_order(permissions: str) -> bool:
    order = "cruds"
    positions = [order.index(letter) for letter in permissions]
    return positions == sorted(set(positions))


def is_known_scope(scope: str) -> bool:
    """Whether the server understands the scope (an app may ask for no other)."""
    return scope in CONTEXT_SCOPES or parse_resource_scope(scope) is not None


def asked_categories(scopes: list[str]) -> list[Category]:
    """The categories an app's readable scopes reach, in the seed's order."""
    codes = {
        code
        for scope in scopes
        if (parsed := parse_resource_scope(scope)) and parsed.readable
        for code in parsed.categories()
    }
    return [category for category in shared_categories() if category.code in codes]


def asks_demographics(scopes: list[str]) -> bool:
    return any(
        (parsed := parse_resource_scope(scope)) and parsed.readable and parsed.wants_patient()
        for scope in scopes
    )


def granted_scopes(asked: list[str], categories: list[str], demographics: bool) -> list[str]:
    """The scopes a token carries: the context scopes asked for, and `patient/<type>.rs` for
    each type asked for of the categories the person left ticked (and Patient with
    demographics). The grant's categories, not a scope's `?category=`, bound what is read."""
    types = {t for code in categories for t in SHARED.get(code, ())}
    if demographics:
        types.add(PATIENT)
    types &= readable_types(" ".join(asked))
    context = [scope for scope in CONTEXT_SCOPES if scope in asked]
    return context + [f"patient/{t}.rs" for t in RESOURCE_TYPES if t in types]


def readable_types(scope: str) -> frozenset[str]:
    """The resource types a token's scope string lets an app read or search."""
    types: set[str] = set()
    for part in scope.split():
        parsed = parse_resource_scope(part)
        if parsed is None or not parsed.readable:
            continue
        types.update(RESOURCE_TYPES if parsed.resource_type == "*" else (parsed.resource_type,))
    return frozenset(types)
