"""Chart specifications for the portal's Chart.js charts (bank/charts.js draws them).

A view builds a spec here and the template passes it on with `json_script`; slices and bars
may carry links, so that clicking one filters the list below, as the seed's charts do.
Every chart also has a text equivalent in the page (its table or list), for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _

# Colour-blind-safe (Okabe–Ito) order, so that slices stay apart without relying on red/green.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float, Decimal)) else None


def pie(labels: Sequence[str], values: Sequence[int], links: Sequence[str] = ()) -> dict:
    return {
        "type": "doughnut",
        "labels": [str(label) for label in labels],
        "datasets": [{"data": list(values), "backgroundColor": list(PALETTE[: len(values)])}],
        "links": list(links),
    }


def bar(
    labels: Sequence[str], values: Sequence[int], *, label: str, links: Sequence[str] = ()
) -> dict:
    return {
        "type": "bar",
        "labels": [str(x) for x in labels],
        "datasets": [{"label": str(label), "data": list(values), "backgroundColor": PALETTE[0]}],
        "links": list(links),
    }


def line(
    labels: Sequence[str],
    series: Sequence[tuple[str | Promise, Sequence]],
    *,
    low: Decimal | float | None = None,
    high: Decimal | float | None = None,
    unit: str = "",
) -> dict:
    """One line per series over the same dates; `low`/`high` draw the reference range."""
    datasets = [
        {
            "label": str(name),
            "data": [_number(v) for v in values],
            "borderColor": PALETTE[i % len(PALETTE)],
            "backgroundColor": PALETTE[i % len(PALETTE)],
            "spanGaps": True,
        }
        for i, (name, values) in enumerate(series)
    ]
    for bound, name in (
        (low, _("Reference range, lower limit")),
        (high, _("Reference range, upper limit")),
    ):
        if bound is not None:
            datasets.append(
                {
                    "label": name,
                    "data": [_number(bound)] * len(labels),
                    "borderColor": "#6b7b83",
                    "borderDash": [6, 4],
                    "pointRadius": 0,
                    "fill": False,
                }
            )
    return {"type": "line", "labels": [str(x) for x in labels], "datasets": datasets, "unit": unit}
