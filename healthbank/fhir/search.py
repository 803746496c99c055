"""FHIR R4 search over the resources the mapper makes: which parameters each type takes,
how a query string is read, and which resources match.

Resources are matched as the mapper renders them (plain dicts), so the API answers on the
same elements it serves. The records read layer still decides which rows exist at all;
`date` bounds also narrow the rows read (`Query.window`) where the type's date element
cannot be earlier than its category's row date.

Parameters (https://hl7.org/fhir/R4/search.html):

- date: `date` (and the type's own name for it, such as `recorded-date`), with the
  prefixes eq, ne, gt, lt, ge, le, compared as ranges at the value's precision (a day
  is its whole day, Asia/Taipei when no offset is given); a Period is its start to end.
- token: `code`, `category`, `status` ... as `system|code`, `code`, `|code` or
  `system|`; commas mean "or", a repeated parameter "and". Modifiers other than `:not`
  are refused (400), as the specification asks.
- reference: `patient`, `subject`, `beneficiary` (`Patient/<id>`, `<id>` or an absolute
  URL): another id than the person in context matches nothing.
- `_id`, `_lastUpdated` (date on meta.lastUpdated), `_count` (default 50, at most 200; 0
  gives the total alone), `_offset` (in next links), `_include` (`Type:param` of a
  reference parameter to Organization or Patient, or `*`).
- An unknown parameter is ignored unless the client sent `Prefer: handling=strict`,
  then 400 (search.html#errors).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.datastructures import MultiValueDict

from healthbank.records.rules import Window

DEFAULT_COUNT = 50
MAX_COUNT = 200
MAX_OFFSET = 10**6
# Parameters every search takes, and those a client sends that change only the answer's
# form (read, and ignored, without a complaint even in strict mode).
COMMON = ("_id", "_lastUpdated", "_count", "_offset", "_include", "_format")
IGNORED = ("_pretty", "_summary", "_elements", "_total", "_sort")
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")


class SearchError(ValueError):
    """A search the server refuses (400): `code` is the stable code, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Param:
    kind: str  # "date", "token", "reference"
    paths: tuple[str, ...]  # elements, dotted; the first present is used for a date
    target: str = ""  # a reference's resource type (what _include adds)


@dataclass(frozen=True)
class TypeSpec:
    name: str
    params: Mapping[str, Param]
    # Rows of the category cannot be dated after the resource's date element begins: a
    # date upper bound narrows the rows read. `exact`: the element is the row's date, so a
    # lower bound narrows them too.
    narrows: str = ""  # "", "end", "exact"
    date_paths: tuple[str, ...] = ()

    def references(self) -> dict[str, Param]:
        return {name: p for name, p in self.params.items() if p.kind == "reference"}


def _t(*paths: str) -> Param:
    return Param("token", paths)


def _d(*paths: str) -> Param:
    return Param("date", paths)


def _r(target: str, *paths: str) -> Param:
    return Param("reference", paths, target)


_PATIENT = {"patient": _r("Patient", "subject", "patient", "beneficiary")}
_SUBJECT = {**_PATIENT, "subject": _r("Patient", "subject")}


def _spec(name: str, narrows: str, date: Sequence[str], **params: Param) -> TypeSpec:
    named = {k.strip("_").replace("_", "-"): v for k, v in params.items()}
    return TypeSpec(name, {"date": _d(*date), **named}, narrows, tuple(date))


TYPES: dict[str, TypeSpec] = {
    spec.name: spec
    for spec in (
        TypeSpec("Patient", {}),
        _spec(
            "Coverage",
            "",
            ("period",),
            **_PATIENT,
            beneficiary=_r("Patient", "beneficiary"),
            payor=_r("Organization", "payor"),
            status=_t("status"),
            type=_t("type"),
            identifier=_t("identifier"),
        ),
        _spec(
            "ExplanationOfBenefit",
            "end",
            ("created", "billablePeriod"),
            **_PATIENT,
            created=_d("created"),
            provider=_r("Organization", "provider"),
            status=_t("status"),
            identifier=_t("identifier"),
        ),
        _spec(
            "Encounter",
            "end",
            ("period",),
            **_SUBJECT,
            service_provider=_r("Organization", "serviceProvider"),
            status=_t("status"),
            _class=_t("class"),
            type=_t("type"),
            identifier=_t("identifier"),
        ),
        _spec(
            "Condition",
            "exact",
            ("recordedDate",),
            **_SUBJECT,
            recorded_date=_d("recordedDate"),
            category=_t("category"),
            code=_t("code"),
            encounter=_r("Encounter", "encounter"),
        ),
        _spec(
            "MedicationRequest",
            "exact",
            ("authoredOn",),
            **_SUBJECT,
            authoredon=_d("authoredOn"),
            category=_t("category"),
            code=_t("medicationCodeableConcept"),
            status=_t("status"),
            intent=_t("intent"),
            encounter=_r("Encounter", "encounter"),
            requester=_r("Organization", "requester"),
        ),
        _spec(
            "Procedure",
            "end",
            ("performedDateTime", "performedPeriod"),
            **_SUBJECT,
            category=_t("category"),
            code=_t("code"),
            status=_t("status"),
            encounter=_r("Encounter", "encounter"),
            performer=_r("Organization", "performer.actor"),
        ),
        _spec(
            "Observation",
            "exact",
            ("effectiveDateTime", "effectivePeriod"),
            **_SUBJECT,
            category=_t("category"),
            code=_t("code"),
            status=_t("status"),
            performer=_r("Organization", "performer"),
        ),
        _spec(
            "DiagnosticReport",
            "exact",
            ("effectiveDateTime", "effectivePeriod"),
            **_SUBJECT,
            category=_t("category"),
            code=_t("code"),
            status=_t("status"),
            performer=_r("Organization", "performer"),
        ),
        _spec(
            "DocumentReference",
            "",
            ("context.period",),
            **_SUBJECT,
            period=_d("context.period"),
            type=_t("type"),
            category=_t("category"),
            status=_t("status"),
            author=_r("Organization", "author"),
        ),
        _spec(
            "AllergyIntolerance",
            "exact",
            ("recordedDate",),
            **_PATIENT,
            category=_t("category"),
            code=_t("code"),
            clinical_status=_t("clinicalStatus"),
        ),
        _spec(
            "Immunization",
            "exact",
            ("occurrenceDateTime",),
            **_PATIENT,
            vaccine_code=_t("vaccineCode"),
            code=_t("vaccineCode"),
            status=_t("status"),
            performer=_r("Organization", "performer.actor"),
        ),
        _spec(
            "Consent",
            "exact",
            ("dateTime",),
            **_PATIENT,
            category=_t("category"),
            status=_t("status"),
            organization=_r("Organization", "organization"),
        ),
    )
}


# --- values ----------------------------------------------------------------------------

_DATE = re.compile(
    r"^(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2})"
    r"(?:T(?P<H>[0-9]{2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.(?P<f>[0-9]{1,9}))?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?$"
)
_UTC = dt.UTC
# A searched date's range, in UTC: a day inside datetime's, so that any offset converts.
_EARLIEST = dt.datetime(1, 1, 2, tzinfo=_UTC)
_LATEST = dt.datetime(9999, 12, 31, tzinfo=_UTC)


def _zone() -> dt.tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


Range = tuple[dt.datetime, dt.datetime]  # [start, end), aware


def date_range(text: str) -> Range:
    """A FHIR date, dateTime or instant as the range of moments its precision covers."""
    # A "+" offset sent unencoded in a query string arrives as a space.
    match = _DATE.fullmatch(text.replace(" ", "+"))
    if match is None:
        raise ValueError(text)
    g = match.groupdict()
    tz: dt.tzinfo = _zone()
    if g["tz"] == "Z":
        tz = _UTC
    elif g["tz"]:
        sign = 1 if g["tz"][0] == "+" else -1
        hours, minutes = int(g["tz"][1:3]), int(g["tz"][4:6])
        tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    year = int(g["y"])
    if g["m"] is None:
        start = dt.datetime(year, 1, 1, tzinfo=tz)
        return start, start.replace(year=year + 1) if year < 9999 else dt.datetime.max.replace(
            tzinfo=tz
        )
    month = int(g["m"])
    if g["d"] is None:
        start = dt.datetime(year, month, 1, tzinfo=tz)
        later = (start + dt.timedelta(days=32)).replace(day=1)
        return start, later
    day = dt.datetime(year, month, int(g["d"]), tzinfo=tz)
    if g["H"] is None:
        return day, day + dt.timedelta(days=1)
    start = day.replace(hour=int(g["H"]), minute=int(g["M"]))
    if g["S"] is None:
        return start, start + dt.timedelta(minutes=1)
    start = start.replace(second=int(g["S"]))
    if g["f"] is None:
        return start, start + dt.timedelta(seconds=1)
    micro = int((g["f"] + "000000")[:6])
    return start.replace(microsecond=micro), start.replace(microsecond=micro) + dt.timedelta(
        microseconds=1
    )


def _value_range(value: Any) -> Range | None:
    """An element's date value (string or Period) as a range; None if it has none."""
    try:
        if isinstance(value, str):
            return date_range(value)
        if isinstance(value, dict) and ("start" in value or "end" in value):
            low = date_range(value["start"])[0] if "start" in value else None
            high = date_range(value["end"])[1] if "end" in value else None
            aware_min = dt.datetime.min.replace(tzinfo=_UTC) + dt.timedelta(days=2)
            aware_max = dt.datetime.max.replace(tzinfo=_UTC) - dt.timedelta(days=2)
            return (low or aware_min, high or aware_max)
    except (ValueError, OverflowError):
        return None
    return None


@dataclass(frozen=True)
class DateTest:
    prefix: str
    low: dt.datetime
    high: dt.datetime

    def matches(self, target: Range) -> bool:
        lo, hi = target
        inside = self.low <= lo and hi <= self.high
        if self.prefix == "eq":
            return inside
        if self.prefix == "ne":
            return not inside
        if self.prefix == "gt":
            return hi > self.high
        if self.prefix == "lt":
            return lo < self.low
        if self.prefix == "ge":
            return hi > self.high or inside
        return lo < self.low or inside  # le


def date_test(text: str) -> DateTest:
    if text[:2] in ("sa", "eb", "ap"):
        raise SearchError("unsupported_prefix", f"The prefix {text[:2]!r} is not supported.")
    prefix = text[:2] if text[:2] in DATE_PREFIXES else "eq"
    value = text[2:] if text[:2] in DATE_PREFIXES else text
    try:
        low, high = date_range(value)
    except (ValueError, OverflowError):
        raise SearchError("invalid_date", f"Not a FHIR date: {text!r}.") from None
    if low < _EARLIEST or high > _LATEST:
        # Bounds are read in other zones (Query.window: Asia/Taipei); near datetime's ends
        # that leaves years 1..9999 (OverflowError).
        raise SearchError("invalid_date", f"The date {text!r} is out of range.")
    return DateTest(prefix, low, high)


@dataclass(frozen=True)
class TokenTest:
    system: str | None  # None: any system; "": no system
    code: str | None  # None: any code of the system

    def matches(self, codings: Iterable[tuple[str | None, str]]) -> bool:
        for system, code in codings:
            if self.code is not None and code != self.code:
                continue
            if self.system is None or (self.system == "" and not system):
                return True
            if self.system and system == self.system:
                return True
        return False


def token_test(text: str) -> TokenTest:
    if "|" not in text:
        return TokenTest(None, text)
    system, _, code = text.partition("|")
    return TokenTest(system, code or None)


def _elements(resource: Any, path: str) -> list[Any]:
    """Every value at a dotted path (lists flattened)."""
    values = [resource]
    for step in path.split("."):
        found: list[Any] = []
        for value in values:
            if isinstance(value, dict) and step in value:
                item = value[step]
                found.extend(item if isinstance(item, list) else [item])
        values = found
    return values


def _codings(value: Any) -> list[tuple[str | None, str]]:
    """A token element's (system, code) pairs: a code, Coding, CodeableConcept or
    Identifier."""
    if isinstance(value, str):
        return [(None, value)]
    if not isinstance(value, dict):
        return []
    if "coding" in value:
        return [(c.get("system"), c["code"]) for c in value["coding"] if "code" in c]
    if "code" in value:
        return [(value.get("system"), value["code"])]
    if "value" in value:  # Identifier
        return [(value.get("system"), value["value"])]
    return []


def date_of(spec: TypeSpec, resource: dict) -> Range | None:
    for path in spec.date_paths:
        for value in _elements(resource, path):
            found = _value_range(value)
            if found is not None:
                return found
    return None


# --- a query ---------------------------------------------------------------------------


@dataclass
class Query:
    spec: TypeSpec
    patient_id: str
    ids: list[set[str]] = field(default_factory=list)
    dates: list[tuple[tuple[str, ...], list[DateTest]]] = field(default_factory=list)
    updated: list[list[DateTest]] = field(default_factory=list)
    tokens: list[tuple[tuple[str, ...], list[TokenTest], bool]] = field(default_factory=list)
    references: list[tuple[tuple[str, ...], set[str]]] = field(default_factory=list)
    nothing: bool = False  # a parameter no resource of the person can match
    count: int = DEFAULT_COUNT
    offset: int = 0
    include: list[str] = field(default_factory=list)  # reference parameter names

    def window(self, window: Window) -> Window | None:
        """The rows' window narrowed by the `date` bounds where that is safe; None when
        no row can match."""
        if self.spec.narrows == "" or self.nothing:
            return None if self.nothing else window
        start, end = window.start, window.end
        zone = _zone()
        for paths, tests in self.dates:
            if paths != self.spec.date_paths or len(tests) != 1:
                continue
            test = tests[0]
            low = test.low.astimezone(zone).date()
            high = (test.high - dt.timedelta(microseconds=1)).astimezone(zone).date()
            if test.prefix in ("eq", "le", "lt"):
                end = min(end, high)
            if self.spec.narrows == "exact" and test.prefix in ("eq", "ge", "gt"):
                start = max(start, low)
        return Window(start, end) if start <= end else None

    def matches(self, resource: dict) -> bool:
        if self.nothing:
            return False
        if any(resource["id"] not in ids for ids in self.ids):
            return False
        for paths, tests in self.dates:
            target = None
            for path in paths:
                for value in _elements(resource, path):
                    target = _value_range(value)
                    if target is not None:
                        break
                if target is not None:
                    break
            if target is None or not any(t.matches(target) for t in tests):
                return False
        if self.updated:
            stamp = resource.get("meta", {}).get("lastUpdated")
            target = _value_range(stamp) if stamp else None
            if target is None:
                return False
            # An instant is a point in time, not its second.
            target = (target[0], target[0] + dt.timedelta(microseconds=1))
            if not all(any(t.matches(target) for t in tests) for tests in self.updated):
                return False
        for paths, token_tests, negate in self.tokens:
            codings = [c for path in paths for v in _elements(resource, path) for c in _codings(v)]
            found = any(t.matches(codings) for t in token_tests)
            if found == negate:
                return False
        for paths, wanted in self.references:
            refs = {
                ref["reference"]
                for path in paths
                for ref in _elements(resource, path)
                if isinstance(ref, dict) and "reference" in ref
            }
            if not refs & wanted:
                return False
        return True


def _reference_values(text: str, target: str) -> set[str]:
    """`Type/id`, `id` or an absolute URL ending in `Type/id`, as relative references."""
    out = set()
    for value in text.split(","):
        parts = value.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] and parts[-2][0].isupper():
            out.add(f"{parts[-2]}/{parts[-1]}")
        else:
            out.add(f"{target}/{parts[-1]}")
    return out


def _integer(name: str, values: list[str]) -> int:
    try:
        number = int(values[-1])
    except ValueError:
        number = -1
    if number < 0:
        raise SearchError("invalid_parameter", f"{name} must be a whole number, 0 or more.")
    return number


def parse(
    spec: TypeSpec, params: MultiValueDict[str, str], *, patient_id: str, strict: bool
) -> Query:
    """The query string of a search of `spec`'s type; SearchError when it is refused."""
    query = Query(spec, patient_id)
    for key in params:
        values = params.getlist(key)
        name, _, modifier = key.partition(":")
        if name in IGNORED or name == "_format":
            continue
        if name == "_count":
            query.count = max(0, min(_integer(name, values), MAX_COUNT))
        elif name == "_offset":
            query.offset = max(0, min(_integer(name, values), MAX_OFFSET))
        elif name == "_id":
            for value in values:
                query.ids.append(set(value.split(",")))
        elif name == "_lastUpdated":
            query.updated += [[date_test(v) for v in value.split(",")] for value in values]
        elif name == "_include":
            for value in values:
                query.include += _include(spec, value, strict)
        elif name in spec.params:
            _add(query, name, spec.params[name], modifier, values)
        elif strict:
            raise SearchError("unknown_parameter", f"{spec.name} has no search parameter {name!r}.")
        else:
            continue
        if modifier and name not in spec.params:
            raise SearchError("unsupported_modifier", f"The modifier :{modifier} is not supported.")
    return query


def _add(query: Query, name: str, param: Param, modifier: str, values: list[str]) -> None:
    if modifier and not (param.kind == "token" and modifier == "not"):
        raise SearchError("unsupported_modifier", f"The modifier :{modifier} is not supported.")
    for value in values:
        if value == "":
            continue  # an empty parameter is ignored (search.html#2.21.1.1)
        if param.kind == "date":
            query.dates.append((param.paths, [date_test(v) for v in value.split(",")]))
        elif param.kind == "token":
            tests = [token_test(v) for v in value.split(",")]
            query.tokens.append((param.paths, tests, modifier == "not"))
        else:
            wanted = _reference_values(value, param.target)
            if param.target == "Patient" and f"Patient/{query.patient_id}" not in wanted:
                query.nothing = True  # another person: nothing of theirs is here
            elif param.target != "Patient":
                query.references.append((param.paths, wanted))


def _include(spec: TypeSpec, value: str, strict: bool) -> list[str]:
    if value == "*":
        return list(spec.references())
    source, _, rest = value.partition(":")
    name = rest.split(":")[0]
    if source == spec.name and name in spec.references():
        return [name]
    if strict:
        raise SearchError("unsupported_include", f"_include={value} is not supported.")
    return []


def included(spec: TypeSpec, names: Sequence[str], resources: Sequence[dict]) -> list[str]:
    """The relative references, in first-seen order, that `_include` adds for `resources`
    (Organizations and the Patient only: the others are searched by type)."""
    found: dict[str, None] = {}
    for name in names:
        param = spec.params[name]
        if param.target not in ("Organization", "Patient"):
            continue
        for resource in resources:
            for path in param.paths:
                for ref in _elements(resource, path):
                    if isinstance(ref, dict) and "reference" in ref:
                        found.setdefault(ref["reference"])
    return list(found)


def order_key(spec: TypeSpec, resource: dict) -> tuple:
    """Newest first, then by id: the same order on every page."""
    found = date_of(spec, resource)
    stamp = found[0].timestamp() if found else float("-inf")
    return (-stamp, resource["id"])
