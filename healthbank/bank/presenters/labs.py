"""The lab tables' cells (檢驗檢查結果) as display strings: each item's latest and previous
result with their out-of-range flag, the change between them and the chart's values, made
once here rather than through nested includes per cell."""

from __future__ import annotations

from typing import Any

from django.utils.formats import localize
from django.utils.translation import gettext as _

from healthbank.bank.presenters.visits import record_urls
from healthbank.codes.models import LabItem
from healthbank.core.templatetags.rocdate import isodate, rocdate
from healthbank.records.models import LabResult
from healthbank.records.rules import Status, result_status
from healthbank.records.selectors.labs import ItemHistory


def _flags() -> dict[str, str]:
    return {
        Status.HIGH: _("High ↑"),
        Status.LOW: _("Low ↓"),
        Status.ABNORMAL: _("Abnormal !"),
    }


def _value(result: LabResult, item: LabItem, status: str, flags: dict[str, str]) -> dict:
    """A result as reported with the item's unit, and its out-of-range flag ("" if none)."""
    unit = f" {item.unit}" if item.unit and result.value is not None else ""
    return {"text": f"{result.value_text}{unit}", "status": status, "flag": flags.get(status, "")}


def _change(history: ItemHistory) -> dict[str, str]:
    """與過去比較: `kind` is up, down, zero, same, changed or first (no earlier result)."""
    change, previous = history.change, history.previous
    if change is None:
        if previous is None:
            return {"kind": "first", "text": _("No earlier result")}
        if history.latest.value_text == previous.value_text:
            return {"kind": "same", "text": _("Same")}
        return {"kind": "changed", "text": _("Changed")}
    if change > 0:
        text = _("higher than the previous result")
        return {"kind": "up", "value": localize(change), "text": text}
    if change < 0:
        text = _("lower than the previous result")
        return {"kind": "down", "value": localize(change), "text": text}
    return {"kind": "zero", "text": _("same as the previous result")}


def result_rows(histories: list[ItemHistory]) -> list[dict[str, Any]]:
    """Each item's row of a result table (bank/labs/result_row.html)."""
    flags, trend_url = _flags(), record_urls("bank:lab_trend")
    rows = []
    for history in histories:
        item, latest, previous = history.item, history.latest, history.previous
        rows.append(
            {
                "code": item.code,
                "name": item.name,
                "short_name": item.short_name,
                "reference_text": item.reference_text,
                "iso": isodate(latest.collected_on),
                "date": rocdate(latest.collected_on),
                "latest": _value(latest, item, history.status, flags),
                "previous": _value(previous, item, history.previous_status, flags)
                if previous
                else None,
                "previous_iso": isodate(previous.collected_on) if previous else "",
                "previous_date": rocdate(previous.collected_on) if previous else "",
                "change": _change(history),
                "trend_url": trend_url(item.code),
            }
        )
    return rows


def chart_values(history: ItemHistory) -> list[dict[str, Any]]:
    """The chart's numbers as text (bank/labs/values.html): every result, newest first."""
    flags = _flags()
    return [
        {"date": rocdate(r.collected_on), "value": _value(r, history.item, result_status(r), flags)}
        for r in history.results
    ]
