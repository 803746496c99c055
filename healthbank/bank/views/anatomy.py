"""Dental visits on tooth charts (牙醫門診資料) and surgeries on a body figure (手術資料).

The charts are inline SVG drawn by the templates; this module places the teeth (FDI notation,
as a dentist's chart faces the patient: the patient's right on the left) and counts the
records on each tooth and body region. Clicking a tooth or region is a plain link with
?tooth= or ?site=, so every filtered list is a URL and works without JavaScript.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from healthbank.bank.listing import Column, Sorting, sorting
from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.rules import record_window
from healthbank.bank.selectors import anatomy
from healthbank.codes.models import BodySite, ToothPosition
from healthbank.people.models import Sex

# Seed 000's dental note: "若需了解各院所牙醫醫療品質，可至全民健康保險醫療品質資訊公開網查詢".
NHI_QUALITY_URL = "https://www.nhi.gov.tw/"
# Primary teeth give way to permanent ones by about 12: younger children see their chart first.
PRIMARY_DENTITION_UNTIL = 12


def _name_field(prefix: str) -> str:
    """The code table's name column in the reader's language, for sorting by name."""
    english = (translation.get_language() or "").startswith("en")
    return f"{prefix}__name_en" if english else f"{prefix}__name_zh"


def _link(request: HttpRequest, key: str, value: str) -> str:
    """This page's URL with ?key=value (or without key), keeping the sort order."""
    query = request.GET.copy()
    query.pop(key, None)
    if value:
        query[key] = value
    return "?" + query.urlencode() if query else "?"


def _sort_value(sort: Sorting) -> str:
    """The list's current order as ?sort= spells it, kept by the filter forms."""
    return f"-{sort.key}" if sort.descending else sort.key


# ---------------------------------------------------------------------------------------------
# Tooth charts


@dataclass(frozen=True)
class Arch:
    """Half an ellipse the teeth of one jaw sit on, in the chart's viewBox units."""

    cx: float
    cy: float
    rx: float
    ry: float
    upper: bool

    def point(self, t: float) -> tuple[float, float]:
        # t from 0 (viewer's left end) to 1 (right end), over the front teeth at t = 0.5.
        angle = math.pi * (1 - t)
        dy = self.ry * math.sin(angle)
        return self.cx + self.rx * math.cos(angle), self.cy - dy if self.upper else self.cy + dy


VIEWBOX_WIDTH = 280
# Display widths (not anatomical ones: every tooth must hold its two-digit number), by the
# tooth's digit within its quadrant, 1 = central incisor.
WIDTHS = {
    ToothPosition.Dentition.PERMANENT: {1: 7.5, 2: 7, 3: 7.5, 4: 7.5, 5: 7.5, 6: 9, 7: 9, 8: 8.5},
    ToothPosition.Dentition.PRIMARY: {1: 7, 2: 7, 3: 7.5, 4: 8, 5: 9},
}
ARCHES = {
    ToothPosition.Dentition.PERMANENT: (
        Arch(140, 118, 90, 100, upper=True),
        Arch(140, 142, 90, 100, upper=False),
    ),
    ToothPosition.Dentition.PRIMARY: (
        Arch(140, 122, 62, 68, upper=True),
        Arch(140, 138, 62, 68, upper=False),
    ),
}
# Quadrants from the viewer's left to right: upper right (1/5), upper left (2/6); lower right
# (4/8), lower left (3/7).
QUADRANTS = {
    ToothPosition.Dentition.PERMANENT: ((1, 2), (4, 3)),
    ToothPosition.Dentition.PRIMARY: ((5, 6), (8, 7)),
}
GAP = 0.7  # between neighbouring teeth


def _arch_codes(quadrants: tuple[int, int], per_quadrant: int) -> list[str]:
    right, left = quadrants
    return [f"{right}{n}" for n in range(per_quadrant, 0, -1)] + [
        f"{left}{n}" for n in range(1, per_quadrant + 1)
    ]


def _place(arch: Arch, codes: list[str], widths: dict[int, float]) -> list[dict]:
    """Each tooth's centre, radius and the spot for its ● (on the inner side of the arch)."""
    steps = 600
    points = [arch.point(i / steps) for i in range(steps + 1)]
    lengths = [0.0]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
    tooth_widths = [widths[int(code[1])] for code in codes]
    scale = lengths[-1] / sum(tooth_widths)
    placed, start = [], 0.0
    for code, width in zip(codes, tooth_widths, strict=True):
        target = (start + width / 2) * scale
        start += width
        x, y = points[min(bisect.bisect_left(lengths, target), len(points) - 1)]
        # Towards the inside of the arch: against the ellipse's outward normal.
        nx, ny = (x - arch.cx) / arch.rx**2, (y - arch.cy) / arch.ry**2
        norm = math.hypot(nx, ny) or 1.0
        r = width * scale / 2 - GAP
        placed.append(
            {
                "code": code,
                "x": round(x, 1),
                "y": round(y, 1),
                "r": round(r, 1),
                "dot_x": round(x - nx / norm * (r + 5), 1),
                "dot_y": round(y - ny / norm * (r + 5), 1),
            }
        )
    return placed


@functools.cache
def _layout(dentition: str) -> tuple[tuple[dict, ...], int, int]:
    """Where a dentition's teeth sit (the same for everyone), and the chart's top and bottom."""
    upper, lower = ARCHES[dentition]
    upper_quadrants, lower_quadrants = QUADRANTS[dentition]
    widths = WIDTHS[dentition]
    per_quadrant = len(widths)
    placed = _place(upper, _arch_codes(upper_quadrants, per_quadrant), widths) + _place(
        lower, _arch_codes(lower_quadrants, per_quadrant), widths
    )
    # The viewBox hugs the teeth, so that the smaller primary arches are not lost in white.
    top = math.floor(min(t["y"] - t["r"] for t in placed)) - 4
    bottom = math.ceil(max(t["y"] + t["r"] for t in placed)) + 4
    return tuple(placed), top, bottom


def tooth_chart(
    request: HttpRequest,
    dentition: str,
    teeth: dict[str, ToothPosition],
    visits_by_tooth: dict[str, int],
    selected: str | None,
) -> dict:
    """One dentition's chart: every tooth with its link, label and whether it has visits."""
    upper, lower = ARCHES[dentition]
    layout, top, bottom = _layout(dentition)
    placed = [dict(tooth) for tooth in layout]
    for tooth in placed:
        code = tooth["code"]
        visits = visits_by_tooth.get(code, 0)
        name = teeth[code].name if code in teeth else ""
        label = (
            ngettext(
                "%(tooth)s: %(count)d dental visit", "%(tooth)s: %(count)d dental visits", visits
            )
            if visits
            else _("%(tooth)s: no dental visits")
        ) % {"tooth": f"{code} {name}".strip(), "count": visits}
        if code == selected:
            label += " " + _("(selected)")
        tooth.update(
            visits=visits,
            selected=code == selected,
            label=label,
            href=_link(request, "tooth", code),
        )
    marked = sum(1 for t in placed if t["visits"])
    permanent = dentition == ToothPosition.Dentition.PERMANENT
    return {
        "id": f"teeth-{dentition}",
        "dentition": dentition,
        "title": _("Adult teeth (permanent)") if permanent else _("Child teeth (primary)"),
        "teeth": placed,
        "marked": marked,
        "has_selected": any(t["selected"] for t in placed),
        "top": top,
        "width": VIEWBOX_WIDTH,
        "height": bottom - top,
        "middle": round((upper.cy + lower.cy) / 2, 1),
        "upper_y": round(upper.cy - upper.ry / 3, 1),
        "lower_y": round(lower.cy + lower.ry / 3, 1),
        "cx": upper.cx,
    }


DENTAL_NOTES = (
    gettext_lazy("● marks a tooth with dental visits in this period."),
    gettext_lazy(
        "The charts face you as a dentist's chart does: the person's right side is on the left."
    ),
)


def _dental_notes() -> list:
    return [
        *DENTAL_NOTES,
        format_html(
            '{} <a href="{}" rel="noopener" target="_blank">{}</a>{}',
            _("To compare dental providers' quality, see the"),
            NHI_QUALITY_URL,
            _("NHI Healthcare Quality Information website"),
            _(
                " (choose an indicator to open its explanation page, then use Advanced search "
                "or Map search at the bottom of that page)."
            ),
        ),
    ]


@portal_page
def dental(request: HttpRequest, portal: Portal) -> HttpResponse:
    person = portal.subject
    window = record_window(portal.today)
    teeth = anatomy.tooth_positions()
    visits_by_tooth = anatomy.dental_visits_by_tooth(person, window)

    wanted = request.GET.get("tooth", "").strip()
    selected = wanted if wanted in teeth else None

    columns = (
        Column("date", _("Visit date"), ("visit_date",)),
        Column("provider", _("Provider"), ("provider__name",)),
        Column("diagnosis", _("Diagnosis"), (_name_field("primary_diagnosis"),)),
        Column("copayment", _("Copayment (NT$)"), ("copayment",), numeric=True),
        Column("points", _("NHI points"), ("points",), numeric=True),
    )
    sort = sorting(request, columns, "-date")
    visits = anatomy.dental_visits(person, window, tooth=selected, order_by=sort.order_by)
    for visit in visits:
        visit.tooth_list = [teeth[code] for code in visit.teeth if code in teeth]

    charts = [
        tooth_chart(request, dentition, teeth, visits_by_tooth, selected)
        for dentition in (ToothPosition.Dentition.PERMANENT, ToothPosition.Dentition.PRIMARY)
    ]
    if person.age_on(portal.today) < PRIMARY_DENTITION_UNTIL:
        charts.reverse()
    for i, chart in enumerate(charts):
        chart["open"] = i == 0 or chart["marked"] > 0 or chart["has_selected"]

    options = [
        {
            "code": code,
            "label": f"{code} {teeth[code].name} ({visits_by_tooth[code]})",
            "selected": code == selected,
        }
        for code in sorted(visits_by_tooth)
        if code in teeth
    ]
    if selected and selected not in visits_by_tooth:
        # A tooth picked on the chart without visits is still shown as the current choice.
        options.insert(
            0,
            {"code": selected, "label": f"{selected} {teeth[selected].name} (0)", "selected": True},
        )

    return render(
        request,
        "bank/anatomy/dental.html",
        {
            "window": window,
            "notes": _dental_notes(),
            "charts": charts,
            "visits": visits,
            "headers": sort.headers(request),
            "selected": teeth.get(selected) if selected else None,
            "unknown_tooth": wanted if wanted and not selected else "",
            "options": options,
            "sort": _sort_value(sort),
            "all_href": _link(request, "tooth", ""),
        },
    )


# ---------------------------------------------------------------------------------------------
# Body figure

# The figure's regions (codes/data/bodysite.csv's `region`), in the order the select lists them.
REGIONS = {
    "head": gettext_lazy("Head and neck"),
    "chest": gettext_lazy("Chest"),
    "abdomen": gettext_lazy("Abdomen"),
    "pelvis": gettext_lazy("Pelvis and groin"),
    "spine": gettext_lazy("Spine (back)"),
    "upper_limb": gettext_lazy("Arms"),
    "lower_limb": gettext_lazy("Legs"),
    "skin": gettext_lazy("Skin"),
    "whole_body": gettext_lazy("Whole body"),
}
# Regions drawn as shapes on the figure; the others are shown as labelled boxes beside it.
FIGURE_REGIONS = ("head", "chest", "abdomen", "pelvis", "spine", "upper_limb", "lower_limb")
VERTEBRAE = range(44, 177, 12)  # y of each vertebra drawn on the figure's back


def _figure_regions(
    request: HttpRequest,
    regions_of_sites: dict[str, list[str]],
    counts: dict[str, int],
    chosen_region: str,
) -> dict[str, dict]:
    """Each region of the figure (and any other region a body site names) with its number of
    surgeries, its link and label."""
    regions = {}
    for key in dict.fromkeys([*REGIONS, *regions_of_sites]):
        count = sum(counts.get(code, 0) for code in regions_of_sites.get(key, ()))
        label = str(REGIONS.get(key, key))
        title = (
            ngettext("%(site)s: %(count)d surgery", "%(site)s: %(count)d surgeries", count)
            if count
            else _("%(site)s: no surgeries")
        ) % {"site": label, "count": count}
        regions[key] = {
            "key": key,
            "label": label,
            "count": count,
            "title": title + (" " + _("(selected)") if key == chosen_region else ""),
            "href": _link(request, "site", key),
            "selected": key == chosen_region,
            "on_figure": key in FIGURE_REGIONS,
        }
    return regions


def _site_options(
    regions: dict[str, dict],
    regions_of_sites: dict[str, list[str]],
    sites: dict[str, BodySite],
    counts: dict[str, int],
    chosen: str,
    chosen_label: str,
) -> list[dict]:
    """The select's choices: each region with surgeries, then its sites with surgeries."""
    options = []
    for key, region in regions.items():
        if not region["count"]:
            continue
        label = f"{region['label']} ({region['count']})"
        options.append({"code": key, "label": label, "selected": key == chosen})
        for code in regions_of_sites.get(key, ()):
            if counts.get(code):
                label = f"— {sites[code].name} ({counts[code]})"
                options.append({"code": code, "label": label, "selected": code == chosen})
    if chosen and not any(o["selected"] for o in options):
        # A part picked on the figure without surgeries is still shown as the current choice.
        options.insert(0, {"code": chosen, "label": f"{chosen_label} (0)", "selected": True})
    return options


SURGERY_NOTES = (
    gettext_lazy("A number on the figure is how many surgeries were done on that part."),
    gettext_lazy("Copayment and NHI points are those of the whole visit or stay."),
)


@portal_page
def surgeries(request: HttpRequest, portal: Portal) -> HttpResponse:
    person = portal.subject
    window = record_window(portal.today)
    sites = anatomy.body_sites()
    counts = anatomy.surgery_counts(person, window)
    regions_of_sites: dict[str, list[str]] = {}
    for code, site in sites.items():
        regions_of_sites.setdefault(site.region, []).append(code)

    # ?site= is a region (abdomen) or a body site's code (APPENDIX); anything else shows all.
    wanted = request.GET.get("site", "").strip()
    if wanted in regions_of_sites:
        chosen, chosen_sites, chosen_region = wanted, regions_of_sites[wanted], wanted
    elif wanted in sites:
        chosen, chosen_sites, chosen_region = wanted, [wanted], sites[wanted].region
    else:
        chosen, chosen_sites, chosen_region = "", None, ""

    columns = (
        Column("date", _("Visit / admission date"), ("visit__visit_date", "performed_on")),
        Column("discharge", _("Discharge date"), ("visit__discharge_date",)),
        Column("provider", _("Provider"), ("visit__provider__name",)),
        Column("service", _("Procedure"), (_name_field("service"),)),
        Column("site", _("Body site"), (_name_field("body_site"),)),
        Column("copayment", _("Copayment (NT$)"), ("visit__copayment",), numeric=True),
        Column("points", _("NHI points"), ("visit__points",), numeric=True),
    )
    sort = sorting(request, columns, "-date")
    rows = anatomy.surgeries(person, window, sites=chosen_sites, order_by=sort.order_by)

    regions = _figure_regions(request, regions_of_sites, counts, chosen_region)
    chosen_label = ""
    if chosen:
        chosen_label = regions[chosen]["label"] if chosen in regions else sites[chosen].name
    options = _site_options(regions, regions_of_sites, sites, counts, chosen, chosen_label)
    return render(
        request,
        "bank/anatomy/surgeries.html",
        {
            "window": window,
            "notes": SURGERY_NOTES,
            "female": person.sex == Sex.FEMALE,
            "sex_label": person.get_sex_display(),
            "regions": regions,
            "other_regions": [r for r in regions.values() if not r["on_figure"]],
            "vertebrae": VERTEBRAE,
            "rows": rows,
            "headers": sort.headers(request),
            "sort": _sort_value(sort),
            "chosen": chosen,
            "chosen_label": chosen_label,
            "unknown_site": wanted if wanted and not chosen else "",
            "options": options,
            "all_href": _link(request, "site", ""),
        },
    )
