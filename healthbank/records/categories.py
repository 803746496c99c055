"""The download page's categories (健康存摺明細), in the seed's order and groups, with the
period each covers and the rows each holds.

Each category reads its rows through `healthbank.records.selectors`, the reads its portal
page uses, over the same window, so a package holds what the pages show. Rows are model
instances, newest first, with what the renderers (documents.py, fhir.py) need already
joined or prefetched:

| code | rows | joined / prefetched |
|---|---|---|
| cards | CardIssuance | card |
| premium_bills | PremiumBill | unit |
| premium_payments | PremiumPayment | bill |
| outpatient, dental, tcm, inpatient | Visit | provider, department, primary_diagnosis; |
|   |   | diagnoses (.diagnosis), drug_orders (.drug), service_orders (.service, .tooth), |
|   |   | surgeries (.service, .body_site) |
| labs | LabResult | item, provider |
| reports | ImagingReport | service, body_site, provider |
| discharge_summaries | DischargeSummary | provider, visit |
| allergies | Allergy | provider, drug |
| wishes | CareWish | provider |
| vaccinations | Vaccination | vaccine, provider |
| preventive | PreventiveCheck | provider |
| calendar | CalendarEvent | – |
| measurements | Measurement | – |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.people.models import Person
from healthbank.records.models import Visit
from healthbank.records.rules import (
    Window,
    allergy_window,
    insurance_window,
    record_window,
    vaccination_window,
)
from healthbank.records.selectors import calendar, health, labs, personal, visits

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

GROUP_BILLING = _("Insurance billing")  # 保險計費
GROUP_PAYMENT = _("Insurance payments")  # 保險繳納
GROUP_CARE = _("Medical care")  # 醫療
GROUP_OWN = _("Entered by you")  # 自行輸入


@dataclass(frozen=True)
class Category:
    code: str  # in requests and file names' English form
    label: StrOrPromise  # the seed's 健康存摺明細 name; also the file name inside the ZIP
    group: StrOrPromise
    window: Callable[[dt.date], Window]
    rows: Callable[[Person, Window], list]
    date_of: Callable[[Any], dt.date]  # the row's date: the monthly split and the period
    monthly: bool = False  # △: may be split into single months


# The visits each visit category lists (the app's API lists them from these too).
VISIT_KINDS: dict[str, tuple[str, ...]] = {
    "outpatient": (Visit.Kind.WESTERN, Visit.Kind.PHARMACY),
    "inpatient": (Visit.Kind.INPATIENT,),
    "dental": (Visit.Kind.DENTAL,),
    "tcm": (Visit.Kind.TCM,),
}


def _visits(kinds: tuple[str, ...]) -> Callable[[Person, Window], list]:
    return lambda person, window: visits.visits_with_details(person, window, kinds)


def _everything(today: dt.date) -> Window:
    return Window(dt.date(1900, 1, 1), today)


def _calendar_window(today: dt.date) -> Window:
    # A calendar also holds what is planned: to the end of next year.
    return Window(record_window(today).start, dt.date(today.year + 1, 12, 31))


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


CATEGORIES: tuple[Category, ...] = (
    Category(
        "cards",
        _("NHI card status and issuance records"),  # 健保卡狀況及領卡紀錄
        GROUP_BILLING,
        _everything,
        lambda p, w: personal.card_issuances(p),
        lambda r: r.applied_on,
    ),
    Category(
        "premium_bills",
        _("Premium billing"),  # 保費計費明細
        GROUP_BILLING,
        insurance_window,
        personal.premium_bills,
        lambda r: r.month,
    ),
    Category(
        "premium_payments",
        _("Premium payments"),  # 保險費繳納明細
        GROUP_PAYMENT,
        insurance_window,
        personal.premium_payments,
        lambda r: r.paid_on,
    ),
    Category(
        "outpatient",
        _("Western-medicine outpatient and pharmacy"),  # 門診資料
        GROUP_CARE,
        record_window,
        _visits(VISIT_KINDS["outpatient"]),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "inpatient",
        _("Inpatient stays"),  # 住院資料
        GROUP_CARE,
        record_window,
        _visits(VISIT_KINDS["inpatient"]),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "dental",
        _("Dental records"),  # 牙科健康存摺
        GROUP_CARE,
        record_window,
        _visits(VISIT_KINDS["dental"]),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "tcm",
        _("Chinese-medicine records"),  # 中醫健康存摺
        GROUP_CARE,
        record_window,
        _visits(VISIT_KINDS["tcm"]),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "labs",
        _("Laboratory results"),  # 檢驗(查)結果資料
        GROUP_CARE,
        record_window,
        labs.lab_results,
        lambda r: r.collected_on,
        monthly=True,
    ),
    Category(
        "reports",
        _("Imaging and pathology reports"),  # 影像或病理檢驗(查)報告
        GROUP_CARE,
        record_window,
        lambda p, w: labs.imaging_reports(p, w),
        lambda r: r.examined_on,
    ),
    Category(
        "discharge_summaries",
        _("Discharge summaries"),  # 出院病歷摘要
        GROUP_CARE,
        record_window,
        labs.discharge_summaries,
        lambda r: r.discharged_on,
    ),
    Category(
        "allergies",
        _("Allergies"),  # 過敏資料
        GROUP_CARE,
        allergy_window,
        personal.allergies,
        lambda r: r.recorded_on,
    ),
    Category(
        "wishes",
        _("Organ donation and hospice wishes"),  # 器官捐贈及安寧緩和醫療意願
        GROUP_CARE,
        _everything,
        lambda p, w: personal.care_wishes(p),
        lambda r: r.signed_on,
    ),
    Category(
        "vaccinations",
        _("Vaccinations"),  # 預防接種
        GROUP_CARE,
        vaccination_window,
        lambda p, w: list(health.vaccinations(p, w, ["-given_on"])),
        lambda r: r.given_on,
    ),
    Category(
        "preventive",
        _("Adult preventive care"),  # 成人預防保健
        GROUP_CARE,
        _everything,
        lambda p, w: labs.preventive_checks(p),
        lambda r: r.checked_on,
    ),
    Category(
        "calendar",
        _("My calendar"),  # 我的行事曆
        GROUP_OWN,
        _calendar_window,
        lambda p, w: calendar.events_between(p, w.start, w.end)[::-1],
        lambda r: r.date,
        monthly=True,
    ),
    Category(
        "measurements",
        _("My measurements"),  # 我的生理量測紀錄
        GROUP_OWN,
        record_window,
        health.measurements_between,
        lambda r: _local_date(r.measured_at),
        monthly=True,
    ),
)

BY_CODE = {category.code: category for category in CATEGORIES}
# The app's 申請本日資料 (seed 002): every category, merged, as a request stores it.
EVERYTHING = [{"code": category.code, "mode": "merged"} for category in CATEGORIES]


def category_choices(
    categories: Iterable[Category] = CATEGORIES, *, grouped: bool = False
) -> list[tuple[str, Any]]:
    """Choices for a form's checkboxes of categories (the app consent, family access): code
    and the seed's name, in the seed's order; `grouped`, under the seed's groups."""
    if not grouped:
        return [(category.code, category.label) for category in categories]
    groups: dict[str, list[tuple[str, StrOrPromise]]] = {}
    for category in categories:
        groups.setdefault(str(category.group), []).append((category.code, category.label))
    return list(groups.items())
