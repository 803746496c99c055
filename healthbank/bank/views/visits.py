"""就醫資料: Western and Chinese-medicine outpatient visits, inpatient stays, the visit detail,
medications by pharmacological class and chronic refill prescriptions.

Filters and sorting live in the query string and are checked against what the person's
records hold: an unknown value is ignored (the whole list shows), never an error.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from healthbank.bank import charts
from healthbank.bank.listing import Column, Sorting, sorting
from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.presenters import visits as presenters
from healthbank.core.rocdate import ROC_OFFSET
from healthbank.records.models import Visit
from healthbank.records.reminders import DUPLICATE_LOOKBACK_DAYS
from healthbank.records.rules import record_window
from healthbank.records.selectors import visits as selectors
from healthbank.records.selectors.reminders import duplicate_medications

# A heavy user has hundreds of visits in three years: lists show this many per page.
PAGE_SIZE = 50
# Seed: 近三年西醫門診【就醫前五名的疾病】.
TOP_DIAGNOSES = 5
# An ATC prefix of level 1 to 5 (N, N02, N02B, N02BE, N02BE01).
ATC_PREFIX = re.compile(r"^[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?$")

OUTPATIENT_COLUMNS = (
    Column("date", gettext_lazy("Visit date"), ("visit_date", "pk")),
    Column("provider", gettext_lazy("Provider"), ("provider__name", "visit_date", "pk")),
    Column("diagnosis", gettext_lazy("Diagnosis"), ("primary_diagnosis", "visit_date", "pk")),
    Column("copayment", gettext_lazy("Copayment"), ("copayment", "visit_date", "pk"), True),
    Column("points", gettext_lazy("NHI points"), ("points", "visit_date", "pk"), True),
)
INPATIENT_COLUMNS = (
    Column("date", gettext_lazy("Admission date"), ("visit_date", "pk")),
    Column("discharge", gettext_lazy("Discharge date"), ("discharge_date", "visit_date", "pk")),
    Column("provider", gettext_lazy("Provider"), ("provider__name", "visit_date", "pk")),
    Column("diagnosis", gettext_lazy("Diagnosis"), ("primary_diagnosis", "visit_date", "pk")),
    Column("copayment", gettext_lazy("Copayment"), ("copayment", "visit_date", "pk"), True),
    Column("points", gettext_lazy("NHI points"), ("points", "visit_date", "pk"), True),
)
MEDICATION_COLUMNS = (
    Column("date", gettext_lazy("Visit, dispensing or admission date"), ("visit_date", "pk")),
)
REFILL_COLUMNS = (
    Column("date", gettext_lazy("Visit or dispensing date"), ("visit_date", "pk")),
    Column("department", gettext_lazy("Department"), ("department", "visit_date", "pk")),
    Column("diagnosis", gettext_lazy("Diagnosis"), ("primary_diagnosis", "visit_date", "pk")),
    Column("provider", gettext_lazy("Provider"), ("provider__name", "visit_date", "pk")),
)
OUTPATIENT_NOTES = (
    gettext_lazy("Click a coloured slice, or a disease in the table, to see its visits."),
    gettext_lazy("Visit counts do not include pharmacy dispensing or preventive care."),
    gettext_lazy(
        "To compare the quality of care of providers, see the NHI healthcare quality "
        "information website."
    ),
)
INPATIENT_NOTES = (
    gettext_lazy("Click a coloured bar, or a year in the table, to see that year's stays."),
    gettext_lazy(
        "Stays from January 2015 link to the discharge summary the provider uploaded to NHIA "
        "(stays paid privately are not included). If a provider has not uploaded one, you "
        "may ask it to do so."
    ),
    gettext_lazy(
        "To compare the quality of inpatient care of providers, see the NHI healthcare "
        "quality information website."
    ),
)
REFILL_NOTES = (
    gettext_lazy(
        "A chronic refill prescription is dispensed up to three times: at the visit, then "
        "as refills, usually at a pharmacy. Each row shows which dispensing it was and the "
        "NHI card sequence number of the visit."
    ),
    gettext_lazy("For questions about these data, please ask the provider."),
)
# Where the full-page detail's back link goes, by the visit's kind (a URL name that another
# page may not have yet is skipped by `{% url … as %}`).
LIST_OF_KIND: dict[str, str] = {
    Visit.Kind.WESTERN: "bank:western",
    Visit.Kind.TCM: "bank:tcm",
    Visit.Kind.DENTAL: "bank:dental",
    Visit.Kind.INPATIENT: "bank:inpatient",
    Visit.Kind.PHARMACY: "bank:medications",
}


def _page(request: HttpRequest, rows: QuerySet) -> Page:
    """The requested page of a list; a page number that is not one gives the first or last."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request: HttpRequest, **changes: str | None) -> str:
    """The page's query string without its page number, with `changes` set (None drops)."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


def _link(request: HttpRequest, **changes: str | None) -> str:
    return "?" + _query(request, **changes)


def _sort_param(sort: Sorting) -> str:
    """The list's sort as ?sort= says it, for the filter forms to keep (a bad one is gone)."""
    return f"-{sort.key}" if sort.descending else sort.key


def _year_label(year: int) -> str:
    """An admission year as the reader counts years: 114 in Chinese, 2025 in English."""
    chinese = (translation.get_language() or "").startswith("zh")
    # Translators: a year on the admissions chart; ROC years in Chinese, e.g. "{year}年".
    return pgettext("admission year", "{year}").format(year=year - ROC_OFFSET if chinese else year)


# --- 西醫 / 中醫門診資料 -------------------------------------------------------------------


def _outpatient(request: HttpRequest, portal: Portal, kind: str, texts: dict) -> HttpResponse:
    person, window = portal.subject, record_window(portal.today)
    counts = selectors.diagnosis_counts(person, window, kind)
    wanted = request.GET.get("diagnosis", "")
    chosen = next((c for c in counts if c.code == wanted), None)
    sort = sorting(request, OUTPATIENT_COLUMNS, "-date")
    visits = selectors.outpatient_visits(
        person, window, kind, diagnosis=chosen.code if chosen else None, order_by=sort.order_by
    )
    top = [(c, _link(request, diagnosis=c.code)) for c in counts[:TOP_DIAGNOSES]]
    page = _page(request, visits)
    return render(
        request,
        "bank/visits/outpatient.html",
        {
            **texts,
            "notes": OUTPATIENT_NOTES,
            "window": window,
            "counts": counts,
            "chosen": chosen,
            "top": top,
            "chart": charts.pie(
                [f"{c.diagnosis.name} ({c.code})" for c, link in top],
                [c.visits for c, link in top],
                [link for c, link in top],
            ),
            "all_link": _link(request, diagnosis=None),
            "sort": _sort_param(sort),
            "headers": sort.headers(request),
            "page": page,
            "rows": presenters.visit_rows(page.object_list),
            "query": _query(request),
        },
    )


@portal_page
def western(request: HttpRequest, portal: Portal) -> HttpResponse:
    return _outpatient(
        request,
        portal,
        Visit.Kind.WESTERN,
        {
            "title": _("Western-medicine outpatient visits"),
            "chart_title": _(
                "Western-medicine outpatient visits in the last three years: "
                "the five diseases with the most visits"
            ),
            "list_caption": _("Western-medicine outpatient visits"),
            "empty": _("No Western-medicine outpatient visits in this period."),
        },
    )


@portal_page
def tcm(request: HttpRequest, portal: Portal) -> HttpResponse:
    return _outpatient(
        request,
        portal,
        Visit.Kind.TCM,
        {
            "title": _("Chinese-medicine outpatient visits"),
            "chart_title": _(
                "Chinese-medicine outpatient visits in the last three years: "
                "the five diseases with the most visits"
            ),
            "list_caption": _("Chinese-medicine outpatient visits"),
            "empty": _("No Chinese-medicine outpatient visits in this period."),
        },
    )


# --- 住院資料 -------------------------------------------------------------------------------


def _year(value: str, years: list[int]) -> int | None:
    try:
        year = int(value)
    except ValueError:
        return None
    return year if year in years else None


@portal_page
def inpatient(request: HttpRequest, portal: Portal) -> HttpResponse:
    person, window = portal.subject, record_window(portal.today)
    by_year = selectors.admissions_by_year(person, window)
    year = _year(request.GET.get("year", ""), [y.year for y in by_year])
    sort = sorting(request, INPATIENT_COLUMNS, "-date")
    stays = selectors.inpatient_stays(person, window, year=year, order_by=sort.order_by)
    page = _page(request, stays)
    years: list[dict[str, Any]] = [
        {
            "year": y.year,
            "label": _year_label(y.year),
            "visits": y.visits,
            "link": _link(request, year=str(y.year)),
        }
        for y in by_year
    ]
    return render(
        request,
        "bank/visits/inpatient.html",
        {
            "window": window,
            "years": years,
            "year": year,
            "year_label": _year_label(year) if year else "",
            "chart": charts.bar(
                [y["label"] for y in years],
                [y["visits"] for y in years],
                label=_("Admissions"),
                links=[y["link"] for y in years],
            ),
            "all_link": _link(request, year=None),
            "sort": _sort_param(sort),
            "headers": sort.headers(request),
            "extra_headers": [_("Discharge summary")],
            "page": page,
            "rows": presenters.stay_rows(page.object_list),
            "notes": INPATIENT_NOTES,
            "query": _query(request),
        },
    )


# --- 就醫紀錄 (detail) ----------------------------------------------------------------------


@portal_page
def visit(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    record = selectors.visit_detail(portal.subject, pk)
    return render(
        request,
        "bank/visits/detail.html",
        {
            "visit": record,
            "teeth": any(order.tooth_id for order in record.service_orders.all()),
            "back": LIST_OF_KIND.get(record.kind, "bank:visits"),
        },
    )


# --- 用藥資料 -------------------------------------------------------------------------------


def _atc(value: str, classes: list[selectors.DrugClass]) -> str | None:
    """A class filter the person's drugs can match: Chinese medicine, or an ATC prefix of
    level 3 or finer (a duplicate-medication warning links to level 4) of a class they have."""
    if value == selectors.CHINESE_MEDICINE:
        return value if any(c.code == value for c in classes) else None
    value = value.upper()
    if len(value) < selectors.ATC_GROUP_LENGTH or not ATC_PREFIX.match(value):
        return None
    group = value[: selectors.ATC_GROUP_LENGTH]
    return value if any(c.code == group for c in classes) else None


def _medication_notes() -> list[str]:
    return [
        _(
            "Drugs are grouped by their ATC pharmacological class (level 3, such as C09D); "
            "Chinese-medicine formulas have no ATC class and form one group."
        ),
        _(
            "The list holds the drugs of outpatient visits, pharmacy dispensings and hospital "
            "stays; click a date for the whole visit."
        ),
        _(
            "Possible duplicate medication: drugs of the same ATC chemical subgroup (level 4) "
            "from different providers for overlapping days in the last %(days)s days."
        )
        % {"days": DUPLICATE_LOOKBACK_DAYS},
    ]


@portal_page
def medications(request: HttpRequest, portal: Portal) -> HttpResponse:
    person, window = portal.subject, record_window(portal.today)
    classes = selectors.medication_classes(person, window)
    atc = _atc(request.GET.get("atc", ""), classes)
    sort = sorting(request, MEDICATION_COLUMNS, "-date")
    visits = selectors.medication_visits(person, window, atc=atc, order_by=sort.order_by)
    chosen = next((c for c in classes if atc and c.code == atc[: len(c.code)]), None)
    page = _page(request, visits)
    return render(
        request,
        "bank/visits/medications.html",
        {
            "window": window,
            "classes": [(c, _link(request, atc=c.code)) for c in classes],
            "atc": atc,
            "chosen": chosen,
            "all_link": _link(request, atc=None),
            "duplicates": duplicate_medications(person, portal.today),
            "sort": _sort_param(sort),
            "headers": sort.headers(request),
            "extra_headers": [
                _("Discharge date"),
                _("Provider"),
                _("Diagnosis"),
                _("Drugs: days supplied and total quantity"),
            ],
            "notes": _medication_notes(),
            "page": page,
            "rows": presenters.visit_rows_with_drugs(page.object_list),
            "query": _query(request),
        },
    )


# --- 慢性病連續處方箋領藥紀錄 -------------------------------------------------------------


@portal_page
def refills(request: HttpRequest, portal: Portal) -> HttpResponse:
    person, window = portal.subject, record_window(portal.today)
    counts = selectors.refill_diagnoses(person, window)
    wanted = request.GET.get("diagnosis", "")
    chosen = next((c for c in counts if c.code == wanted), None)
    sort = sorting(request, REFILL_COLUMNS, "-date")
    visits = selectors.chronic_refills(
        person, window, diagnosis=chosen.code if chosen else None, order_by=sort.order_by
    )
    page = _page(request, visits)
    return render(
        request,
        "bank/visits/refills.html",
        {
            "window": window,
            "counts": counts,
            "chosen": chosen,
            "sort": _sort_param(sort),
            "headers": sort.headers(request),
            "extra_headers": [_("NHI card sequence no."), _("Dispensing")],
            "page": page,
            "rows": presenters.refill_rows(page.object_list),
            "query": _query(request),
            "notes": REFILL_NOTES,
        },
    )
