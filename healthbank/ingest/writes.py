"""Writing one chunk of validated rows (validate.Clean) into the records tables, upserting
on (provider, provider's record id): a row sent again updates its record and replaces a
visit's diagnoses and orders; a void row deletes. The caller holds the transaction."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from healthbank.codes.models import Drug, Service
from healthbank.core.meta import model_field
from healthbank.eservices.models import Case, CaseStep
from healthbank.ingest import rules
from healthbank.ingest.rows import Problem
from healthbank.ingest.validate import Clean
from healthbank.records import rules as record_rules
from healthbank.records.models import (
    Allergy,
    CareWish,
    DischargeSummary,
    DrugOrder,
    EmergencyLoad,
    ImagingReport,
    LabResult,
    PreventiveCheck,
    Provider,
    ServiceOrder,
    Surgery,
    Vaccination,
    Visit,
    VisitDiagnosis,
)

MODELS: dict[str, type[models.Model]] = {
    "visit": Visit,
    "lab_result": LabResult,
    "imaging_report": ImagingReport,
    "discharge_summary": DischargeSummary,
    "allergy": Allergy,
    "vaccination": Vaccination,
    "preventive_check": PreventiveCheck,
    "care_wish": CareWish,
    "prior_review": Case,  # written by _write_prior_reviews: an e-services case
    "facility": Provider,  # the sender's own profile (_write_facility)
    "er_load": EmergencyLoad,  # the sender's emergency room (_write_er_loads)
}
ORDER_MODELS = (VisitDiagnosis, DrugOrder, ServiceOrder, Surgery)
ONE = Decimal(1)
# Row fields that name a code table's row: the model's column is <field>_id.
CODE_FIELDS = {"department", "item", "service", "body_site", "drug", "vaccine"}


@dataclass
class Written:
    accepted: int = 0
    voided: int = 0


def write_chunk(*, provider_id: int, cleans: list[Clean]) -> tuple[Written, list[Problem]]:
    """Visits first (other rows may name one sent in the same chunk), then their voids, then
    the other types. Within a chunk the last row for a record wins, as it would have across
    chunks; earlier ones count as accepted."""
    written = Written()
    latest: dict[tuple[str, str], Clean] = {}
    for clean in cleans:
        latest[(clean.type, clean.id)] = clean
    superseded = len(cleans) - len(latest)
    by_type: dict[str, list[Clean]] = defaultdict(list)
    for clean in latest.values():
        by_type[clean.type].append(clean)
    problems: list[Problem] = []

    visits = by_type.pop("visit", [])
    _upsert_visits(provider_id, [c for c in visits if not c.void])
    _void(Visit, provider_id, [c for c in visits if c.void])
    prior_reviews = by_type.pop("prior_review", [])
    _write_prior_reviews(provider_id, [c for c in prior_reviews if not c.void])
    _void_prior_reviews(provider_id, [c for c in prior_reviews if c.void])
    facility = [c for c in by_type.pop("facility", []) if not c.void]
    if facility:
        # The last sent, whatever its id (the rows of one id keep the first one's place).
        refused = _write_facility(provider_id, max(facility, key=lambda c: c.position))
        if refused is not None:
            problems.append(refused)
    er_loads = by_type.pop("er_load", [])
    _write_er_loads(provider_id, [c for c in er_loads if not c.void])
    EmergencyLoad.objects.filter(
        provider_id=provider_id, source_id__in=[c.id for c in er_loads if c.void]
    ).delete()
    refs = _visit_refs(provider_id, by_type)
    for kind, rows in by_type.items():
        keep = []
        for clean in rows:
            if clean.void:
                continue
            found = _resolve_visit(clean, refs)
            if found:
                problems.append(found)
            else:
                keep.append(clean)
        if kind == "discharge_summary":
            keep, taken = _one_summary_per_visit(provider_id, keep)
            problems.extend(taken)
        _upsert(MODELS[kind], provider_id, keep)
        _void(MODELS[kind], provider_id, [c for c in rows if c.void])
    for clean in latest.values():
        if clean.void:
            written.voided += 1
    written.accepted = len(latest) - written.voided - len(problems) + superseded
    return written, problems


def _write_facility(provider_id: int, clean: Clean) -> Problem | None:
    """The provider's profile as the row gives it (院所資料): position, sessions, departments
    and emergency level; what the row leaves out is cleared. An emergency level from anyone
    but a hospital refuses the row (MOHW designates hospitals only)."""
    v = clean.values
    kind = Provider.objects.values_list("kind", flat=True).get(pk=provider_id)
    if v.get("emergency_level") and kind not in rules.HOSPITAL_KINDS:
        return Problem(
            clean.position,
            "emergency_level",
            "only a hospital is an emergency-responsible hospital: leave it out",
        )
    Provider.objects.filter(pk=provider_id).update(
        latitude=float(v["latitude"]),
        longitude=float(v["longitude"]),
        opening_sessions=record_rules.sessions_mask(v["sessions"]),
        emergency_level=v.get("emergency_level", ""),
    )
    through = Provider.departments.through
    through.objects.filter(provider_id=provider_id).delete()
    through.objects.bulk_create(
        through(provider_id=provider_id, department_id=code) for code in v.get("departments", [])
    )
    return None


def _write_er_loads(provider_id: int, cleans: list[Clean]) -> None:
    if not cleans:
        return
    EmergencyLoad.objects.bulk_create(
        [
            EmergencyLoad(
                provider_id=provider_id,
                source_id=clean.id,
                reported_at=clean.values["reported_at"],
                waiting_to_be_seen=clean.values["waiting_to_be_seen"],
                waiting_for_bed=clean.values["waiting_for_bed"],
                waiting_for_admission=clean.values["waiting_for_admission"],
            )
            for clean in cleans
        ],
        update_conflicts=True,
        unique_fields=["provider", "source_id"],
        update_fields=[
            "reported_at",
            "waiting_to_be_seen",
            "waiting_for_bed",
            "waiting_for_admission",
            "updated_at",
        ],
    )


def _record_fields(clean: Clean) -> dict:
    values = {}
    for name, value in clean.values.items():
        if name in CODE_FIELDS:
            values[f"{name}_id"] = value
        elif name != "visit":
            values[name] = value
    return values


def _update_fields(model: type[models.Model]) -> list[str]:
    skip = {"id", "provider", "source_id"}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def _instance(model: type[models.Model], provider_id: int, clean: Clean, **extra) -> models.Model:
    # Optional fields absent from the row take the model's default, so that sending a
    # record again without one clears what an earlier version had.
    return model(
        provider_id=provider_id,
        source_id=clean.id,
        person_id=clean.person_id,
        **_record_fields(clean),
        **extra,
    )


def _upsert(model: type[models.Model], provider_id: int, cleans: list[Clean]) -> list:
    if not cleans:
        return []
    objects = [_instance(model, provider_id, clean) for clean in cleans]
    return model._default_manager.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["provider", "source_id"],
        update_fields=_update_fields(model),
    )


def _upsert_visits(provider_id: int, cleans: list[Clean]) -> None:
    if not cleans:
        return
    if connection.vendor == "postgresql" and getattr(settings, "INGEST_POSTGRESQL_COPY", True):
        _upsert_visits_postgresql(provider_id, cleans)
        return
    existing = list(
        Visit.objects.filter(
            provider_id=provider_id, source_id__in=[c.id for c in cleans]
        ).values_list("pk", flat=True)
    )
    if existing:
        for order_model in ORDER_MODELS:
            order_model.objects.filter(visit_id__in=existing).delete()
    objects = []
    for clean in cleans:
        if clean.person_id is None:  # check_chunk refuses a row of no known person
            raise ValueError(f"visit {clean.id} names no known person")
        values = _record_fields(clean)
        diagnoses = values.pop("diagnoses")
        for name in ("drug_orders", "service_orders", "surgeries"):
            values.pop(name, None)
        objects.append(
            Visit(
                provider_id=provider_id,
                source_id=clean.id,
                person_id=clean.person_id,
                primary_diagnosis_id=diagnoses[0],
                **values,
            )
        )
    Visit.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["provider", "source_id"],
        update_fields=_update_fields(Visit),
    )
    _insert_orders([(visit.pk, clean) for visit, clean in zip(objects, cleans, strict=True)])


# The visit's columns an upload sets, in the order _visit_values gives them.
VISIT_COLUMNS = (
    ("source_id", "text"),
    ("person_id", "bigint"),
    ("kind", "text"),
    ("visit_date", "date"),
    ("discharge_date", "date"),
    ("department_id", "text"),
    ("primary_diagnosis_id", "text"),
    ("copayment", "bigint"),
    ("points", "bigint"),
    ("card_sequence", "text"),
    ("chronic_refill", "boolean"),
    ("refill_number", "bigint"),
    ("updated_at", "timestamptz"),
)


def _visit_values(clean: Clean) -> tuple:
    # What bulk_create writes on the portable path: absent optional fields take the model's
    # default (chronic_refill False, the rest NULL), so a resent visit clears them.
    v = clean.values
    return (
        clean.id,
        clean.person_id,
        v["kind"],
        v["visit_date"],
        v.get("discharge_date"),
        v["department"],
        v["diagnoses"][0],
        v["copayment"],
        v["points"],
        v["card_sequence"],
        v.get("chronic_refill", False),
        v.get("refill_number"),
        timezone.now(),
    )


def _upsert_visits_postgresql(provider_id: int, cleans: list[Clean]) -> None:
    """The chunk's visits COPYed into a staging table and upserted from it by one INSERT ...
    ON CONFLICT (no model instances: the ORM's bulk_create spent most of its time building
    and quoting parameters); the old diagnoses and orders of the visits it updates deleted
    by one statement per table, the new ones COPYed. The rows are the portable path's."""
    table = Visit._meta.db_table
    with connection.cursor() as cursor:
        # A staging table per connection, emptied at each chunk (an all-or-nothing batch
        # writes several chunks in one transaction) and at commit.
        columns = ", ".join(name for name, _type in VISIT_COLUMNS)
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS ingest_visit_stage ("
            + ", ".join(f"{name} {sql_type}" for name, sql_type in VISIT_COLUMNS)
            + ") ON COMMIT DELETE ROWS"
        )
        cursor.execute("DELETE FROM ingest_visit_stage")
        with cursor.copy(f"COPY ingest_visit_stage ({columns}) FROM STDIN") as copy:
            for clean in cleans:
                copy.write_row(_visit_values(clean))
        # The visits this chunk updates: their old diagnoses and orders go. An index probe
        # per staged id (= ANY); a join let the planner hash all the provider's visits at
        # every chunk, which made a large upload quadratic.
        cursor.execute(
            f"SELECT id FROM {table} WHERE provider_id = %s"  # noqa: S608
            " AND source_id = ANY(ARRAY(SELECT source_id FROM ingest_visit_stage))",
            [provider_id],
        )
        existing = [row[0] for row in cursor.fetchall()]
        for order_model in ORDER_MODELS:
            if existing:
                cursor.execute(
                    f"DELETE FROM {order_model._meta.db_table} WHERE visit_id = ANY(%s)",  # noqa: S608
                    [existing],
                )
        updates = ", ".join(
            f"{name} = EXCLUDED.{name}" for name, _type in VISIT_COLUMNS if name != "source_id"
        )
        cursor.execute(
            f"INSERT INTO {table} (provider_id, {columns})"  # noqa: S608
            f" SELECT %s, {columns} FROM ingest_visit_stage"
            f" ON CONFLICT (provider_id, source_id) DO UPDATE SET {updates}"
            " RETURNING id, source_id",
            [provider_id],
        )
        pks = dict((source_id, pk) for pk, source_id in cursor.fetchall())
    _insert_orders([(pks[clean.id], clean) for clean in cleans])


def _insert_orders(visits: list[tuple[int, Clean]]) -> None:
    """A visit's diagnoses and orders, for (visit pk, row) pairs whose old ones are gone."""
    diagnoses, drugs, services, surgeries = [], [], [], []
    for pk, clean in visits:
        person = clean.person_id
        for rank, code in enumerate(clean.values["diagnoses"], start=1):
            diagnoses.append((pk, person, code, rank))
        for order in clean.values.get("drug_orders", []):
            drugs.append(
                (
                    pk,
                    person,
                    order["drug"],
                    order["days"],
                    order["quantity"],
                    order.get("frequency", ""),
                )
            )
        for order in clean.values.get("service_orders", []):
            services.append(
                (pk, person, order["service"], order.get("quantity", ONE), order.get("tooth"))
            )
        for order in clean.values.get("surgeries", []):
            surgeries.append(
                (pk, person, order["service"], order["body_site"], order["performed_on"])
            )
    _insert(VisitDiagnosis, ["visit", "person", "diagnosis", "rank"], diagnoses)
    _insert(DrugOrder, ["visit", "person", "drug", "days", "quantity", "frequency"], drugs)
    _insert(ServiceOrder, ["visit", "person", "service", "quantity", "tooth"], services)
    _insert(Surgery, ["visit", "person", "service", "body_site", "performed_on"], surgeries)


def _insert(model: type[models.Model], names: list[str], rows: list[tuple]) -> None:
    """Insert-only rows (a visit's diagnoses and orders): COPY on PostgreSQL, which is
    several times faster than INSERT and needs no model instances; bulk_create elsewhere."""
    if not rows:
        return
    fields = [model_field(model, name) for name in names]
    if connection.vendor == "postgresql":
        # A concrete field always has its column.
        columns = ", ".join(connection.ops.quote_name(cast(str, f.column)) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    attnames = [f.attname for f in fields]
    model._default_manager.bulk_create(
        model(**dict(zip(attnames, row, strict=True))) for row in rows
    )


def _void(model: type[models.Model], provider_id: int, cleans: list[Clean]) -> None:
    # Voiding what is not there is not an error: the same file sent twice voids twice.
    if cleans:
        model._default_manager.filter(
            provider_id=provider_id, source_id__in=[c.id for c in cleans]
        ).delete()


def _visit_refs(provider_id: int, by_type: dict[str, list[Clean]]) -> dict[str, tuple[int, int]]:
    """The visits other rows name: their id -> (visit pk, person pk)."""
    wanted = {c.values["visit"] for rows in by_type.values() for c in rows if "visit" in c.values}
    if not wanted:
        return {}
    rows = Visit.objects.filter(provider_id=provider_id, source_id__in=wanted).values_list(
        "source_id", "pk", "person_id"
    )
    return {source_id: (pk, person) for source_id, pk, person in rows}


def _resolve_visit(clean: Clean, refs: dict[str, tuple[int, int]]) -> Problem | None:
    if "visit" not in clean.values:
        return None
    found = refs.get(clean.values["visit"])
    if found is None:
        return Problem(clean.position, "visit", "no visit with this id from this provider")
    visit_id, person_id = found
    if person_id != clean.person_id:
        return Problem(clean.position, "visit", "the visit is another person's")
    clean.values["visit_id"] = visit_id
    return None


def _one_summary_per_visit(
    provider_id: int, cleans: list[Clean]
) -> tuple[list[Clean], list[Problem]]:
    """A visit has one discharge summary: another id for the same visit is refused."""
    holders = dict(
        DischargeSummary.objects.filter(
            visit_id__in=[c.values["visit_id"] for c in cleans]
        ).values_list("visit_id", "source_id")
    )
    keep, problems = [], []
    for clean in cleans:
        visit_id = clean.values["visit_id"]
        holder = holders.setdefault(visit_id, clean.id)
        if holder != clean.id:
            message = f"the visit already has discharge summary {holder!r}; void it first"
            problems.append(Problem(clean.position, "visit", message))
        else:
            keep.append(clean)
    return keep, problems


# --- prior review (事前審查): the person's e-services case and its steps ---------------------

DECISION_STATUS = {
    "approved": Case.Status.APPROVED,
    "partly": Case.Status.PARTLY,
    "not_approved": Case.Status.REJECTED,
}


def _prior_review_subject(clean: Clean, names: dict[tuple[str, str], str]) -> str:
    v = clean.values
    field, code = ("service", v["service"]) if "service" in v else ("drug", v["drug"])
    return f"{code} {names.get((field, code), '')}".strip()[:120]


def _write_prior_reviews(provider_id: int, cleans: list[Clean]) -> None:
    """Each row is the provider's case (its id the case number): new, it opens the person's
    case (received, then under review on the submission date); sent again, it updates it,
    and a decision not yet on the case adds its step. The same row again changes nothing."""
    if not cleans:
        return
    names = {
        ("service", code): name
        for code, name in Service.objects.filter(
            pk__in=[c.values["service"] for c in cleans if "service" in c.values]
        ).values_list("code", "name_zh")
    } | {
        ("drug", code): name
        for code, name in Drug.objects.filter(
            pk__in=[c.values["drug"] for c in cleans if "drug" in c.values]
        ).values_list("code", "name_zh")
    }
    existing = {
        case.source_id: case
        for case in Case.objects.select_for_update().filter(
            provider_id=provider_id,
            kind=Case.Kind.PRIOR_REVIEW,
            source_id__in=[c.id for c in cleans],
        )
    }
    steps: list[CaseStep] = []
    for clean in cleans:
        v = clean.values
        person_id = cast(int, clean.person_id)  # check_chunk refuses a row of no known person
        decision = DECISION_STATUS.get(v.get("decision", ""))
        fields = {
            "person_id": person_id,
            "subject": _prior_review_subject(clean, names),
            "applied_on": v["submitted_on"],
            "decided_on": v.get("decided_on"),
            "decision_note": v.get("note", ""),
        }
        case = existing.get(clean.id)
        if case is None:
            case = Case.objects.create(
                number=secrets.token_hex(8),  # replaced below, once the row has its key
                kind=Case.Kind.PRIOR_REVIEW,
                source=Case.Source.PROVIDER,
                provider_id=provider_id,
                source_id=clean.id,
                status=Case.Status.REVIEWING,
                **fields,
            )
            case.number = case.own_number(Case.PROVIDER_LETTER)
            case.save(update_fields=["number"])
            existing[clean.id] = case
            for status in (Case.Status.RECEIVED, Case.Status.REVIEWING):
                steps.append(
                    CaseStep(case=case, person_id=person_id, status=status, on=v["submitted_on"])
                )
        elif case.person_id != person_id:  # the provider corrected whose case it is
            CaseStep.objects.filter(case=case).update(person_id=person_id)
        status = decision or Case.Status.REVIEWING
        if status != case.status:
            steps.append(
                CaseStep(
                    case=case,
                    person_id=person_id,
                    status=status,
                    on=v.get("decided_on") or v["submitted_on"],
                    note=v.get("note", ""),
                )
            )
        for name, value in {**fields, "status": status}.items():
            setattr(case, name, value)
        case.save(update_fields=[*fields, "status"])
    CaseStep.objects.bulk_create(steps)


def _void_prior_reviews(provider_id: int, cleans: list[Clean]) -> None:
    """A case the provider withdraws (sent in error): gone with its steps."""
    if cleans:
        Case.objects.filter(
            provider_id=provider_id,
            kind=Case.Kind.PRIOR_REVIEW,
            source_id__in=[c.id for c in cleans],
        ).delete()
