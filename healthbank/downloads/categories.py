"""The download page's categories (健康存摺明細), in the seed's order and groups, with the
period each covers and the rows each holds.

Each category reads its rows starting from the person, like every portal selector, and
over the same window as its portal page, so a package holds what the pages show. Rows
are model instances, newest first, with what the renderers (documents.py, fhir.py)
need already joined or prefetched:

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
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.bank.rules import (
    PREVENTIVE_CHECKS_SHOWN,
    Window,
    allergy_window,
    insurance_window,
    record_window,
    vaccination_window,
)
from healthbank.bank.selectors.visits import with_details
from healthbank.people.models import CardIssuance, Person, PremiumBill, PremiumPayment
from healthbank.records.models import (
    Allergy,
    CalendarEvent,
    CareWish,
    DischargeSummary,
    ImagingReport,
    LabResult,
    Measurement,
    PreventiveCheck,
    Vaccination,
    Visit,
)

GROUP_BILLING = _("Insurance billing")  # 保險計費
GROUP_PAYMENT = _("Insurance payments")  # 保險繳納
GROUP_CARE = _("Medical care")  # 醫療
GROUP_OWN = _("Entered by you")  # 自行輸入


@dataclass(frozen=True)
class Category:
    code: str  # in requests and file names' English form
    label: str  # the seed's 健康存摺明細 name; also the file name inside the ZIP
    group: str
    window: Callable[[dt.date], Window]
    rows: Callable[[Person, Window], list]
    date_of: Callable[[object], dt.date]  # the row's date: the monthly split and the period
    monthly: bool = False  # △: may be split into single months


def _visits(kinds: tuple[str, ...]) -> Callable[[Person, Window], list]:
    def rows(person: Person, window: Window) -> list[Visit]:
        visits = Visit.objects.filter(
            person=person, kind__in=kinds, visit_date__gte=window.start, visit_date__lte=window.end
        )
        return list(with_details(visits).order_by("-visit_date", "-pk"))

    return rows


def _between(queryset: QuerySet, field: str, window: Window) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": window.start, f"{field}__lte": window.end})


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
        lambda p, w: list(
            CardIssuance.objects.filter(person=p).select_related("card").order_by("-applied_on")
        ),
        lambda r: r.applied_on,
    ),
    Category(
        "premium_bills",
        _("Premium billing"),  # 保費計費明細
        GROUP_BILLING,
        insurance_window,
        lambda p, w: list(
            _between(PremiumBill.objects.filter(person=p), "month", w)
            .select_related("unit")
            .order_by("-month")
        ),
        lambda r: r.month,
    ),
    Category(
        "premium_payments",
        _("Premium payments"),  # 保險費繳納明細
        GROUP_PAYMENT,
        insurance_window,
        lambda p, w: list(
            _between(PremiumPayment.objects.filter(person=p), "paid_on", w)
            .select_related("bill")
            .order_by("-paid_on")
        ),
        lambda r: r.paid_on,
    ),
    Category(
        "outpatient",
        _("Western-medicine outpatient and pharmacy"),  # 門診資料
        GROUP_CARE,
        record_window,
        _visits((Visit.Kind.WESTERN, Visit.Kind.PHARMACY)),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "inpatient",
        _("Inpatient stays"),  # 住院資料
        GROUP_CARE,
        record_window,
        _visits((Visit.Kind.INPATIENT,)),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "dental",
        _("Dental records"),  # 牙科健康存摺
        GROUP_CARE,
        record_window,
        _visits((Visit.Kind.DENTAL,)),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "tcm",
        _("Chinese-medicine records"),  # 中醫健康存摺
        GROUP_CARE,
        record_window,
        _visits((Visit.Kind.TCM,)),
        lambda r: r.visit_date,
        monthly=True,
    ),
    Category(
        "labs",
        _("Laboratory results"),  # 檢驗(查)結果資料
        GROUP_CARE,
        record_window,
        lambda p, w: list(
            _between(LabResult.objects.filter(person=p), "collected_on", w)
            .select_related("item", "provider")
            .order_by("-collected_on", "item_id")
        ),
        lambda r: r.collected_on,
        monthly=True,
    ),
    Category(
        "reports",
        _("Imaging and pathology reports"),  # 影像或病理檢驗(查)報告
        GROUP_CARE,
        record_window,
        lambda p, w: list(
            _between(ImagingReport.objects.filter(person=p), "examined_on", w)
            .select_related("service", "body_site", "provider")
            .order_by("-examined_on")
        ),
        lambda r: r.examined_on,
    ),
    Category(
        "discharge_summaries",
        _("Discharge summaries"),  # 出院病歷摘要
        GROUP_CARE,
        record_window,
        lambda p, w: list(
            _between(DischargeSummary.objects.filter(person=p), "discharged_on", w)
            .select_related("provider", "visit")
            .order_by("-discharged_on")
        ),
        lambda r: r.discharged_on,
    ),
    Category(
        "allergies",
        _("Allergies"),  # 過敏資料
        GROUP_CARE,
        allergy_window,
        lambda p, w: list(
            _between(Allergy.objects.filter(person=p), "recorded_on", w)
            .select_related("provider", "drug")
            .order_by("-recorded_on")
        ),
        lambda r: r.recorded_on,
    ),
    Category(
        "wishes",
        _("Organ donation and hospice wishes"),  # 器官捐贈及安寧緩和醫療意願
        GROUP_CARE,
        _everything,
        lambda p, w: list(
            CareWish.objects.filter(person=p).select_related("provider").order_by("-signed_on")
        ),
        lambda r: r.signed_on,
    ),
    Category(
        "vaccinations",
        _("Vaccinations"),  # 預防接種
        GROUP_CARE,
        vaccination_window,
        lambda p, w: list(
            _between(Vaccination.objects.filter(person=p), "given_on", w)
            .select_related("vaccine", "provider")
            .order_by("-given_on")
        ),
        lambda r: r.given_on,
    ),
    Category(
        "preventive",
        _("Adult preventive care"),  # 成人預防保健
        GROUP_CARE,
        _everything,
        lambda p, w: list(
            PreventiveCheck.objects.filter(person=p)
            .select_related("provider")
            .order_by("-checked_on")[:PREVENTIVE_CHECKS_SHOWN]
        ),
        lambda r: r.checked_on,
    ),
    Category(
        "calendar",
        _("My calendar"),  # 我的行事曆
        GROUP_OWN,
        _calendar_window,
        lambda p, w: list(
            _between(CalendarEvent.objects.filter(person=p), "date", w).order_by("-date", "-time")
        ),
        lambda r: r.date,
        monthly=True,
    ),
    Category(
        "measurements",
        _("My measurements"),  # 我的生理量測紀錄
        GROUP_OWN,
        record_window,
        lambda p, w: list(
            Measurement.objects.filter(
                person=p,
                measured_at__date__gte=w.start,
                measured_at__date__lte=w.end,
            ).order_by("-measured_at", "kind")
        ),
        lambda r: _local_date(r.measured_at),
        monthly=True,
    ),
)

BY_CODE = {category.code: category for category in CATEGORIES}
# The app's 申請本日資料 (seed 002): every category, merged, as a request stores it.
EVERYTHING = [{"code": category.code, "mode": "merged"} for category in CATEGORIES]
