"""Test results (檢驗檢查結果): glucose and lipids, other tests, one test over time, imaging
and pathology reports, discharge summaries; and adult preventive care (成人預防保健存摺)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from healthbank.bank import charts
from healthbank.bank.listing import Column, sorting
from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.presenters import labs as presenters
from healthbank.bank.presenters.visits import record_urls
from healthbank.codes.models import LabItem
from healthbank.core.templatetags.rocdate import rocdate
from healthbank.records.models import CheckResult, ImagingReport, PreventiveCheck, Serology
from healthbank.records.preventive import PREVENTIVE_SECTIONS, Field
from healthbank.records.rules import record_window, result_status
from healthbank.records.selectors import labs
from healthbank.records.selectors.labs import ItemHistory

LAB_NOTES = (
    _(
        "Data source: test results that contracted providers upload to the NHIA. Providers "
        "upload them when they can, so some results may appear later or not at all."
    ),
    _(
        "A result is marked High ↑, Low ↓ or Abnormal when the provider flagged it or when it "
        "lies outside the reference range shown. Reference ranges are for adults and may "
        "differ between laboratories."
    ),
    _("If you have questions about a result, please ask the provider that did the test."),
)
REPORT_NOTES = (
    _(
        "Data source: imaging and pathology reports that contracted providers upload to the "
        "NHIA. Some reports may appear later or not at all."
    ),
    _("If you have questions about a report, please ask the provider that wrote it."),
)
DISCHARGE_NOTES = (
    _(
        "Data source: summaries of NHI-covered inpatient stays (not self-paid ones) that "
        "contracted providers upload to the NHIA. If a summary is missing, you can ask the "
        "hospital to upload it."
    ),
    _("If you have questions about a summary, please ask the hospital."),
)
# Seed 000 (成人預防保健存摺), notes 1, 2, 4 and 5; note 3 is the shared source note's last line.
PREVENTIVE_NOTES = (
    _(
        "If you have questions about these data, please ask the provider that did the check "
        "or the Health Promotion Administration (02-25220888)."
    ),
    _(
        "These data are what contracted providers report to the Health Promotion "
        "Administration, Ministry of Health and Welfare. They must send the results within "
        "sixty days from the first day of the month after the check, so a check may appear "
        "late, and in special cases not at all. Providers type the results in by hand, so "
        "some values may be missing or wrong."
    ),
    _("Only your two most recent adult preventive checks are shown."),
    _(
        "For more about health checks, see the free health checks pages on the Health "
        "Promotion Administration's website."
    ),
)


def _item_chart(item: LabItem, results) -> dict:
    """A line of one item's values over time with its reference range."""
    return charts.line(
        [rocdate(r.collected_on) for r in results],
        [(item.name, [r.value for r in results])],
        low=item.reference_low,
        high=item.reference_high,
        unit=item.unit,
    )


def _rows_with_missing(items: list[tuple[LabItem, ItemHistory | None]]) -> list[dict]:
    """The result rows of these items, an item without results as a `missing` row."""
    found = iter(presenters.result_rows([h for _item, h in items if h is not None]))
    return [
        next(found)
        if history is not None
        else {
            "missing": True,
            "name": item.name,
            "short_name": item.short_name,
            "reference_text": item.reference_text,
        }
        for item, history in items
    ]


@portal_page
def glucose_lipids(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = record_window(portal.today)
    glucose, lipids = labs.glucose_lipid_histories(portal.subject, window)
    groups = [
        {"title": _("Blood glucose"), "rows": _rows_with_missing(glucose)},
        {"title": _("Blood lipids"), "rows": _rows_with_missing(lipids)},
    ]
    trend_url = record_urls("bank:lab_trend")
    trends = [
        {
            "item": item,
            "history": history,
            "spec": _item_chart(item, history.chronological),
            "values": presenters.chart_values(history),
            "url": trend_url(item.code),
        }
        for item, history in glucose + lipids
        if history is not None
    ]
    return render(
        request,
        "bank/labs/glucose_lipids.html",
        {"window": window, "notes": LAB_NOTES, "groups": groups, "trends": trends},
    )


@portal_page
def other_labs(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = record_window(portal.today)
    panels = dict(LabItem.Panel.choices)
    groups = [
        {"title": panels[panel], "rows": presenters.result_rows(histories)}
        for panel, histories in labs.other_lab_histories(portal.subject, window)
    ]
    return render(
        request,
        "bank/labs/other_labs.html",
        {"window": window, "notes": LAB_NOTES, "groups": groups},
    )


@portal_page
def lab_trend(request: HttpRequest, portal: Portal, code: str) -> HttpResponse:
    window = record_window(portal.today)
    item = labs.lab_item(code)
    results = labs.item_results(portal.subject, item, window) if item else []
    numeric = any(r.value is not None for r in results)
    return render(
        request,
        "bank/labs/trend.html",
        {
            "window": window,
            "notes": LAB_NOTES,
            "item": item,
            "rows": [(r, result_status(r)) for r in reversed(results)],
            "spec": _item_chart(item, results) if numeric and item else None,
            "back": "bank:glucose_lipids"
            if item and item.panel == LabItem.Panel.GLUCOSE_LIPID
            else "bank:other_labs",
        },
    )


REPORT_COLUMNS = (
    Column("date", _("Exam date"), ("examined_on",)),
    Column("kind", _("Kind"), ("kind", "-examined_on")),
    Column("exam", _("Exam"), ("service__name_zh", "-examined_on")),
    Column("site", _("Body site"), ("body_site__name_zh", "-examined_on")),
    Column("provider", _("Provider"), ("provider__name", "-examined_on")),
)


@portal_page
def reports(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = record_window(portal.today)
    kind = request.GET.get("kind")
    if kind not in ImagingReport.Kind.values:
        kind = None  # an unknown kind lists every report
    sort = sorting(request, REPORT_COLUMNS, "-date")
    rows = labs.imaging_reports(portal.subject, window, kind=kind, order_by=sort.order_by)
    query = request.GET.copy()
    kinds = []
    for value, label in ((None, _("All")), *ImagingReport.Kind.choices):
        if value:
            query["kind"] = value
        else:
            query.pop("kind", None)
        kinds.append({"label": label, "url": "?" + query.urlencode(), "current": value == kind})
    return render(
        request,
        "bank/labs/reports.html",
        {
            "window": window,
            "notes": REPORT_NOTES,
            "reports": rows,
            "kind": kind,
            "kinds": kinds,
            "headers": sort.headers(request),
        },
    )


@portal_page
def discharge_summaries(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = record_window(portal.today)
    return render(
        request,
        "bank/labs/discharge_summaries.html",
        {
            "window": window,
            "notes": DISCHARGE_NOTES,
            "summaries": labs.discharge_summaries(portal.subject, window),
        },
    )


@portal_page
def discharge_summary(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    return render(
        request,
        "bank/labs/discharge_summary.html",
        {"notes": DISCHARGE_NOTES, "summary": labs.discharge_summary(portal.subject, pk)},
    )


def _cell(check: PreventiveCheck, field: Field) -> dict:
    value = getattr(check, field.attr)
    if field.kind == "value":
        return {"text": "" if value in (None, "") else value, "status": ""}
    text = getattr(check, f"get_{field.attr}_display")()
    status = {
        CheckResult.NORMAL: "normal",
        CheckResult.ABNORMAL: "abnormal",
        Serology.NEGATIVE: "normal",
        Serology.POSITIVE: "abnormal",
    }.get(value, "not-done")
    return {"text": text, "status": status}


@portal_page
def preventive(request: HttpRequest, portal: Portal) -> HttpResponse:
    checks = labs.preventive_checks(portal.subject)
    sections = [
        {
            "title": title,
            "rows": [
                {"field": field, "cells": [_cell(check, field) for check in checks]}
                for field in fields
            ],
        }
        for title, fields in PREVENTIVE_SECTIONS
    ]
    return render(
        request,
        "bank/labs/preventive.html",
        {"notes": PREVENTIVE_NOTES, "checks": checks, "sections": sections},
    )
