"""A month of 我的行事曆 (bank/includes/month.html) as display strings: the grid's days and
the month's list of entries, with their links, made once here rather than per cell."""

from __future__ import annotations

from typing import Any

from healthbank.bank.presenters.visits import record_urls
from healthbank.core.templatetags.rocdate import isodate, rocdate
from healthbank.records.selectors.calendar import Entry, Month


def month_rows(month: Month) -> dict[str, Any]:
    """`weeks` (lists of days, each with its entries) and `entries` (the month's own)."""
    visit_url, edit_url = record_urls("bank:visit"), record_urls("bank:event_edit")
    delete_url = record_urls("bank:event_delete")
    made: dict[int, dict[str, Any]] = {}

    def entry(e: Entry) -> dict[str, Any]:
        if id(e) not in made:
            diagnosis = e.visit.primary_diagnosis if e.visit else None
            url = visit_url(e.visit.pk) if e.visit else edit_url(e.event.pk) if e.event else ""
            made[id(e)] = {
                "kind": e.kind,
                "title": e.title,
                "detail": e.detail,
                "iso": isodate(e.date),
                "date": rocdate(e.date),
                "end_iso": isodate(e.end),
                "end": rocdate(e.end),
                "time": f"{e.time:%H:%M}" if e.time else "",
                "url": url,  # a visit's detail, or an own event's edit page
                "delete_url": delete_url(e.event.pk) if e.event else "",
                "diagnosis": diagnosis.name if diagnosis else "",
            }
        return made[id(e)]

    return {
        "weeks": [
            [
                {
                    "iso": isodate(day.date),
                    "number": day.date.day,
                    "in_month": day.in_month,
                    "is_today": day.is_today,
                    "entries": [entry(e) for e in day.entries],
                }
                for day in week
            ]
            for week in month.weeks
        ],
        "entries": [entry(e) for e in month.entries],
    }
