"""A person's test results (檢驗檢查結果), imaging and pathology reports, discharge summaries
and adult preventive checks (成人預防保健): every query starts from the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from healthbank.codes.models import LabItem
from healthbank.core.prepared import PreparedQuery
from healthbank.people.models import Person
from healthbank.records.models import DischargeSummary, ImagingReport, LabResult, PreventiveCheck
from healthbank.records.rules import PREVENTIVE_CHECKS_SHOWN, Status, Window, result_status

# Seed 000 (血糖、血脂檢驗資料): HbA1c and fasting glucose first, then the lipids under 血脂檢查.
GLUCOSE_CODES = ("09006C", "09005C")
LIPID_CODES = ("09001C", "09004C", "09043C", "09044C")
PANEL_ORDER = tuple(LabItem.Panel.values)


@dataclass(frozen=True)
class ItemHistory:
    """One lab item's results in the window, newest first (never empty)."""

    item: LabItem
    results: list[LabResult]

    @property
    def latest(self) -> LabResult:
        return self.results[0]

    @property
    def previous(self) -> LabResult | None:
        return self.results[1] if len(self.results) > 1 else None

    @property
    def status(self) -> str:
        return result_status(self.latest)

    @property
    def previous_status(self) -> str:
        return result_status(self.previous) if self.previous else Status.NORMAL

    @property
    def change(self) -> Decimal | None:
        """Latest minus previous, when both are numbers (與過去比較), without trailing zeros."""
        previous = self.previous
        if previous is None or previous.value is None or self.latest.value is None:
            return None
        change = self.latest.value - previous.value
        return change.quantize(Decimal(1)) if change == change.to_integral() else change.normalize()

    @property
    def marked(self) -> list[tuple[LabResult, str]]:
        """Each result with its out-of-range status, newest first."""
        return [(r, result_status(r)) for r in self.results]

    @property
    def chronological(self) -> list[LabResult]:
        return self.results[::-1]

    @property
    def numeric(self) -> bool:
        return any(r.value is not None for r in self.results)


def _results(person: Person, window: Window) -> QuerySet[LabResult]:
    return LabResult.objects.filter(
        person=person, collected_on__range=(window.start, window.end)
    ).select_related("item", "provider")


def _histories(results: Iterable[LabResult]) -> dict[str, ItemHistory]:
    """Group results ordered by item, newest first, into each item's history."""
    out: dict[str, ItemHistory] = {}
    for result in results:
        history = out.get(result.item_id)
        if history is None:
            out[result.item_id] = ItemHistory(result.item, [result])
        else:
            history.results.append(result)
    return out


def latest_results(
    person: Person, codes: Iterable[str], window: Window, *, numeric: Iterable[str] = ()
) -> dict[str, LabResult]:
    """The latest result of each item code the person has in the window (one query). For
    codes in `numeric`, only results with a number count."""
    codes, numeric = list(codes), set(numeric)
    latest: dict[str, LabResult] = {}
    results = (
        _results(person, window).filter(item__in=codes).order_by("item_id", "-collected_on", "-id")
    )
    for result in results:
        if result.item_id in numeric and result.value is None:
            continue
        latest.setdefault(result.item_id, result)
    return latest


def glucose_lipid_histories(
    person: Person, window: Window
) -> tuple[list[tuple[LabItem, ItemHistory | None]], list[tuple[LabItem, ItemHistory | None]]]:
    """Every glucose and lipid item with the person's history of it (None when there is
    none), as the seed's two groups: glucose, then lipids. Two queries: items and results."""
    items = {i.code: i for i in LabItem.objects.filter(panel=LabItem.Panel.GLUCOSE_LIPID)}
    histories = _histories(
        _results(person, window)
        .filter(item__panel=LabItem.Panel.GLUCOSE_LIPID)
        .order_by("item_id", "-collected_on", "-id")
    )
    rank = {code: i for i, code in enumerate(GLUCOSE_CODES + LIPID_CODES)}
    ordered = sorted(items.values(), key=lambda i: (rank.get(i.code, len(rank)), i.code))
    glucose = [(i, histories.get(i.code)) for i in ordered if i.code in GLUCOSE_CODES]
    lipids = [(i, histories.get(i.code)) for i in ordered if i.code not in GLUCOSE_CODES]
    return glucose, lipids


def other_lab_histories(person: Person, window: Window) -> list[tuple[str, list[ItemHistory]]]:
    """The person's other lab items (not glucose or lipids) grouped by panel in the
    model's panel order, each item with its results newest first (one query)."""
    histories = _histories(
        _results(person, window)
        .exclude(item__panel=LabItem.Panel.GLUCOSE_LIPID)
        .order_by("item_id", "-collected_on", "-id")
    )
    by_panel: dict[str, list[ItemHistory]] = {}
    for history in histories.values():
        by_panel.setdefault(history.item.panel, []).append(history)
    return [(panel, by_panel[panel]) for panel in PANEL_ORDER if panel in by_panel]


def lab_results(person: Person, window: Window) -> list[LabResult]:
    """Every result the person has in the window, newest first by item, with item and
    provider: a downloaded package's 檢驗(查)結果資料."""
    return list(_results(person, window).order_by("-collected_on", "item_id"))


def _lab_list(person: int, start: dt.date, end: dt.date) -> QuerySet[Any, Any]:
    results = LabResult.objects.filter(person=person, collected_on__range=(start, end))
    return results.order_by("-collected_on", "item_id").values(
        "id",
        "collected_on",
        "value_text",
        "flag",
        item_name_zh=F("item__name_zh"),
        item_name_en=F("item__name_en"),
        item_unit=F("item__unit"),
        provider_name=F("provider__name"),
    )


# Read on every lab list the app opens: built once per process (core/prepared.py).
_lab_list_query = PreparedQuery(_lab_list, person=int, start=dt.date, end=dt.date)


def lab_list_rows(person: Person, window: Window) -> list[Mapping[str, Any]]:
    """The same results as `lab_results`, in the same order, as plain rows of what a list
    shows (id, collected_on, value_text, flag, the item's names and unit, the provider's
    name): one query and no model instances, for the app's record lists."""
    return list(_lab_list_query(person=person.pk, start=window.start, end=window.end))


def lab_result(person: Person, window: Window, pk: int) -> LabResult | None:
    """One of `lab_results`' results, by id, with item and provider; None if it is not
    among them (another person's, outside the window). One query."""
    return _results(person, window).filter(pk=pk).first()


def lab_item(code: str) -> LabItem | None:
    return LabItem.objects.filter(code=code).first()


def item_results(person: Person, item: LabItem, window: Window) -> list[LabResult]:
    """Every result of one item the person has in the window, oldest first."""
    return list(_results(person, window).filter(item=item).order_by("collected_on", "id"))


def imaging_reports(
    person: Person,
    window: Window,
    *,
    kind: str | None = None,
    order_by: Iterable[str] = ("-examined_on",),
) -> list[ImagingReport]:
    """Imaging and pathology reports of the window (of one kind with `kind`), with service,
    body site and provider."""
    reports = ImagingReport.objects.filter(
        person=person, examined_on__range=(window.start, window.end)
    )
    if kind:
        reports = reports.filter(kind=kind)
    return list(
        reports.select_related("service", "body_site", "provider").order_by(*order_by, "-id")
    )


def discharge_summaries(person: Person, window: Window) -> list[DischargeSummary]:
    """Discharge summaries of the window, newest first, with provider and visit."""
    return list(
        DischargeSummary.objects.filter(
            person=person, discharged_on__range=(window.start, window.end)
        )
        .select_related("provider", "visit")
        .order_by("-discharged_on", "-id")
    )


def discharge_summary(person: Person, pk: int) -> DischargeSummary:
    """One of the person's discharge summaries, or 404 (whoever else's it is)."""
    return get_object_or_404(
        DischargeSummary.objects.filter(person=person).select_related("provider"), pk=pk
    )


def preventive_checks(person: Person) -> list[PreventiveCheck]:
    """The person's latest adult preventive checks, newest first (seed: the last two)."""
    return list(
        PreventiveCheck.objects.filter(person=person)
        .select_related("provider")
        .order_by("-checked_on", "-id")[:PREVENTIVE_CHECKS_SHOWN]
    )
