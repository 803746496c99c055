"""FHIR R4 Bundles (batch, transaction, or a health bank download's collection) → rows.

`rows_from_bundle(file)` reads one JSON Bundle and yields, in entry order, `(position, row)`
or `(position, Problem)` as rows.py defines them; position is the entry's index from 1 (a
problem with the Bundle as a whole, not JSON, too big ..., is at 1 with a field "Bundle"
or "Bundle.type", not "Bundle.entry..." or a resource's path). It never raises
for bad input: every refusal is a Problem whose `field` is a FHIR path
("Encounter.period.start", "Bundle.entry.request.method") and whose message is English.

The mapping, element by element, is in ../schemas/fhir.md; in short:

- an `Encounter` with the `Condition`s, `MedicationRequest`s and `Procedure`s that point at
  it (`encounter`, or the Encounter's `diagnosis.condition`) is one visit row, yielded at
  the Encounter's position; a bad part refuses the whole visit, never half of it;
- an `Observation` with an NHI lab item code is a lab_result; one coded as this project's
  adult preventive check panel is a preventive_check (its values as `component`s or as
  `hasMember` Observations in the Bundle, which it then consumes);
- `DiagnosticReport` (RAD or PAT) → imaging_report, `DocumentReference` (LOINC 18842-5) →
  discharge_summary, `AllergyIntolerance` → allergy, `Immunization` → vaccination,
  `Consent` → care_wish;
- `Patient`, `Organization`, `Practitioner`, `PractitionerRole` and `Location` are read
  only through references; `ExplanationOfBenefit` (a download's claim per visit) is left
  without a problem; any other resource is reported as unsupported and skipped.

It reads what healthbank/fhir/mapping.py writes (the same code systems, which
healthbank/codes/fhir.py holds for both, identifiers and elements), so a person's download
sent back gives the same rows, as far as the download carries them. The person is the
Patient's national ID (or resident certificate) identifier; the provider's record id is the
resource's business identifier (this project's `sid` systems hold "<provider code>-<record
id>": the code is dropped), else its first identifier, else its `id`. `entry.request.method`
DELETE, or status entered-in-error, gives the void row.

Each resource read is first validated against its R4B model (fhir.resources, which R4
resources pass unchanged), so a wrong type anywhere is reported with its path; the mapping
then walks the plain JSON and checks again what it takes, so nothing here trusts the input.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils import translation
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from healthbank.codes import fhir as codes  # the code systems and tables the export writes
from healthbank.core.meta import model_field
from healthbank.ingest.rows import Problem
from healthbank.ingest.rules import MAX_BUNDLE_BYTES
from healthbank.records.models import DischargeSummary

logger = logging.getLogger(__name__)

# A Bundle is read whole (references may point anywhere in it): these bound the memory one
# upload can take. Larger feeds are split into several Bundles, or sent as NDJSON.
MAX_ENTRIES = 100_000
MAX_PROBLEMS_PER_ENTRY = 20  # a resource with a thousand bad elements gets a readable report
MAX_FIELD_CHARS = 100  # BatchProblem.field keeps this much of a FHIR path

# Position of a problem with the Bundle itself (its field starts "Bundle", not
# "Bundle.entry"): positions start at 1 (rows.py), and a batch's checkpoint starts at 0.
WHOLE_BUNDLE = 1
INTERNAL_ERROR = "This entry could not be read (internal error)."

# Visit elements NHI claims have and R4 does not: this project's extensions on Encounter.
EXTENSION = f"{codes.PROJECT}/StructureDefinition"
COPAYMENT = f"{EXTENSION}/copayment"  # valueMoney (TWD) or valueInteger
POINTS = f"{EXTENSION}/nhi-points"  # valueInteger
CARD_SEQUENCE = f"{EXTENSION}/card-sequence"  # valueString, 健保卡就醫序號
REFILL_NUMBER = f"{EXTENSION}/refill-number"  # valuePositiveInt, which refill of a chronic Rx
# DiagnosticReport has no body site in R4: valueCodeableConcept with a BODY_SITE coding.
BODY_SITE = f"{EXTENSION}/body-site"
# The adult preventive check (成人預防保健) as one Observation panel; its values and results
# use the codes fhir/mapping.py gives them (codes/fhir.py).
PREVENTIVE_CHECK = f"{codes.PROJECT}/CodeSystem/preventive-check"
PREVENTIVE_PANEL = "adult"

# Business identifier systems of each row type (fhir/mapping.py's _record_identifier).
_ID_SYSTEMS = {
    "visit": codes.VISIT_ID,
    "lab_result": f"{codes.RECORD_ID}/lab-result",
    "imaging_report": f"{codes.RECORD_ID}/imaging-report",
    "discharge_summary": f"{codes.RECORD_ID}/discharge-summary",
    "allergy": f"{codes.RECORD_ID}/allergy",
    "vaccination": f"{codes.RECORD_ID}/vaccination",
    "preventive_check": f"{codes.RECORD_ID}/preventive-check",
    "care_wish": f"{codes.RECORD_ID}/care-wish",
}
_TYPE_OF_SYSTEM = {system: row_type for row_type, system in _ID_SYSTEMS.items()}
# The row type a resource type is, where one type gives one row type (DELETE by id).
_ROW_TYPE = {
    "Encounter": "visit",
    "DiagnosticReport": "imaging_report",
    "DocumentReference": "discharge_summary",
    "AllergyIntolerance": "allergy",
    "Immunization": "vaccination",
    "Consent": "care_wish",
}
_VISIT_PARTS = ("Condition", "MedicationRequest", "Procedure")
_RECORDS = (*_ROW_TYPE, "Observation")
_REFERENCED_ONLY = ("Patient", "Organization", "Practitioner", "PractitionerRole", "Location")
# What a download writes beside the records and the reader leaves: a visit's claim restates
# its Encounter's visit.
_DERIVED = ("ExplanationOfBenefit",)
_PATIENT_SYSTEMS = (codes.NATIONAL_ID, codes.RESIDENT_CERTIFICATE)

_FLAG = {"N": "", "H": "H", "HH": "H", "L": "L", "LL": "L", "A": "A", "AA": "A"}
_INPATIENT_CLASSES = {"IMP", "ACUTE", "NONAC"}
_IMAGING_CATEGORY = {"RAD": "imaging", "PAT": "pathology", "SP": "pathology"}
_DRUG_SYSTEMS = (codes.NHI_DRUG, codes.NHI_HERB)
_LAB_SYSTEMS = (codes.NHI_SERVICE, codes.LAB_ITEM)
_DAYS = {"d", "day", "days"}
_DISCHARGE_SUMMARY = "18842-5"
_CONTINUOUS = codes.LONG_TERM[0]
_SURGERY = codes.SURGICAL_PROCEDURE[0]

# Preventive check: LOINC code → the PreventiveCheck field it fills.
_PREVENTIVE_LOINC = {loinc: name for name, (loinc, *_) in codes.PREVENTIVE_VALUES.items()}
_PREVENTIVE_LOINC[codes.SYSTOLIC[0]] = "systolic"
_PREVENTIVE_LOINC[codes.DIASTOLIC[0]] = "diastolic"
_PREVENTIVE_LOINC[codes.URINE_PROTEIN[0]] = "urine_protein"
_SEROLOGY_LOINC = {loinc: name for name, (loinc, _) in codes.SEROLOGY.items()}
_SEROLOGY_ANSWER = {code: str(value) for value, (code, _) in codes.SEROLOGY_VALUES.items()}
_RESULT_CODE = {code: name for name, code, _, _ in codes.PREVENTIVE_RESULTS}
_NOT_DONE = "not_done"
_INTEGER_FIELDS = {
    "systolic",
    "diastolic",
    "total_cholesterol",
    "triglycerides",
    "hdl",
    "ldl",
    "fasting_glucose",
    "ast",
    "alt",
}

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T.*)?\Z")
_RELATIVE = re.compile(r"(?:.*/)?([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/.*)?\Z")
_SID_VALUE = re.compile(r"[0-9A-Za-z]{1,10}-(.+)\Z", re.DOTALL)


# -- reading the Bundle --------------------------------------------------------------------


@dataclass
class _Entry:
    position: int
    resource_type: str = ""
    resource: dict | None = None
    full_url: str = ""
    method: str = ""  # POST, PUT, DELETE; "" in a collection
    url: str = ""
    problems: list[Problem] = field(default_factory=list)

    def problem(self, path: str, message: str, *, envelope: bool = False) -> None:
        """A problem with the resource at `path` (FHIRPath without the type), or with the
        entry around it (`envelope`: fullUrl, request)."""
        if len(self.problems) < MAX_PROBLEMS_PER_ENTRY:
            prefix = "Bundle.entry" if envelope or not self.resource_type else self.resource_type
            where = f"{prefix}.{path}" if path else prefix
            if len(where) > MAX_FIELD_CHARS:  # a path deep in nested extensions
                where = where[: MAX_FIELD_CHARS - 1] + "…"
            self.problems.append(Problem(self.position, where, message))


def rows_from_bundle(file: BinaryIO) -> Iterator[tuple[int, dict | Problem]]:
    """The rows of a FHIR R4 Bundle (JSON, UTF-8), each with its entry's position."""
    bundle = _load(file.read(MAX_BUNDLE_BYTES + 1))
    if isinstance(bundle, Problem):
        yield bundle.position, bundle
        return
    yield from _Bundle(bundle).rows()


def _load(data: bytes) -> dict | Problem:
    def refuse(field: str, message: str) -> Problem:
        return Problem(WHOLE_BUNDLE, field or "Bundle", message)

    if len(data) > MAX_BUNDLE_BYTES:
        return refuse(
            "",
            f"The file is larger than {MAX_BUNDLE_BYTES} bytes, the most a Bundle may have "
            "(MAX_BUNDLE_BYTES). Split it into several Bundles.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return refuse("", f"The file is not UTF-8: invalid byte at offset {error.start}.")
    try:
        bundle = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        return refuse("", "The JSON is nested too deeply.")
    except ValueError as error:  # JSONDecodeError, NaN, integers beyond Python's digit limit
        return refuse("", f"The file is not JSON: {str(error)[:200]}")
    if not isinstance(bundle, dict):
        return refuse("Bundle", "The file must be one JSON object, a FHIR Bundle.")
    if bundle.get("resourceType") != "Bundle":
        return refuse("Bundle.resourceType", 'The resourceType must be "Bundle".')
    if bundle.get("type") not in ("batch", "transaction", "collection"):
        return refuse(
            "Bundle.type", 'The Bundle type must be "batch", "transaction" or "collection".'
        )
    entries = bundle.get("entry", [])
    if not isinstance(entries, list) or not entries:
        return refuse("Bundle", "The Bundle must have a non-empty list of entries.")
    if len(entries) > MAX_ENTRIES:
        return refuse(
            "Bundle",
            f"The Bundle has {len(entries)} entries; at most {MAX_ENTRIES} are read "
            "(MAX_ENTRIES). Split it into several Bundles.",
        )
    return bundle


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


class _Bundle:
    """One Bundle's entries, indexed for references, mapped to rows."""

    def __init__(self, bundle: dict) -> None:
        self.needs_request = bundle["type"] != "collection"
        self.entries = [self._entry(i, e) for i, e in enumerate(bundle["entry"], start=1)]
        self.by_url: dict[str, _Entry] = {}
        self.by_id: dict[tuple[str, str], _Entry] = {}
        for entry in self.entries:
            if entry.full_url:
                if entry.full_url in self.by_url:
                    first = self.by_url[entry.full_url].position
                    entry.problem("fullUrl", f"The fullUrl repeats entry {first}'s.", envelope=True)
                    entry.resource = None
                    continue
                self.by_url[entry.full_url] = entry
            if entry.resource and isinstance(entry.resource.get("id"), str):
                self.by_id.setdefault((entry.resource_type, entry.resource["id"]), entry)
        self.checked: dict[int, bool] = {}  # position → the resource passed its R4B model
        self.consumed: set[int] = set()  # members read into a preventive check's row

    # -- entries --------------------------------------------------------------------------

    def _entry(self, position: int, raw: Any) -> _Entry:
        entry = _Entry(position)
        if not isinstance(raw, dict):
            entry.problem("", "An entry must be a JSON object.")
            return entry
        full_url = raw.get("fullUrl")
        if full_url is not None:
            if isinstance(full_url, str) and full_url:
                entry.full_url = full_url
            else:
                entry.problem("fullUrl", "fullUrl must be a non-empty string.")
        request = raw.get("request")
        if request is not None:
            if not isinstance(request, dict) or not isinstance(request.get("method"), str):
                entry.problem("request.method", "request must be an object with a method.")
            else:
                entry.method = request["method"]
                url = request.get("url")
                entry.url = url if isinstance(url, str) else ""
        elif self.needs_request:
            entry.problem(
                "request",
                "A batch or transaction entry needs a request (method and url).",
                envelope=True,
            )
        if entry.method not in ("", "POST", "PUT", "DELETE"):
            entry.problem(
                "request.method", "Only POST, PUT and DELETE are accepted.", envelope=True
            )
        resource = raw.get("resource")
        if resource is None:
            if entry.method != "DELETE":
                entry.problem("resource", "The entry has no resource.")
            return entry
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            entry.problem("resource", "The resource must be an object with a resourceType.")
            return entry
        entry.resource_type = resource["resourceType"][:64]
        entry.resource = resource
        return entry

    def valid(self, entry: _Entry) -> bool:
        """Whether the entry's resource passes its R4B model; its problems are kept once."""
        if entry.position not in self.checked:
            self.checked[entry.position] = entry.resource is not None and _conforms(entry)
        return self.checked[entry.position]

    def resolve(self, reference: Any) -> _Entry | None:
        """The entry a Reference's `reference` names: a fullUrl, or Type/id relative or at
        the end of an absolute URL."""
        if not isinstance(reference, dict) or not isinstance(reference.get("reference"), str):
            return None
        target = reference["reference"]
        if target in self.by_url:
            return self.by_url[target]
        match = _RELATIVE.match(target)
        if match:
            return self.by_id.get((match[1], match[2]))
        return None

    # -- rows -----------------------------------------------------------------------------

    def rows(self) -> Iterator[tuple[int, dict | Problem]]:
        rows: dict[int, dict] = {}
        visits = self._visit_parts()
        for entry in self._panels_first():
            try:
                row = self._row(entry, visits)
            except Exception:  # a bug must cost one entry, not the upload; tests catch it
                logger.exception("FHIR entry %s could not be read", entry.position)
                row = None
                entry.problem("", INTERNAL_ERROR)
            if row is not None and not entry.problems:
                problem = _unstorable(row)
                if problem:
                    entry.problem("", problem)
                else:
                    rows[entry.position] = row
        # Problems last: reading a visit adds to its parts' entries, wherever they are.
        for entry in self.entries:
            if entry.position in rows and not entry.problems:
                yield entry.position, rows[entry.position]
            for found in entry.problems:
                yield entry.position, found

    def _panels_first(self) -> list[_Entry]:
        """Preventive panels are read before other Observations, which they may consume."""
        panels = [e for e in self.entries if _is_panel(e.resource)]
        return panels + [e for e in self.entries if not _is_panel(e.resource)]

    def _row(self, entry: _Entry, visits: dict[int, list[_Entry]]) -> dict | None:
        if entry.problems and entry.resource is None:
            return None
        if entry.method == "DELETE":
            return self._void_by_url(entry)
        kind = entry.resource_type
        if kind in _REFERENCED_ONLY or kind in _VISIT_PARTS or kind in _DERIVED:
            return None  # read through references (parts of visits are checked there)
        if kind not in _RECORDS:
            entry.problem("", f"{kind} is not a resource the health bank takes; entry skipped.")
            return None
        if entry.position in self.consumed:
            return None
        if not self.valid(entry):
            return None
        reader = _Reader(self, entry)
        if kind == "Encounter":
            return reader.visit(visits.get(entry.position, []))
        if kind == "Observation":
            if _is_panel(entry.resource):
                return reader.preventive_check()
            return reader.lab_result()
        return getattr(reader, _ROW_TYPE[kind])()

    def _visit_parts(self) -> dict[int, list[_Entry]]:
        """Encounter position → its Conditions, MedicationRequests and Procedures; a part
        that belongs to no Encounter of the Bundle is reported here."""
        parts: dict[int, list[_Entry]] = {}
        claimed: set[int] = set()
        for entry in self.entries:
            if entry.resource_type != "Encounter" or entry.resource is None:
                continue
            diagnoses = entry.resource.get("diagnosis")
            for diagnosis in diagnoses if isinstance(diagnoses, list) else []:
                condition = self.resolve(_get(diagnosis, "condition"))
                if condition is not None and condition.resource_type == "Condition":
                    parts.setdefault(entry.position, []).append(condition)
                    claimed.add(condition.position)
        for entry in self.entries:
            if entry.resource_type not in _VISIT_PARTS or entry.resource is None:
                continue
            if entry.method == "DELETE":
                continue  # reported as a void it cannot be
            reference = entry.resource.get("encounter")
            encounter = self.resolve(reference)
            if encounter is not None and encounter.resource_type == "Encounter":
                if entry.position not in claimed:
                    parts.setdefault(encounter.position, []).append(entry)
                    claimed.add(entry.position)
            elif entry.position not in claimed:
                if reference is None:
                    entry.problem(
                        "encounter",
                        f"A {entry.resource_type} is taken only as part of a visit: it must "
                        "refer to an Encounter in the Bundle.",
                    )
                else:
                    entry.problem("encounter", "The reference names no Encounter in the Bundle.")
        for encounter_parts in parts.values():
            encounter_parts.sort(key=lambda part: part.position)
        return parts

    def _void_by_url(self, entry: _Entry) -> dict | None:
        """DELETE Type/id, or Type?identifier=system|value (conditional delete)."""
        path = "Bundle.entry.request.url"
        try:
            split = urlsplit(entry.url)
        except ValueError:
            split = urlsplit("")
        resource_type = split.path.strip("/").split("/")[-1]
        system, record_id = "", ""
        if split.query:
            values = parse_qs(split.query).get("identifier", [])
            if len(values) == 1 and "|" in values[0]:
                system, record_id = values[0].split("|", 1)
        else:
            match = _RELATIVE.match(split.path.strip("/"))
            if match:
                resource_type, record_id = match[1], match[2]
        if resource_type in _VISIT_PARTS:
            message = "Parts of a visit are not voided alone: send the Encounter without them."
            entry.problems.append(Problem(entry.position, path, message))
            return None
        row_type = _TYPE_OF_SYSTEM.get(system) or _ROW_TYPE.get(resource_type)
        if not record_id or row_type is None:
            message = (
                "A DELETE url must be Type/id or Type?identifier=system|value of a record "
                "type the health bank takes (an Observation by its identifier system)."
            )
            entry.problems.append(Problem(entry.position, path, message))
            return None
        return {"type": row_type, "id": _record_id(system, record_id), "void": True}


def _conforms(entry: _Entry) -> bool:
    """Validate the resource against its R4B model, reporting each error with its path."""
    try:
        get_fhir_model_class(entry.resource_type).model_validate(entry.resource)
    except ValidationError as error:
        for detail in error.errors(include_url=False, include_input=False):
            path = "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]
            ).lstrip(".")
            entry.problem(path, str(detail["msg"])[:300])
        return False
    except (RecursionError, ValueError, TypeError) as error:
        entry.problem("", f"The resource is not valid FHIR R4 ({type(error).__name__}).")
        return False
    return True


def _is_panel(resource: dict | None) -> bool:
    return (
        resource is not None
        and resource.get("resourceType") == "Observation"
        and _code(resource.get("code"), PREVENTIVE_CHECK) == PREVENTIVE_PANEL
    )


def _unstorable(value: Any) -> str:
    """Why a row's text cannot be stored (PostgreSQL refuses NUL; lone surrogates are not
    UTF-8), or ""."""
    if isinstance(value, str):
        if "\x00" in value:
            return "A text contains the NUL character."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "A text contains an unpaired surrogate (\\ud800-\\udfff)."
    elif isinstance(value, dict):
        return next((p for p in map(_unstorable, value.values()) if p), "")
    elif isinstance(value, list):
        return next((p for p in map(_unstorable, value) if p), "")
    return ""


# -- small readers of JSON values ----------------------------------------------------------


def _get(value: Any, *path: str | int) -> Any:
    """value[path[0]][path[1]]..., None where a step is missing or of the wrong kind."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _codings(concept: Any) -> list[dict]:
    return [c for c in _list(_get(concept, "coding")) if isinstance(c, dict)]


def _code(concept: Any, *systems: str) -> str | None:
    """The code of the concept's first coding in one of `systems`."""
    for coding in _codings(concept):
        if coding.get("system") in systems and isinstance(coding.get("code"), str):
            return coding["code"]
    return None


def _record_id(system: str, value: str) -> str:
    """This project's sid values are "<provider code>-<record id>": the record id."""
    if system in _TYPE_OF_SYSTEM:
        match = _SID_VALUE.match(value)
        if match:
            return match[1]
    return value


def _number(value: Any) -> int | float | None:
    """A JSON number as rows carry it (int when whole), None if not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = Decimal(value)
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            return None
        if number == number.to_integral_value():
            return int(number)
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return float(number)


def _number_text(value: Any) -> str:
    number = _number(value)
    if isinstance(number, int):
        return str(number)
    return format(Decimal(value).normalize(), "f")


class _Reader:
    """Reads one record entry into a row; what it cannot read becomes the entry's problems."""

    def __init__(self, bundle: _Bundle, entry: _Entry) -> None:
        self.bundle = bundle
        self.entry = entry
        assert entry.resource is not None  # noqa: S101 - only entries with a resource get here
        self.resource: dict = entry.resource

    def problem(self, path: str, message: str) -> None:
        self.entry.problem(path, message)

    # -- common elements ------------------------------------------------------------------

    def start(self, row_type: str, patient_element: str) -> dict | None:
        """The row's type and id, or the void row; else None with a problem."""
        record_id = self.record_id(row_type)
        if record_id is None:
            return None
        if self.resource.get("status") == "entered-in-error":
            return {"type": row_type, "id": record_id, "void": True}
        national_id = self.national_id(self.resource, patient_element)
        if national_id is None:
            return None
        return {"type": row_type, "id": record_id, "national_id": national_id}

    def record_id(self, row_type: str) -> str | None:
        identifiers = [
            i
            for i in _list(self.resource.get("identifier"))
            if isinstance(i, dict) and isinstance(i.get("value"), str) and i["value"]
        ]
        ours = [i for i in identifiers if i.get("system") == _ID_SYSTEMS[row_type]]
        official = [i for i in identifiers if i.get("use") in ("official", "usual")]
        chosen = next(iter(ours or official or identifiers), None)
        if chosen is not None:
            system = chosen.get("system")
            return _record_id(system if isinstance(system, str) else "", chosen["value"])
        if isinstance(self.resource.get("id"), str):
            return self.resource["id"]
        self.problem("identifier", "The record has neither an identifier nor an id.")
        return None

    def national_id(self, resource: dict, element: str) -> str | None:
        """The national ID (or resident certificate number) of the Patient `element` names:
        a Patient in the Bundle, or a logical reference by identifier."""
        path = element
        reference = resource.get(element)
        if not isinstance(reference, dict):
            self.problem(path, "The record must name its Patient.")
            return None
        if "reference" in reference:
            patient = self.bundle.resolve(reference)
            if patient is None or patient.resource_type != "Patient":
                self.problem(f"{path}.reference", "The reference names no Patient in the Bundle.")
                return None
            if not self.bundle.valid(patient):
                self.problem(path, f"The Patient (entry {patient.position}) is not valid.")
                return None
            identifiers = _list(patient.resource.get("identifier"))  # type: ignore[union-attr]
        else:
            identifiers = [reference.get("identifier")]
        for identifier in identifiers:
            value = _get(identifier, "value")
            if _get(identifier, "system") in _PATIENT_SYSTEMS and isinstance(value, str):
                return value.strip().upper()
        self.problem(
            path,
            "The Patient has no identifier with the national ID system "
            f"({codes.NATIONAL_ID}) or the resident certificate system "
            f"({codes.RESIDENT_CERTIFICATE}).",
        )
        return None

    def date(self, path: str, value: Any) -> str | None:
        """A FHIR date or dateTime as YYYY-MM-DD (the date as written, in its own offset);
        None if absent, a problem if not a full date."""
        if value is None:
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                return dt.date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                pass
        self.problem(path, "A full date (YYYY-MM-DD, optionally with a time) is needed.")
        return None

    def coded(self, path: str, concept: Any, *systems: str) -> str | None:
        """The code from one of `systems`; a problem if the concept is there without one."""
        if concept is None:
            return None
        code = _code(concept, *systems)
        if code is None:
            self.problem(
                f"{path}.coding", f"A coding with system {' or '.join(systems)} is needed."
            )
        return code

    def quantity(self, path: str, value: Any) -> int | float | None:
        if value is None:
            return None
        number = _number(value)
        if number is None:
            self.problem(path, "A number is needed (finite, below 10^15).")
        return number

    def text(self, path: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(path, "A string is needed.")
            return None
        return value

    def extension(self, url: str) -> dict | None:
        for extension in _list(self.resource.get("extension")):
            if _get(extension, "url") == url:
                return extension
        return None

    def visit_id(self, path: str, reference: Any) -> str | None:
        """The record id of the visit a reference names: an Encounter of the Bundle, or its
        business identifier."""
        if reference is None:
            return None
        if isinstance(_get(reference, "reference"), str):
            target = self.bundle.resolve(reference)
            if target is None or target.resource is None or target.resource_type != "Encounter":
                self.problem(path, "The reference names no Encounter in the Bundle.")
                return None
            return _Reader(self.bundle, target).record_id("visit")
        identifier = _get(reference, "identifier")
        value, system = _get(identifier, "value"), _get(identifier, "system")
        if isinstance(value, str) and value:
            return _record_id(system if isinstance(system, str) else "", value)
        self.problem(path, "The reference must name an entry or carry an identifier.")
        return None

    @staticmethod
    def put(row: dict, key: str, value: Any) -> None:
        if value is not None:
            row[key] = value

    # -- visits ---------------------------------------------------------------------------

    def visit(self, parts: list[_Entry]) -> dict | None:
        row = self.start("visit", "subject")
        if row is None or row.get("void"):
            return row
        encounter = self.resource
        inpatient = _get(encounter, "class", "code") in _INPATIENT_CLASSES
        kind = None
        for concept in _list(encounter.get("type")):
            kind = kind or _code(concept, codes.VISIT_KIND)
        self.put(row, "kind", kind or ("inpatient" if inpatient else None))
        self.put(row, "visit_date", self.date("period.start", _get(encounter, "period", "start")))
        if row.get("kind") == "inpatient":
            end = self.date("period.end", _get(encounter, "period", "end"))
            self.put(row, "discharge_date", end)
        department = self.coded("serviceType", encounter.get("serviceType"), codes.NHI_DEPARTMENT)
        self.put(row, "department", department)
        copayment = self.extension(COPAYMENT)
        if copayment is not None:
            money = _get(copayment, "valueMoney", "value")
            amount = money if money is not None else copayment.get("valueInteger")
            self.put(row, "copayment", self.quantity("extension(copayment).value", amount))
        points = self.extension(POINTS)
        if points is not None:
            value = points.get("valueInteger", points.get("valueDecimal"))
            self.put(row, "points", self.quantity("extension(nhi-points).value", value))
        sequence = self.extension(CARD_SEQUENCE)
        if sequence is not None:
            value = sequence.get("valueString")
            self.put(row, "card_sequence", self.text("extension(card-sequence).value", value))
        refill = self.extension(REFILL_NUMBER)
        if refill is not None:
            value = refill.get("valuePositiveInt", refill.get("valueInteger"))
            self.put(row, "refill_number", self.quantity("extension(refill-number).value", value))

        ranked: list[tuple[int, int, str]] = []
        drug_orders: list[dict] = []
        service_orders: list[dict] = []
        surgeries: list[dict] = []
        chronic = False
        rank_of = self._diagnosis_ranks()
        for part in parts:
            reader = _Reader(self.bundle, part)
            if not self.bundle.valid(part):
                self.problem(
                    "",
                    f"The visit is refused: its {part.resource_type} at entry "
                    f"{part.position} is not valid.",
                )
                continue
            if not reader.same_patient(row["national_id"]):
                continue
            if part.resource_type == "Condition":
                code = reader.coded("code", part.resource.get("code"), codes.ICD10CM)  # type: ignore[union-attr]
                if code is not None:
                    rank = rank_of.get(part.position, 10**12)  # unranked: after the ranked
                    ranked.append((rank, part.position, code))
            elif part.resource_type == "MedicationRequest":
                order = reader.drug_order()
                chronic = chronic or reader.continuous()
                if order is not None:
                    drug_orders.append(order)
            else:
                reader.procedure(row.get("visit_date"), service_orders, surgeries)
            if part.problems:
                self.problem(
                    "",
                    f"The visit is refused: its {part.resource_type} at entry "
                    f"{part.position} could not be read.",
                )
        if self.entry.problems:
            return None
        row["diagnoses"] = [code for _, _, code in sorted(ranked)]
        row["chronic_refill"] = chronic
        for key, orders in (
            ("drug_orders", drug_orders),
            ("service_orders", service_orders),
            ("surgeries", surgeries),
        ):
            if orders:
                row[key] = orders
        return row

    def _diagnosis_ranks(self) -> dict[int, int]:
        ranks: dict[int, int] = {}
        for index, diagnosis in enumerate(_list(self.resource.get("diagnosis"))):
            condition = self.bundle.resolve(_get(diagnosis, "condition"))
            if condition is None or condition.resource_type != "Condition":
                self.problem(
                    f"diagnosis[{index}].condition",
                    "The reference names no Condition in the Bundle.",
                )
                continue
            rank = _get(diagnosis, "rank")
            order = rank if isinstance(rank, int) and not isinstance(rank, bool) else 10_000
            ranks[condition.position] = order * 100_000 + index
        return ranks

    def same_patient(self, national_id: str) -> bool:
        element = "patient" if "patient" in self.resource else "subject"
        if element not in self.resource:
            return True  # the Encounter names the patient
        theirs = self.national_id(self.resource, element)
        if theirs is not None and theirs != national_id:
            self.problem(element, "It names another patient than its Encounter.")
            return False
        return theirs is not None

    def continuous(self) -> bool:
        return _code(self.resource.get("courseOfTherapyType"), codes.COURSE_OF_THERAPY) == (
            _CONTINUOUS
        )

    def drug_order(self) -> dict | None:
        request = self.resource
        if "medicationReference" in request:
            self.problem(
                "medicationReference",
                "Name the drug with medicationCodeableConcept (an NHI drug code).",
            )
            return None
        order: dict[str, Any] = {}
        concept = request.get("medicationCodeableConcept")
        self.put(order, "drug", self.coded("medicationCodeableConcept", concept, *_DRUG_SYSTEMS))
        supply = _get(request, "dispenseRequest", "expectedSupplyDuration")
        if supply is not None:
            unit = _get(supply, "code") or _get(supply, "unit")
            if unit not in _DAYS:
                self.problem(
                    "dispenseRequest.expectedSupplyDuration.code", 'The duration must be in "d".'
                )
            path = "dispenseRequest.expectedSupplyDuration.value"
            self.put(order, "days", self.quantity(path, _get(supply, "value")))
        path = "dispenseRequest.quantity.value"
        self.put(
            order,
            "quantity",
            self.quantity(path, _get(request, "dispenseRequest", "quantity", "value")),
        )
        dosage = _get(request, "dosageInstruction", 0)
        frequency = (
            _get(dosage, "timing", "code", "text")
            or _code(_get(dosage, "timing", "code"), codes.TIMING_ABBREVIATION)
            or _get(dosage, "text")
        )
        if frequency is not None:
            self.put(order, "frequency", self.text("dosageInstruction[0].timing.code", frequency))
        return order

    def procedure(self, visit_date: str | None, orders: list[dict], surgeries: list[dict]) -> None:
        procedure = self.resource
        service = self.coded("code", procedure.get("code"), codes.NHI_SERVICE)
        sites = _list(procedure.get("bodySite"))
        if _code(procedure.get("category"), codes.SNOMED) == _SURGERY:
            surgery: dict[str, Any] = {}
            self.put(surgery, "service", service)
            if sites:
                self.put(surgery, "body_site", self.coded("bodySite[0]", sites[0], codes.BODY_SITE))
            performed = procedure.get("performedDateTime") or _get(
                procedure, "performedPeriod", "start"
            )
            self.put(surgery, "performed_on", self.date("performed[x]", performed) or visit_date)
            surgeries.append(surgery)
            return
        order: dict[str, Any] = {}
        self.put(order, "service", service)
        if sites:
            self.put(order, "tooth", self.coded("bodySite[0]", sites[0], codes.TOOTH))
        orders.append(order)

    # -- other records --------------------------------------------------------------------

    def lab_result(self) -> dict | None:
        observation = self.resource
        code = _code(observation.get("code"), *_LAB_SYSTEMS)
        if code is None:
            self.problem(
                "code",
                "Only laboratory results coded with an NHI lab item "
                f"({' or '.join(_LAB_SYSTEMS)}) and the adult preventive check panel "
                f"({PREVENTIVE_CHECK}|{PREVENTIVE_PANEL}) are taken; entry skipped.",
            )
            return None
        row = self.start("lab_result", "subject")
        if row is None or row.get("void"):
            return row
        row["item"] = code
        effective = observation.get("effectiveDateTime") or _get(
            observation, "effectivePeriod", "start"
        )
        self.put(row, "collected_on", self.date("effective[x]", effective))
        if "valueQuantity" in observation:
            value = self.quantity(
                "valueQuantity.value", _get(observation, "valueQuantity", "value")
            )
            if value is not None:
                row["value"] = value
                row["value_text"] = _number_text(_get(observation, "valueQuantity", "value"))
        elif "valueString" in observation:
            self.put(row, "value_text", self.text("valueString", observation["valueString"]))
        interpretation = _get(observation, "interpretation", 0)
        if interpretation is not None:
            code = self.coded("interpretation[0]", interpretation, codes.INTERPRETATION)
            if code is not None and code not in _FLAG:
                self.problem("interpretation[0]", f"Use one of {', '.join(_FLAG)}.")
            self.put(row, "flag", _FLAG.get(code or ""))
        self.put(row, "visit", self.visit_id("encounter", observation.get("encounter")))
        return None if self.entry.problems else row

    def imaging_report(self) -> dict | None:
        report = self.resource
        row = self.start("imaging_report", "subject")
        if row is None or row.get("void"):
            return row
        for concept in _list(report.get("category")):
            kind = _IMAGING_CATEGORY.get(_code(concept, codes.DIAGNOSTIC_SERVICE) or "")
            if kind:
                row["kind"] = kind
                break
        else:
            self.problem("category", f"A category coded RAD or PAT ({codes.DIAGNOSTIC_SERVICE}).")
        self.put(row, "service", self.coded("code", report.get("code"), codes.NHI_SERVICE))
        site = self.extension(BODY_SITE)
        if site is not None:
            concept = site.get("valueCodeableConcept")
            self.put(
                row, "body_site", self.coded("extension(body-site).value", concept, codes.BODY_SITE)
            )
        effective = report.get("effectiveDateTime") or _get(report, "effectivePeriod", "start")
        self.put(row, "examined_on", self.date("effective[x]", effective))
        self.put(
            row, "findings", self.attachment_text("presentedForm", report.get("presentedForm"))
        )
        self.put(row, "impression", self.text("conclusion", report.get("conclusion")))
        self.put(row, "visit", self.visit_id("encounter", report.get("encounter")))
        return None if self.entry.problems else row

    def attachment_text(self, path: str, attachments: Any) -> str | None:
        """The UTF-8 text of the first text/plain attachment."""
        for index, attachment in enumerate(_list(attachments)):
            content_type = _get(attachment, "contentType")
            if isinstance(content_type, str) and content_type.startswith("text/plain"):
                data = _get(attachment, "data")
                try:
                    return base64.b64decode(str(data), validate=True).decode("utf-8")
                except (binascii.Error, ValueError):
                    self.problem(f"{path}[{index}].data", "Base64 of UTF-8 text is needed.")
                    return None
        if attachments is not None:
            self.problem(path, "A text/plain attachment with data is needed.")
        return None

    def discharge_summary(self) -> dict | None:
        document = self.resource
        if _code(document.get("type"), codes.LOINC) != _DISCHARGE_SUMMARY:
            self.problem(
                "type",
                f"Only discharge summaries (LOINC {_DISCHARGE_SUMMARY}) are taken; entry skipped.",
            )
            return None
        row = self.start("discharge_summary", "subject")
        if row is None or row.get("void"):
            return row
        context = document.get("context")
        encounters = _list(_get(context, "encounter"))
        if encounters:
            self.put(row, "visit", self.visit_id("context.encounter[0]", encounters[0]))
        self.put(
            row, "admitted_on", self.date("context.period.start", _get(context, "period", "start"))
        )
        self.put(
            row, "discharged_on", self.date("context.period.end", _get(context, "period", "end"))
        )
        contents = [_get(content, "attachment") for content in _list(document.get("content"))]
        text = self.attachment_text("content.attachment", contents)
        if text is not None:
            row.update(_sections(text))
        return None if self.entry.problems else row

    def allergy(self) -> dict | None:
        allergy = self.resource
        row = self.start("allergy", "patient")
        if row is None or row.get("void"):
            return row
        self.put(row, "recorded_on", self.date("recordedDate", allergy.get("recordedDate")))
        code = allergy.get("code")
        substance = _get(code, "text")
        if substance is None:
            substance = next(
                (c["display"] for c in _codings(code) if isinstance(c.get("display"), str)), None
            )
        self.put(row, "substance", self.text("code.text", substance))
        self.put(row, "drug", _code(code, *_DRUG_SYSTEMS))
        manifestation = _get(allergy, "reaction", 0, "manifestation", 0)
        if manifestation is not None:
            reaction = _get(manifestation, "text") or _get(manifestation, "coding", 0, "display")
            self.put(row, "reaction", self.text("reaction[0].manifestation[0].text", reaction))
        physician = _get(allergy, "recorder", "display")
        self.put(row, "physician", self.text("recorder.display", physician))
        return None if self.entry.problems else row

    def vaccination(self) -> dict | None:
        immunization = self.resource
        row = self.start("vaccination", "patient")
        if row is None or row.get("void"):
            return row
        if immunization.get("status") == "not-done":
            self.problem("status", "An immunization not done is not a vaccination record.")
            return None
        vaccine = self.coded("vaccineCode", immunization.get("vaccineCode"), codes.VACCINE)
        self.put(row, "vaccine", vaccine)
        given = self.date("occurrenceDateTime", immunization.get("occurrenceDateTime"))
        self.put(row, "given_on", given)
        self.put(row, "lot_number", self.text("lotNumber", immunization.get("lotNumber")))
        return None if self.entry.problems else row

    def care_wish(self) -> dict | None:
        consent = self.resource
        row = self.start("care_wish", "patient")
        if row is None or row.get("void"):
            return row
        kinds = [_code(c, codes.CARE_WISH) for c in _list(consent.get("category"))]
        kind = next((k for k in kinds if k), None)
        if kind is None:
            self.problem("category", f"A category coded with {codes.CARE_WISH} is needed.")
        row["kind"] = kind
        self.put(row, "signed_on", self.date("dateTime", consent.get("dateTime")))
        noted = _get(consent, "verification", 0, "verificationDate")
        self.put(row, "noted_on", self.date("verification[0].verificationDate", noted))
        revoked = _get(consent, "provision", "period", "end")
        self.put(row, "revoked_on", self.date("provision.period.end", revoked))
        return None if self.entry.problems else row

    def preventive_check(self) -> dict | None:
        panel = self.resource
        row = self.start("preventive_check", "subject")
        if row is None or row.get("void"):
            return row
        effective = panel.get("effectiveDateTime") or _get(panel, "effectivePeriod", "start")
        self.put(row, "checked_on", self.date("effective[x]", effective))
        for name, _, _, _ in codes.PREVENTIVE_RESULTS:
            row[name] = _NOT_DONE
        for name in codes.SEROLOGY:
            row[name] = _NOT_DONE
        for index, component in enumerate(_list(panel.get("component"))):
            self.preventive_value(row, f"component[{index}]", component)
        self.preventive_members(row, panel, depth=0)
        return None if self.entry.problems else row

    def preventive_members(self, row: dict, observation: dict, depth: int) -> None:
        """Values and results given as hasMember Observations (results' own members too)."""
        for index, reference in enumerate(_list(observation.get("hasMember"))):
            path = f"hasMember[{index}]"
            member = self.bundle.resolve(reference)
            if member is None or member.resource_type != "Observation" or depth > 1:
                self.problem(path, "The reference names no Observation in the Bundle.")
                continue
            self.bundle.consumed.add(member.position)
            if not self.bundle.valid(member):
                self.problem(path, f"The Observation at entry {member.position} is not valid.")
                continue
            assert member.resource is not None  # noqa: S101 - valid() checked it
            self.preventive_value(row, path, member.resource)
            for component in _list(member.resource.get("component")):
                self.preventive_value(row, path, component)
            self.preventive_members(row, member.resource, depth + 1)

    def preventive_value(self, row: dict, path: str, item: Any) -> None:
        code = _get(item, "code")
        loinc = _code(code, codes.LOINC)
        result = _code(code, codes.PREVENTIVE_RESULT)
        if loinc in _PREVENTIVE_LOINC:
            name = _PREVENTIVE_LOINC[loinc]
            if name == "urine_protein":
                self.put(row, name, self.text(f"{path}.valueString", _get(item, "valueString")))
                return
            value = self.quantity(
                f"{path}.valueQuantity.value", _get(item, "valueQuantity", "value")
            )
            if value is not None and name in _INTEGER_FIELDS and not isinstance(value, int):
                self.problem(f"{path}.valueQuantity.value", "A whole number is needed.")
            self.put(row, name, value)
        elif loinc in _SEROLOGY_LOINC:
            answer = _code(_get(item, "valueCodeableConcept"), codes.SNOMED)
            if answer not in _SEROLOGY_ANSWER:
                self.problem(f"{path}.valueCodeableConcept", "SNOMED positive or negative.")
                return
            row[_SEROLOGY_LOINC[loinc]] = _SEROLOGY_ANSWER[answer]
        elif result in _RESULT_CODE:
            flag = _code(_get(item, "interpretation", 0), codes.INTERPRETATION)
            if flag not in ("N", "A"):
                self.problem(f"{path}.interpretation", "A result is interpreted N or A.")
                return
            row[_RESULT_CODE[result]] = "normal" if flag == "N" else "abnormal"
        elif loinc != codes.BLOOD_PRESSURE[0]:  # the panel's own components are read too
            self.problem(f"{path}.code", "Not a value of the adult preventive check.")


def _sections(text: str) -> dict[str, str]:
    """A discharge summary's text, as fhir/mapping.py writes it: each section a heading
    line (the field's name in English or Chinese) and its text, sections apart by a blank
    line. Text before the first heading is ignored."""
    headings: dict[str, str] = {}
    for field_name in ("chief_complaint", "diagnoses", "course", "procedures", "discharge_plan"):
        verbose = model_field(DischargeSummary, field_name).verbose_name
        for language, _ in settings.LANGUAGES:
            with translation.override(language):
                headings[str(verbose).strip().casefold()] = field_name
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    previous_blank = True
    for line in text.replace("\r\n", "\n").split("\n"):
        name = headings.get(line.strip().casefold()) if previous_blank else None
        if name is not None and name not in sections:
            current = sections[name] = []
        elif current is not None:
            current.append(line)
        previous_blank = not line.strip()
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}
