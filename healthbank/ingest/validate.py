"""Checking rows (rows.py) before anything is written: shape and types by fields.py, then
what needs the database, a chunk at a time: the person exists and was insured on the
record's date, the codes are in the code tables. Every refusal is a Problem naming the
row's position and field; nothing here raises on any input."""

from __future__ import annotations

import builtins
import datetime as dt
import decimal
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from healthbank.ingest import rules
from healthbank.ingest.fields import COMMON, FIELDS, RECORD_DATE, Field
from healthbank.ingest.rows import TYPES, Problem
from healthbank.people.identifiers import is_national_id, is_resident_certificate
from healthbank.people.models import Enrolment, Person
from healthbank.records import rules as record_rules

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_PERSONAL_ID_RE = re.compile(r"[A-Z][A-D1289][0-9]{8}")
# Values a spreadsheet reads as a number or a sign, never as a formula ("-", "+", "2+", "-1.5").
_SIGNED_NUMBER_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]+)?)?[+-]?")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK_RE = re.compile(r"[\t\n\r]")
# Text that _text_problem would pass without looking further (ASCII, no control characters,
# no formula prefix): most codes, dates and ids; one regex instead of four checks.
_PLAIN_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z ._/]*")


@dataclass
class Clean:
    """A row that passed the checks, with typed values (dates, Decimals, codes as str)."""

    position: int
    type: str
    id: str
    void: bool
    values: dict = field(default_factory=dict)
    national_id: str = ""
    person_id: int | None = None
    # builtins.type: this class's own `type` field hides the builtin here.
    codes: list[tuple[builtins.type[models.Model], str, str]] = field(default_factory=list)


class Lookups:
    """What validation asks the database, cached for the batch: code existence (code tables
    do not change during one), persons and their enrolments (a provider's file names the
    same people again and again; asking once per person, not once per chunk, halves the
    time a chunk spends waiting on the database). The person cache is bounded."""

    MAX_PERSONS = 200_000

    def __init__(self) -> None:
        self.known: dict[type[models.Model], set[str]] = defaultdict(set)
        self.unknown: dict[type[models.Model], set[str]] = defaultdict(set)
        self.persons: dict[str, int | None] = {}
        self.cover: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        self.chunk_has_unknown_codes = True

    def load(self, cleans: list[Clean]) -> None:
        # The chunk's codes once each: a file names the same few codes on every row.
        codes = {(table, code) for clean in cleans for table, code, _path in clean.codes}
        wanted: dict[type[models.Model], set[str]] = defaultdict(set)
        known, unknown = self.known, self.unknown
        for table, code in codes:
            if code not in known[table] and code not in unknown[table]:
                wanted[table].add(code)
        for table, found_codes in wanted.items():
            found = set(
                table._default_manager.filter(pk__in=found_codes).values_list("pk", flat=True)
            )
            known[table] |= found
            unknown[table] |= found_codes - found
        self.chunk_has_unknown_codes = any(code in unknown[table] for table, code in codes)
        named = {c.national_id for c in cleans if c.national_id}
        ids = named - self.persons.keys()
        if not ids:
            return
        if len(self.persons) + len(ids) > self.MAX_PERSONS:
            self.persons, self.cover, ids = {}, defaultdict(list), named
        found_persons = dict(
            Person.objects.filter(national_id__in=ids).values_list("national_id", "pk")
        )
        # Unknown IDs are remembered too (as None), so a file full of them asks once each.
        self.persons.update(dict.fromkeys(ids) | found_persons)
        rows = Enrolment.objects.filter(person_id__in=found_persons.values()).values_list(
            "person_id", "start_date", "end_date"
        )
        for person_id, start, end in rows:
            self.cover[person_id].append((start, end))

    def insured_on(self, person_id: int, day: dt.date) -> bool:
        for start, end in self.cover[person_id]:
            if start <= day and (end is None or day <= end):
                return True
        return False


def validate_chunk(
    items: Iterable[tuple[int, dict | Problem]],
    *,
    scopes: Iterable[str],
    lookups: Lookups,
    today: dt.date,
) -> tuple[list[Clean], list[Problem]]:
    """The rows that pass, in order, and the problems of those that do not (a row with
    several problems has several)."""
    parsed, problems = parse_chunk(items, scopes=scopes, today=today)
    return check_chunk(parsed, problems, lookups=lookups)


def parse_chunk(
    items: Iterable[tuple[int, dict | Problem]], *, scopes: Iterable[str], today: dt.date
) -> tuple[list[Clean], list[Problem]]:
    """The first half of validate_chunk, with no database: shape, types and limits. Safe to
    run in another thread than the one that holds the connection."""
    allowed = frozenset(scopes)
    parsed: list[Clean] = []
    problems: list[Problem] = []
    for position, row in items:
        if isinstance(row, Problem):
            problems.append(row)
            continue
        clean, found = parse_row(position, row, scopes=allowed, today=today)
        if found:
            problems.extend(found)
        elif clean is not None:  # no problem found: a row
            parsed.append(clean)
    return parsed, problems


def check_chunk(
    parsed: list[Clean], problems: list[Problem], *, lookups: Lookups
) -> tuple[list[Clean], list[Problem]]:
    """The second half: what needs the database (persons, enrolment, codes)."""
    lookups.load(parsed)
    cleans = []
    for clean in parsed:
        found = _check_references(clean, lookups)
        if found:
            problems.extend(found)
        else:
            cleans.append(clean)
    problems.sort(key=lambda p: p.position)
    return cleans, problems


def parse_row(
    position: int, row: object, *, scopes: frozenset[str], today: dt.date
) -> tuple[Clean | None, list[Problem]]:
    """Shape, types and limits of one row; no database."""

    def problem(name: str, message: str) -> None:
        problems.append(Problem(position, name, message))

    problems: list[Problem] = []
    if not isinstance(row, dict):
        return None, [Problem(position, "", "a row must be an object")]
    kind = row.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        return None, [Problem(position, "type", f"type must be one of {', '.join(TYPES)}")]
    if kind not in scopes:
        allowed = ", ".join(sorted(scopes)) or "none"
        return None, [
            Problem(
                position,
                "type",
                f"this credential may not send {kind} rows (it may send: {allowed})",
            )
        ]
    spec = FIELDS[kind]
    for key in row:
        if key not in spec and key not in COMMON:
            problem(str(key)[:100], f"unknown field for a {kind} row")
    clean = Clean(position=position, type=kind, id="", void=False)
    record_id = _value(COMMON["id"], row.get("id"), "id", clean, problems, today)
    void = _value(COMMON["void"], row.get("void"), "void", clean, problems, today)
    clean.id, clean.void = record_id or "", bool(void)
    if clean.void:
        if kind == "facility":
            problem("void", "a facility row cannot be voided: send the profile as it is now")
        # A void names only what it removes; other fields, if sent, are not looked at.
        return (None, problems) if problems else (clean, [])
    if kind in rules.PROVIDER_TYPES:
        if row.get("national_id") not in (None, ""):
            problem("national_id", f"a {kind} row is about the sender, not a person: leave it out")
    else:
        _national_id(row, clean, problems, today)
    for name, spec_field in spec.items():
        value = _value(spec_field, row.get(name), name, clean, problems, today)
        if value is not None:
            clean.values[name] = value
    if not problems:
        for name, message in _cross_checks(kind, clean.values):
            problem(name, message)
    return (None, problems) if problems else (clean, [])


def _national_id(row: dict, clean: Clean, problems: list[Problem], today: dt.date) -> None:
    national_id = _value(
        COMMON["national_id"], row.get("national_id"), "national_id", clean, problems, today
    )
    if national_id is not None:
        if _PERSONAL_ID_RE.fullmatch(national_id) and (
            is_national_id(national_id) or is_resident_certificate(national_id)
        ):
            clean.national_id = national_id
        else:
            problems.append(
                Problem(
                    clean.position,
                    "national_id",
                    "not a valid national ID or resident certificate number",
                )
            )


_MISSING = object()


def _value(f: Field, value, path: str, clean: Clean, problems: list[Problem], today: dt.date):
    """The typed value, or None (with a problem added if the value was wrong or required)."""

    def bad(message: str) -> None:
        problems.append(Problem(clean.position, path, message))

    if value is None:
        if f.required:
            bad("required")
        return None
    kind = f.kind
    if kind in {"str", "text", "code", "ref", "choice", "date"}:
        if not isinstance(value, str):
            return bad("must be a string")
        if not _PLAIN_RE.fullmatch(value) and (
            message := _text_problem(value, multiline=kind == "text")
        ):
            return bad(message)
        if value == "":
            if f.required:
                bad("required")
            return None
        if kind == "choice":
            if f.choices and value not in f.choices:
                return bad(f"must be one of: {', '.join(repr(c) for c in f.choices)}")
            return value
        if kind == "date":
            return _date(value, bad, today)
        limit = f.max_chars or (12 if kind == "code" else rules.MAX_ID_CHARS)
        if len(value) > limit:
            return bad(f"longer than {limit} characters")
        if kind == "code":
            clean.codes.append((f.code_table, value, path))
        return value
    if kind == "datetime":
        return _datetime(value, bad, today)
    if kind == "choices":
        if not isinstance(value, list):
            return bad("must be a list")
        if len(value) > f.max_items:
            return bad(f"at most {f.max_items} items")
        wrong = [v for v in value if not isinstance(v, str) or v not in f.choices]
        if wrong:
            shown = str(wrong[0])[:20]
            return bad(f"{shown!r} is not one of: {', '.join(f.choices[:3])} ... {f.choices[-1]}")
        if len(set(value)) != len(value):
            return bad("an item is listed twice")
        return list(value)
    if kind == "bool":
        return value if isinstance(value, bool) else bad("must be true or false")
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return bad("must be an integer")
        if not f.low <= value <= f.high:
            return bad(f"must be between {f.low} and {f.high}")
        return value
    if kind == "decimal":
        return _decimal(f, value, bad)
    if kind == "codes":
        if not isinstance(value, list) or not value:
            return bad("must be a non-empty list of codes")
        if len(value) > f.max_items:
            return bad(f"at most {f.max_items} codes")
        if not all(isinstance(v, str) and 0 < len(v) <= 12 for v in value):
            return bad("each code must be a string of 1 to 12 characters")
        if len(set(value)) != len(value):
            return bad("a code is listed twice")
        for i, code in enumerate(value):
            clean.codes.append((f.code_table, code, f"{path}[{i}]"))
        return list(value)
    if kind == "orders":
        if not isinstance(value, list):
            return bad("must be a list of objects")
        if len(value) > f.max_items:
            return bad(f"at most {f.max_items} items")
        orders = []
        for i, order in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(order, dict):
                problems.append(Problem(clean.position, where, "must be an object"))
                continue
            for key in order:
                if key not in f.item:
                    problems.append(
                        Problem(clean.position, f"{where}.{str(key)[:50]}", "unknown field")
                    )
            typed = {}
            for name, item_field in f.item.items():
                v = _value(item_field, order.get(name), f"{where}.{name}", clean, problems, today)
                if v is not None:
                    typed[name] = v
            orders.append(typed)
        return orders
    return bad("unsupported field")  # pragma: no cover - fields.py uses only the kinds above


def _text_problem(value: str, *, multiline: bool) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode text"
    if _CONTROL_RE.search(value) or (not multiline and _LINE_BREAK_RE.search(value)):
        return "contains control characters"
    if value.startswith(rules.FORMULA_PREFIXES) and not _SIGNED_NUMBER_RE.fullmatch(value):
        return (
            "starts with a character a spreadsheet reads as a formula (= + - @); "
            "such text is refused"
        )
    return ""


def _date(value: str, bad, today: dt.date) -> dt.date | None:
    if not _DATE_RE.fullmatch(value):
        return bad("must be a date as YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return bad("not a valid date")
    if day > today:
        return bad("is in the future")
    if day < rules.EARLIEST_DATE:
        return bad(f"is before {rules.EARLIEST_DATE.isoformat()}")
    return day


def _datetime(value, bad, today: dt.date) -> dt.datetime | None:
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        return bad("must be a time as YYYY-MM-DDTHH:MM:SS+08:00, with its UTC offset")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return bad("not a valid time")
    if moment.date() < rules.EARLIEST_DATE:
        return bad(f"is before {rules.EARLIEST_DATE.isoformat()}")
    if moment > timezone.now() + rules.CLOCK_SKEW:
        return bad("is in the future")
    return moment


def _decimal(f: Field, value, bad) -> decimal.Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return bad("must be a number")
    # ASCII only: Decimal() also reads ١٢٣ (Arabic-Indic) and other scripts' digits.
    if isinstance(value, str) and (len(value) > 40 or not value.strip() or not value.isascii()):
        return bad("must be a number")
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        return bad("must be a number")
    if not number.is_finite():
        return bad("must be a finite number")
    if number < 0 and not f.signed:
        return bad("must not be negative")
    if number <= 0 and f.positive:
        return bad("must be above zero")
    whole_digits = f.max_digits - f.decimal_places
    if number != 0 and abs(number).adjusted() >= whole_digits:
        return bad(f"must be below {10**whole_digits}")
    if f.high and number > f.high:
        return bad(f"must be at most {f.high}")
    step = decimal.Decimal(1).scaleb(-f.decimal_places)
    rounded = number.quantize(step)
    if rounded != number:
        return bad(f"at most {f.decimal_places} decimal places")
    return rounded


def _cross_checks(kind: str, v: dict) -> Iterable[tuple[str, str]]:
    """Dates in order and fields that only make sense together."""
    if kind == "visit":
        start, end = v["visit_date"], v.get("discharge_date")
        if end is not None:
            if v["kind"] != "inpatient":
                yield "discharge_date", "only an inpatient visit has a discharge date"
            elif end < start:
                yield "discharge_date", "is before the visit (admission) date"
        if v.get("refill_number") is not None and not v.get("chronic_refill"):
            yield "refill_number", "only a chronic refill prescription has a refill number"
        for i, surgery in enumerate(v.get("surgeries", [])):
            day = surgery.get("performed_on")
            if day is not None and (day < start or (end is not None and day > end)):
                yield f"surgeries[{i}].performed_on", "is outside the visit's dates"
    elif kind == "discharge_summary":
        if v["discharged_on"] < v["admitted_on"]:
            yield "discharged_on", "is before the admission date"
    elif kind == "prior_review":
        if ("service" in v) == ("drug" in v):
            yield "service", "give either service or drug: what the prior review is for"
        if ("decision" in v) != ("decided_on" in v):
            yield "decided_on", "a decision and its date (decided_on) come together"
        elif "decided_on" in v and v["decided_on"] < v["submitted_on"]:
            yield "decided_on", "is before the submission date"
        if "note" in v and "decision" not in v:
            yield "note", "a note comes with a decision"
    elif kind == "facility":
        south, north = record_rules.TAIWAN_LATITUDE
        west, east = record_rules.TAIWAN_LONGITUDE
        if not south <= v["latitude"] <= north:
            yield "latitude", f"is outside Taiwan (between {south} and {north} north)"
        if not west <= v["longitude"] <= east:
            yield "longitude", f"is outside Taiwan (between {west} and {east} east)"
    elif kind == "care_wish":
        if v["noted_on"] < v["signed_on"]:
            yield "noted_on", "is before the signing date"
        if v.get("revoked_on") is not None and v["revoked_on"] < v["signed_on"]:
            yield "revoked_on", "is before the signing date"


def _check_references(clean: Clean, lookups: Lookups) -> list[Problem]:
    problems = []
    if lookups.chunk_has_unknown_codes:
        problems = [
            Problem(clean.position, path, f"unknown {_table_name(table)} code {code!r}")
            for table, code, path in clean.codes
            if code in lookups.unknown[table]
        ]
    if clean.void or clean.type in rules.PROVIDER_TYPES:
        return problems
    person_id = lookups.persons.get(clean.national_id)
    if person_id is None:
        problems.append(Problem(clean.position, "national_id", "no insured person has this ID"))
        return problems
    clean.person_id = person_id
    if clean.type in rules.INSURED_TYPES:
        date_field = RECORD_DATE[clean.type]
        day = clean.values[date_field]
        if not lookups.insured_on(person_id, day):
            message = f"the person was not insured on {day.isoformat()}"
            problems.append(Problem(clean.position, date_field, message))
    return problems


def _table_name(table: type[models.Model]) -> str:
    """LabItem -> "lab item": English whatever language the worker runs in."""
    return " ".join(re.findall(r"[A-Z][a-z]*", table.__name__)).lower()
