"""健康資料: measurements and reminders (生理量測與貼心叮嚀) and vaccinations (預防接種存摺)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from healthbank.bank import charts
from healthbank.bank.forms import MeasurementForm
from healthbank.bank.listing import Column, sorting
from healthbank.bank.portal import Portal, portal_page
from healthbank.core.templatetags.rocdate import rocdate, rocdatetime
from healthbank.records.measures import (
    BMI_UNIT,
    GLUCOSE_REFERENCE,
    HEART_RATE_REFERENCE,
    MEASURE,
    MEASURES,
    WAIST_LIMIT,
    Measure,
    bmi,
)
from healthbank.records.models import Measurement
from healthbank.records.rules import vaccination_window
from healthbank.records.selectors import health
from healthbank.records.selectors.reminders import reminders_for
from healthbank.records.services import add_measurements, delete_measurement

Kind = Measurement.Kind

MEASUREMENT_NOTES = (
    gettext_lazy(
        "Measurements are what you entered yourself here; they are not sent to any provider "
        "and providers' measurements are not shown. BMI is computed from your latest height "
        "and weight."
    ),
    gettext_lazy(
        "Reminders are suggestions computed from your records (dental scaling, chronic refill "
        "prescriptions and adult preventive checks); your provider's advice comes first."
    ),
)

# The period of the trend charts and the history table (?period=), the first the default.
PERIODS: dict[str, tuple[str | Promise, int | None]] = {
    "1y": (gettext_lazy("Past year"), 365),
    "3m": (gettext_lazy("Past 3 months"), 91),
    "3y": (gettext_lazy("Past 3 years"), 3 * 365),
    "all": (gettext_lazy("All"), None),
}
DEFAULT_PERIOD = "1y"

# Seed 000 (預防接種存摺), notes 1-3.
VACCINATION_NOTES = (
    gettext_lazy(
        "If you have questions about these data, please contact Taiwan CDC (02-23959825 ext. 3679)."
    ),
    gettext_lazy(
        "Taiwan CDC's national immunisation information system was completed at the end of "
        "2003 and holds everyone's vaccination records, so the records of people born after "
        "2003 are the most complete."
    ),
    gettext_lazy(
        "The records come from providers, uploaded through NHI or sent on paper, and from "
        "public health centres that enter the vaccinations they give. Providers take two "
        "weeks to a month to send them and records move between places of vaccination and "
        "of household registration, so the data are not real-time: recent vaccinations may "
        "be missing. The vaccinating provider's records prevail."
    ),
)


@dataclass
class Sitting:
    """The measurements entered for one time, with the BMI of that time's weight."""

    measured_at: dt.datetime
    values: dict[str, Measurement] = field(default_factory=dict)
    bmi: Decimal | None = None

    def row(self) -> list[Decimal | None]:
        """The values in the table's columns: the measures in order, BMI after weight."""
        row: list[Decimal | None] = []
        for measure in MEASURES:
            entry = self.values.get(measure.kind)
            row.append(entry.value if entry else None)
            if measure.kind == Kind.WEIGHT:
                row.append(self.bmi)
        return row

    def entries(self) -> list[tuple[Measure, Measurement]]:
        return [(m, self.values[m.kind]) for m in MEASURES if m.kind in self.values]


def _history_rows(sittings: list[Sitting]) -> list[dict]:
    """The history table's rows as display strings: the time, the values in the columns'
    order and each entry's delete button (its URL and label), made once per row here
    rather than by a URL reversal and a blocktranslate per entry in the template."""
    stem = reverse("bank:measurement_delete", args=[0]).removesuffix("0/delete/")
    rows = []
    for sitting in sittings:
        at = timezone.localtime(sitting.measured_at)
        rows.append(
            {
                "iso": date_filter(at, "c"),
                "at": rocdatetime(sitting.measured_at),
                "cells": [
                    "" if value is None else floatformat(value, "-1") for value in sitting.row()
                ],
                "deletes": [
                    (
                        f"{stem}{entry.pk}/delete/",
                        _("Delete %(label)s %(value)s %(unit)s")
                        % {
                            "label": measure.label,
                            "value": floatformat(entry.value, "-1"),
                            "unit": measure.unit,
                        },
                    )
                    for measure, entry in sitting.entries()
                ],
            }
        )
    return rows


def _columns() -> list[tuple[str | Promise, str | Promise]]:
    """The history table's value columns (label, unit), as Sitting.row() fills them."""
    columns = []
    for measure in MEASURES:
        columns.append((measure.label, measure.unit))
        if measure.kind == Kind.WEIGHT:
            columns.append((_("BMI"), BMI_UNIT))
    return columns


def _sittings(rows: list[Measurement], latest_height: Decimal | None) -> list[Sitting]:
    """Rows (newest first) by time; BMI from the height current then, else the latest."""
    by_time: dict[dt.datetime, Sitting] = {}
    for row in rows:
        by_time.setdefault(row.measured_at, Sitting(row.measured_at)).values[row.kind] = row
    sittings = list(by_time.values())
    height = None
    for sitting in reversed(sittings):  # oldest first, carrying the height forward
        if Kind.HEIGHT in sitting.values:
            height = sitting.values[Kind.HEIGHT].value
        if Kind.WEIGHT in sitting.values:
            sitting.bmi = bmi(height or latest_height, sitting.values[Kind.WEIGHT].value)
    return sittings


def _latest(latest: dict[str, Measurement]) -> list[dict]:
    """我【最近】的生理量測紀錄: each kind in the seed's order, BMI after weight."""
    items = []
    for measure in MEASURES:
        row = latest.get(measure.kind)
        items.append(
            {
                "label": measure.label,
                "unit": measure.unit,
                "value": row.value if row else None,
                "at": row.measured_at if row else None,
            }
        )
        if measure.kind == Kind.WEIGHT:
            height, weight = latest.get(Kind.HEIGHT), latest.get(Kind.WEIGHT)
            items.append(
                {
                    "label": _("BMI"),
                    "unit": BMI_UNIT,
                    "value": bmi(
                        height.value if height else None, weight.value if weight else None
                    ),
                    "at": max(height.measured_at, weight.measured_at)
                    if height and weight
                    else None,
                }
            )
    return items


def _series(sittings: list[Sitting], kinds: tuple[str, ...]) -> tuple[list[str], list]:
    """Chart labels and one list of values per kind, over the sittings that have any."""
    shown = [s for s in sittings if any(k in s.values for k in kinds)]
    labels = [rocdate(s.measured_at) for s in shown]
    values = [[s.values[k].value if k in s.values else None for s in shown] for k in kinds]
    return labels, values


def _charts(sittings: list[Sitting], sex: str) -> list[dict]:
    """歷史量測趨勢圖: blood pressure, weight and BMI, glucose, heart rate, waist."""
    oldest_first = sittings[::-1]
    found = []

    def add(key, caption, kinds, unit, low=None, high=None, extra=()):
        labels, values = _series(oldest_first, kinds)
        if not labels:
            return
        series = [(MEASURE[k].label, v) for k, v in zip(kinds, values, strict=True)]
        spec = charts.line(labels, [*series, *extra], low=low, high=high, unit=unit)
        found.append({"id": f"trend-{key}", "spec": spec, "caption": caption})

    add(
        "pressure",
        _("Blood pressure over time (mmHg)"),
        (Kind.SYSTOLIC, Kind.DIASTOLIC),
        "mmHg",
    )
    weighed = [s for s in oldest_first if Kind.WEIGHT in s.values]
    if any(s.bmi for s in weighed):
        add(
            "weight",
            _("Weight (kg) and BMI (kg/m²) over time"),
            (Kind.WEIGHT,),
            "",
            extra=[(_("BMI"), [s.bmi for s in weighed])],
        )
    else:
        add("weight", _("Weight over time (kg)"), (Kind.WEIGHT,), "kg")
    add(
        "glucose",
        _("Fasting blood glucose over time (mg/dL); dashed lines: 70 to 99 mg/dL"),
        (Kind.FASTING_GLUCOSE,),
        "mg/dL",
        low=GLUCOSE_REFERENCE[0],
        high=GLUCOSE_REFERENCE[1],
    )
    add(
        "heart-rate",
        _("Heart rate over time (beats/min); dashed lines: 60 to 100 at rest"),
        (Kind.HEART_RATE,),
        str(MEASURE[Kind.HEART_RATE].unit),
        low=HEART_RATE_REFERENCE[0],
        high=HEART_RATE_REFERENCE[1],
    )
    waist_limit = WAIST_LIMIT.get(sex)
    add(
        "waist",
        _("Waist over time (cm); dashed line: %(limit)s cm, above which the waist is too wide")
        % {"limit": waist_limit}
        if waist_limit
        else _("Waist over time (cm)"),
        (Kind.WAIST,),
        "cm",
        high=waist_limit,
    )
    return found


@portal_page
def measurements(request: HttpRequest, portal: Portal) -> HttpResponse:
    person = portal.subject
    if request.method == "POST":
        form = MeasurementForm(request.POST, person=person)
        if form.is_valid():
            saved = add_measurements(
                person=person, measured_at=form.cleaned_data["measured_at"], values=form.values
            )
            messages.success(
                request,
                ngettext(
                    "Saved %(count)s measurement of %(when)s.",
                    "Saved %(count)s measurements of %(when)s.",
                    len(saved),
                )
                % {"count": len(saved), "when": rocdatetime(form.cleaned_data["measured_at"])},
            )
            return redirect("bank:measurements")
    else:
        form = MeasurementForm(person=person)

    period = request.GET.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    days = PERIODS[period][1]
    since = timezone.now() - dt.timedelta(days=days) if days else None

    latest = health.latest_measurements(person)
    height = latest.get(Kind.HEIGHT)
    latest_height = height.value if height else None
    sittings = _sittings(health.measurement_history(person, since), latest_height)
    query = request.GET.copy()
    periods = []
    for key, (label, _days) in PERIODS.items():
        query["period"] = key
        periods.append({"label": label, "url": "?" + query.urlencode(), "current": key == period})
    return render(
        request,
        "bank/health/measurements.html",
        {
            "form": form,
            "latest": _latest(latest) if latest else [],
            "columns": _columns(),
            "sittings": _history_rows(sittings),
            "charts": _charts(sittings, person.sex),
            "periods": periods,
            "period": period,
            "period_label": PERIODS[period][0],
            "reminders": reminders_for(person, portal.today),
            "notes": MEASUREMENT_NOTES,
        },
    )


@require_POST
@portal_page
def measurement_delete(request: HttpRequest, portal: Portal, pk: int) -> HttpResponse:
    try:
        delete_measurement(person=portal.subject, pk=pk)
    except Measurement.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The measurement was deleted."))
    url = reverse("bank:measurements")
    period = request.POST.get("period")
    return redirect(f"{url}?period={period}" if period in PERIODS else url)


VACCINATION_COLUMNS = (
    Column("date", gettext_lazy("Vaccination date"), ("given_on",)),
    Column("code", gettext_lazy("Vaccine code"), ("vaccine_id",)),
    Column("vaccine", gettext_lazy("Vaccine"), ("vaccine__name_zh",)),
    Column("provider", gettext_lazy("Provider"), ("provider__name",)),
)


@portal_page
def vaccinations(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = vaccination_window(portal.today)
    sort = sorting(request, VACCINATION_COLUMNS, "-date")
    order_by = sort.order_by
    if sort.key == "vaccine" and (translation.get_language() or "").startswith("en"):
        order_by = [f.replace("name_zh", "name_en") for f in order_by]
    return render(
        request,
        "bank/health/vaccinations.html",
        {
            "window": window,
            "vaccinations": list(health.vaccinations(portal.subject, window, order_by)),
            "headers": sort.headers(request),
            "notes": VACCINATION_NOTES,
        },
    )
