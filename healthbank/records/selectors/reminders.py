"""The person's reminders (貼心叮嚀) and duplicate-medication warnings, from their records.

The rules are the pure functions of `healthbank.records.reminders`; this module only gathers
the dates and values they need, in a few queries that each start from the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Max, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Substr
from django.utils import translation
from django.utils.translation import gettext as _

from healthbank.codes.models import AtcClass
from healthbank.core.prepared import PreparedQuery
from healthbank.people.models import Person
from healthbank.records import reminders as rules
from healthbank.records.models import DrugOrder, PreventiveCheck, ServiceOrder, Visit
from healthbank.records.reminders import DrugCourse, DuplicateMedication

# NHI dental fee schedule (healthbank/codes/data/service.csv, 牙結石清除): 91003C localised,
# 91004C full mouth (the one healthbank/synth/care.py's regular check-ups use) and 91017C
# full mouth for pregnant women. Any of them starts the 180 days to the next scaling.
SCALING_CODES = ("91003C", "91004C", "91017C")

# NHI caps one dispensing of a chronic refill prescription at 30 days and a whole
# prescription at 90; a longer course is not expected, so older orders cannot still run.
MAX_COURSE_DAYS = 90


@dataclass(frozen=True)
class Reminder:
    """One line of 就醫提醒(建議): what to do, from when (until when), and about what."""

    kind: str  # "scaling", "refill_pickup", "revisit" or "preventive_check"
    title: str
    start: date
    end: date | None = None
    detail: str = ""


def _last_care(person: int) -> QuerySet[Any, Any]:
    """The person's last dental scaling and last adult preventive check, in one row."""
    return (
        Person.objects.filter(pk=person)
        .annotate(
            last_scaling=Subquery(
                ServiceOrder.objects.filter(person=OuterRef("pk"), service_id__in=SCALING_CODES)
                .order_by("-visit__visit_date")
                .values("visit__visit_date")[:1]
            ),
            last_check=Subquery(
                PreventiveCheck.objects.filter(person=OuterRef("pk"))
                .order_by("-checked_on")
                .values("checked_on")[:1]
            ),
        )
        .values("last_scaling", "last_check")
    )


# Read on every home page: built once per process (core/prepared.py). Records, so routed as
# records (a replica's, core/replicas.py), though the query starts from the person.
last_care = PreparedQuery(_last_care, routed_as=ServiceOrder, person=int)


def reminders_for(person: Person, today: date) -> list[Reminder]:
    """Dental scaling, chronic refill pick-up and revisit, next adult preventive check.

    In the seed's order. Two queries: the last scaling and last preventive check, then the
    chronic refill prescriptions that may still be running.
    """
    last = last_care(person=person.pk)[0]
    found: list[Reminder] = []

    due = rules.next_scaling(last["last_scaling"])
    if due is not None:
        found.append(Reminder("scaling", _("Time for a dental scaling"), due))

    found += _refill_reminders(person, today)

    if rules.age_on(person.birth_date, today) >= rules.PREVENTIVE_MIN_AGE - 1:
        check = rules.next_preventive_check(person.birth_date, last["last_check"], today)
        found.append(Reminder("preventive_check", _("Next adult preventive check"), check))
    return found


def _refill_reminders(person: Person, today: date) -> list[Reminder]:
    """Per diagnosis, the latest dispensing of a chronic refill prescription still running.

    A prescription whose last supply ran out before today has nothing left to remind of.
    """
    since = today - timedelta(days=rules.DEFAULT_REFILLS * MAX_COURSE_DAYS)
    visits = (
        Visit.objects.filter(person=person, chronic_refill=True, visit_date__gte=since)
        .select_related("department", "primary_diagnosis")
        .annotate(days=Max("drug_orders__days"))
        .order_by("-visit_date", "-refill_number", "-pk")
    )
    found: list[Reminder] = []
    seen: set[str] = set()
    for visit in visits:
        if visit.primary_diagnosis_id in seen or not visit.days:
            continue
        seen.add(visit.primary_diagnosis_id)
        number = visit.refill_number or 1
        refill = rules.refill_reminder(
            visit.visit_date,
            visit.days,
            number,
            max(rules.DEFAULT_REFILLS, number),
            today=today,
        )
        if refill.revisit_to < today:
            continue
        detail = f"【{visit.department.name}】{visit.primary_diagnosis.name}"
        if refill.pick_up_from is not None:
            found.append(
                Reminder(
                    "refill_pickup",
                    _("Collect your chronic refill"),
                    refill.pick_up_from,
                    refill.pick_up_to,
                    detail,
                )
            )
        found.append(
            Reminder(
                "revisit",
                _("Suggested revisit"),
                refill.revisit_from,
                refill.revisit_to,
                detail,
            )
        )
    return found


def _drug_courses(person: int, earliest: date, today: date) -> QuerySet[Any, Any]:
    """The person's drug orders of visits from `earliest` to `today` with an ATC class, each
    with its class's names and, for a refill, the provider who first prescribed it."""
    prescriber = (
        Visit.objects.filter(
            person=OuterRef("person"),
            chronic_refill=True,
            refill_number=1,
            primary_diagnosis=OuterRef("visit__primary_diagnosis"),
            visit_date__lte=OuterRef("visit__visit_date"),
        )
        .exclude(kind=Visit.Kind.PHARMACY)
        .order_by("-visit_date")
    )
    is_refill = Q(visit__chronic_refill=True, visit__refill_number__gt=1)
    atc_class = AtcClass.objects.filter(
        code=Substr(OuterRef("drug__atc_id"), 1, rules.ATC_LEVEL4_LENGTH)
    )
    return (
        DrugOrder.objects.filter(
            person=person,
            visit__visit_date__gte=earliest,
            visit__visit_date__lte=today,
            drug__atc__isnull=False,
        )
        .annotate(
            prescriber_id=Case(When(is_refill, then=Subquery(prescriber.values("provider")[:1]))),
            prescriber_name=Case(
                When(is_refill, then=Subquery(prescriber.values("provider__name")[:1]))
            ),
            class_zh=Subquery(atc_class.values("name_zh")[:1]),
            class_en=Subquery(atc_class.values("name_en")[:1]),
        )
        .values(
            "days",
            "drug__name_zh",
            "drug__name_en",
            "drug__atc_id",
            "class_zh",
            "class_en",
            "visit__visit_date",
            "visit__provider_id",
            "visit__provider__name",
            "prescriber_id",
            "prescriber_name",
        )
    )


# Read on every home page: built once per process (core/prepared.py).
drug_courses = PreparedQuery(_drug_courses, person=int, earliest=date, today=date)


def duplicate_medications(person: Person, today: date) -> list[DuplicateMedication]:
    """Same ATC class from different prescribers on overlapping days, lately (重複用藥).

    One query over the drug orders that can reach into the rule's look-back window. A refill
    collected at a pharmacy counts as the prescriber's: it continues that prescription, so
    a pharmacy's early pick-up is not a second prescriber.
    """
    since = today - timedelta(days=rules.DUPLICATE_LOOKBACK_DAYS)
    orders = drug_courses(
        person=person.pk, earliest=since - timedelta(days=MAX_COURSE_DAYS), today=today
    )
    english = (translation.get_language() or "").startswith("en")
    courses = [
        DrugCourse(
            atc_class=o["drug__atc_id"],
            atc_name=_pick(o["class_zh"], o["class_en"], english),
            provider=str(o["prescriber_id"] or o["visit__provider_id"]),
            provider_name=o["prescriber_name"] or o["visit__provider__name"],
            drug_name=_pick(o["drug__name_zh"], o["drug__name_en"], english),
            start=o["visit__visit_date"],
            days=o["days"],
        )
        for o in orders
    ]
    return rules.find_duplicate_medications(courses, today, since)


def _pick(zh: str | None, en: str | None, english: bool) -> str:
    return (en if english and en else zh) or ""
