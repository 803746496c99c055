"""The person's visits (就醫資料): outpatient and inpatient lists, the visit detail, the drugs
of the window by pharmacological class and the chronic refill prescriptions.

Every query starts from the person and the window (indexes are (person, kind, -visit_date)),
counts in the database, and loads codes and providers with the rows, never a query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear, Substr
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from healthbank.codes.models import AtcClass, Diagnosis
from healthbank.core.prepared import PreparedQuery
from healthbank.people.models import Person
from healthbank.records.models import DrugOrder, ServiceOrder, Surgery, Visit, VisitDiagnosis
from healthbank.records.rules import Window

# Drugs are grouped at ATC level 3, the pharmacological subgroup (C09D "ARBs, combinations",
# C10A "lipid modifying agents, plain"): a class a patient recognises, few enough for a
# short list. The duplicate-medication rule compares the finer level 4; `?atc=` takes both.
ATC_GROUP_LENGTH = 4
# Chinese-medicine formulas have no ATC class: they form one group of their own.
CHINESE_MEDICINE = "tcm"

NEWEST_FIRST = ("-visit_date", "-pk")


@dataclass(frozen=True)
class DiagnosisCount:
    """A primary diagnosis and how many visits of the window had it."""

    diagnosis: Diagnosis
    visits: int

    @property
    def code(self) -> str:
        return self.diagnosis.code


@dataclass(frozen=True)
class DrugClass:
    """A pharmacological class (ATC level 3, or Chinese medicine) and its visits."""

    code: str
    name: str
    visits: int


@dataclass(frozen=True)
class YearCount:
    year: int
    visits: int


def _window(visits: QuerySet[Visit], window: Window) -> QuerySet[Visit]:
    return visits.filter(visit_date__gte=window.start, visit_date__lte=window.end)


def _diagnosis_counts(visits: QuerySet[Visit]) -> list[DiagnosisCount]:
    rows = (
        visits.values(
            "primary_diagnosis", "primary_diagnosis__name_zh", "primary_diagnosis__name_en"
        )
        .annotate(visits=Count("pk"))
        .order_by("-visits", "primary_diagnosis")
    )
    return [
        DiagnosisCount(
            Diagnosis(
                code=row["primary_diagnosis"],
                name_zh=row["primary_diagnosis__name_zh"],
                name_en=row["primary_diagnosis__name_en"],
            ),
            row["visits"],
        )
        for row in rows
    ]


# --- Outpatient visits (西醫 / 中醫門診) ---------------------------------------------------


def diagnosis_counts(person: Person, window: Window, kind: str) -> list[DiagnosisCount]:
    """The primary diagnoses of the person's visits of one kind in the window, most visits
    first (ties by code): the top five make the seed's chart, all of them its 選擇疾病.

    Only visits of that kind count, so pharmacy dispensings and preventive checks do not
    (seed: 門診次数之計算不含藥局領藥或預防保健之次數). One query.
    """
    return _diagnosis_counts(_window(Visit.objects.filter(person=person, kind=kind), window))


def outpatient_visits(
    person: Person,
    window: Window,
    kind: str,
    *,
    diagnosis: str | None = None,
    order_by: Sequence[str] = NEWEST_FIRST,
) -> QuerySet[Visit]:
    """The person's visits of one kind in the window, optionally of one primary diagnosis."""
    visits = _window(Visit.objects.filter(person=person, kind=kind), window)
    if diagnosis:
        visits = visits.filter(primary_diagnosis=diagnosis)
    return visits.select_related("provider", "primary_diagnosis").order_by(*order_by)


# --- Inpatient stays (住院資料) -------------------------------------------------------------


def admissions_by_year(person: Person, window: Window) -> list[YearCount]:
    """Admissions of the window per calendar year, oldest first. One query."""
    rows = (
        _window(Visit.objects.filter(person=person, kind=Visit.Kind.INPATIENT), window)
        .annotate(year=ExtractYear("visit_date"))
        .values("year")
        .annotate(visits=Count("pk"))
        .order_by("year")
    )
    return [YearCount(row["year"], row["visits"]) for row in rows]


def inpatient_stays(
    person: Person,
    window: Window,
    *,
    year: int | None = None,
    order_by: Sequence[str] = NEWEST_FIRST,
) -> QuerySet[Visit]:
    """Admissions of the window (optionally of one year), each with `summary_id`, its
    discharge summary's id or None, from the same query."""
    stays = _window(Visit.objects.filter(person=person, kind=Visit.Kind.INPATIENT), window)
    if year is not None:
        stays = stays.filter(visit_date__year=year)
    return (
        stays.select_related("provider", "primary_diagnosis")
        .annotate(summary_id=F("discharge_summary__id"))
        .order_by(*order_by)
    )


# --- One visit (就醫紀錄) -------------------------------------------------------------------


# A visit's details: what `with_details` prefetches, each one query for all the visits.
DETAILS: tuple[str, ...] = ("diagnoses", "drug_orders", "service_orders", "surgeries")


def _detail(name: str) -> Prefetch[Any]:
    if name == "diagnoses":
        diagnoses = VisitDiagnosis.objects.select_related("diagnosis").order_by("rank")
        return Prefetch("diagnoses", diagnoses)
    if name == "drug_orders":
        return Prefetch("drug_orders", DrugOrder.objects.select_related("drug").order_by("pk"))
    if name == "service_orders":
        orders = ServiceOrder.objects.select_related("service", "tooth").order_by("pk")
        return Prefetch("service_orders", orders)
    if name == "surgeries":
        surgeries = Surgery.objects.select_related("service", "body_site").order_by("performed_on")
        return Prefetch("surgeries", surgeries)
    raise ValueError(name)


def with_details(visits: QuerySet[Visit], details: Collection[str] = DETAILS) -> QuerySet[Visit]:
    """Visits with provider, department and diagnoses (primary first), drug and non-drug
    orders and surgeries: what the detail dialog and a downloaded package show. `details`
    (of DETAILS) narrows what is prefetched to what a reader uses: a query each."""
    visits = visits.select_related("provider", "department", "primary_diagnosis")
    return visits.prefetch_related(*(_detail(name) for name in DETAILS if name in details))


def visits_with_details(
    person: Person,
    window: Window,
    kinds: Sequence[str],
    *,
    details: Collection[str] = DETAILS,
    ids: Collection[int] | None = None,
) -> list[Visit]:
    """The person's visits of these kinds in the window, newest first, with every detail
    (`with_details`; only `details` when given): a downloaded package's visit categories.
    `ids`: only those of them (a page of a list `visit_keys` ordered)."""
    visits = _window(Visit.objects.filter(person=person, kind__in=kinds), window)
    if ids is not None:
        visits = visits.filter(pk__in=list(ids))
    return list(with_details(visits, details).order_by(*NEWEST_FIRST))


def _keys(kinds: tuple[str, ...], detail: str) -> PreparedQuery:
    def build(person: int, start: dt.date, end: dt.date) -> QuerySet[Any, Any]:
        visits = _window(Visit.objects.filter(person=person, kind__in=kinds), Window(start, end))
        key = F(f"{detail}__id") if detail else F("id")
        return visits.order_by(*NEWEST_FIRST).values(
            "visit_date", "discharge_date", "kind", "updated_at", visit_id=F("id"), key=key
        )

    return PreparedQuery(build, person=int, start=dt.date, end=dt.date)


# Read on every page of an API search: built once per process, kinds and detail.
_visit_keys: dict[tuple[tuple[str, ...], str], PreparedQuery] = {}


def visit_keys(
    person: Person, window: Window, kinds: Sequence[str], detail: str = ""
) -> list[dict[str, Any]]:
    """The keys of `visits_with_details`' visits, or of one detail of theirs ("diagnoses",
    "drug_orders"), with what dates them: rows of `key` (the detail's id, None for a
    visit without one; the visit's own id without `detail`), `visit_id`, `visit_date`,
    `discharge_date`, `kind` and `updated_at`, newest visit first. One query and no model
    instances: enough to order, count and page a list, then read the page's visits alone."""
    if detail not in ("", "diagnoses", "drug_orders"):
        raise ValueError(detail)
    key = (tuple(kinds), detail)
    query = _visit_keys.get(key) or _visit_keys.setdefault(key, _keys(*key))
    return query(person=person.pk, start=window.start, end=window.end)


def _visit_list(kinds: tuple[str, ...]) -> PreparedQuery:
    def build(person: int, start: dt.date, end: dt.date) -> QuerySet[Any, Any]:
        visits = Visit.objects.filter(person=person, kind__in=kinds)
        return (
            _window(visits, Window(start, end))
            .order_by(*NEWEST_FIRST)
            .values(
                "id",
                "visit_date",
                "copayment",
                "points",
                diagnosis_code=F("primary_diagnosis"),
                diagnosis_name_zh=F("primary_diagnosis__name_zh"),
                diagnosis_name_en=F("primary_diagnosis__name_en"),
                provider_name=F("provider__name"),
            )
        )

    return PreparedQuery(build, person=int, start=dt.date, end=dt.date)


# Read on every list the app opens: built once per process and kinds (core/prepared.py).
_visit_lists: dict[tuple[str, ...], PreparedQuery] = {}


def visit_list_rows(
    person: Person, window: Window, kinds: Sequence[str]
) -> list[Mapping[str, Any]]:
    """The same visits as `visits_with_details`, in the same order, as plain rows of what a
    list shows (id, visit_date, copayment, points, the primary diagnosis's code and names,
    the provider's name): one query and no model instances, for the app's record lists."""
    key = tuple(kinds)
    query = _visit_lists.get(key) or _visit_lists.setdefault(key, _visit_list(key))
    return list(query(person=person.pk, start=window.start, end=window.end))


def visit_with_details(
    person: Person,
    window: Window,
    kinds: Sequence[str],
    pk: int,
    *,
    details: Collection[str] = DETAILS,
) -> Visit | None:
    """One of `visits_with_details`' visits, by id, with every detail (or `details`); None
    if it is not among them (another person's, another kind, outside the window). Five
    queries at most: the visit, then a query per detail."""
    visits = _window(Visit.objects.filter(person=person, kind__in=kinds, pk=pk), window)
    return with_details(visits, details).first()


def visit_detail(person: Person, pk: int) -> Visit:
    """One of the person's visits with all its details and `summary_id`; Http404 for anyone
    else's. Five queries."""
    visits = with_details(Visit.objects.filter(person=person))
    return get_object_or_404(visits.annotate(summary_id=F("discharge_summary__id")), pk=pk)


def latest_visits(person: Person, window: Window) -> dict[str, Visit | None]:
    """The latest Western, dental and Chinese-medicine visit of the window (the home page's
    最近一次就醫紀錄), keyed "western", "dental", "tcm". One query: three one-row index
    reads as subqueries, then those visits by primary key."""
    kinds = {"western": Visit.Kind.WESTERN, "dental": Visit.Kind.DENTAL, "tcm": Visit.Kind.TCM}
    mine = _window(Visit.objects.filter(person=person), window).order_by(*NEWEST_FIRST)
    latest = Q()
    for kind in kinds.values():
        latest |= Q(pk=Subquery(mine.filter(kind=kind).values("pk")[:1]))
    by_kind = {
        visit.kind: visit
        for visit in Visit.objects.filter(latest, person=person).select_related(
            "provider", "primary_diagnosis"
        )
    }
    return {key: by_kind.get(kind) for key, kind in kinds.items()}


# --- Medications (用藥資料) -----------------------------------------------------------------


def _class_condition(atc: str) -> Q:
    if atc == CHINESE_MEDICINE:
        return Q(drug__atc__isnull=True)
    return Q(drug__atc__code__startswith=atc)


def medication_classes(person: Person, window: Window) -> list[DrugClass]:
    """The classes of the drugs the person was given in the window, in ATC order with
    Chinese medicine last, each with the number of visits or dispensings that gave one.
    Two queries: the counts, then the class names."""
    rows = (
        DrugOrder.objects.filter(
            person=person,
            visit__visit_date__gte=window.start,
            visit__visit_date__lte=window.end,
        )
        .annotate(
            group=Coalesce(Substr("drug__atc_id", 1, ATC_GROUP_LENGTH), Value(CHINESE_MEDICINE))
        )
        .values("group")
        .annotate(visits=Count("visit", distinct=True))
        .order_by("group")
    )
    counts = {row["group"]: row["visits"] for row in rows}
    if not counts:
        return []
    names = {c.code: c.name for c in AtcClass.objects.filter(code__in=counts)}
    classes = [
        DrugClass(code, names.get(code, code), visits)
        for code, visits in counts.items()
        if code != CHINESE_MEDICINE
    ]
    if CHINESE_MEDICINE in counts:
        classes.append(DrugClass(CHINESE_MEDICINE, _("Chinese medicine"), counts[CHINESE_MEDICINE]))
    return classes


def medication_visits(
    person: Person,
    window: Window,
    *,
    atc: str | None = None,
    order_by: Sequence[str] = NEWEST_FIRST,
) -> QuerySet[Visit]:
    """Visits and dispensings of the window that gave drugs, with their drug orders
    prefetched; with `atc` (an ATC prefix such as C09D or C09DA, or CHINESE_MEDICINE) only
    those that gave a drug of that class, and only those drugs."""
    orders = DrugOrder.objects.filter(person=person)
    if atc:
        orders = orders.filter(_class_condition(atc))
    visits = _window(Visit.objects.filter(person=person), window).filter(
        Exists(orders.filter(visit=OuterRef("pk")))
    )
    return (
        visits.select_related("provider", "primary_diagnosis")
        .prefetch_related(Prefetch("drug_orders", orders.select_related("drug").order_by("pk")))
        .order_by(*order_by)
    )


# --- Chronic refill prescriptions (慢性病連續處方箋) ----------------------------------------


def _refills(person: Person, window: Window) -> QuerySet[Visit]:
    return _window(Visit.objects.filter(person=person, chronic_refill=True), window)


def refill_diagnoses(person: Person, window: Window) -> list[DiagnosisCount]:
    """The primary diagnoses of the chronic refill visits and dispensings of the window."""
    return _diagnosis_counts(_refills(person, window))


def chronic_refills(
    person: Person,
    window: Window,
    *,
    diagnosis: str | None = None,
    order_by: Sequence[str] = NEWEST_FIRST,
) -> QuerySet[Visit]:
    """Visits and pharmacy dispensings of chronic refill prescriptions in the window, with
    their drug orders prefetched, optionally of one primary diagnosis."""
    visits = _refills(person, window)
    if diagnosis:
        visits = visits.filter(primary_diagnosis=diagnosis)
    return (
        visits.select_related("provider", "department", "primary_diagnosis")
        .prefetch_related(
            Prefetch("drug_orders", DrugOrder.objects.select_related("drug").order_by("pk"))
        )
        .order_by(*order_by)
    )
