"""The dental page's tooth charts and the surgeries page's body figure.

The templates draw them as inline SVG; this module places the teeth (FDI notation, as a
dentist's chart faces the patient: the patient's right on the left) and gives each tooth and
body region its count, label and link. A link is whatever `href(code)` returns, so these
functions never see the request.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from healthbank.codes.models import ToothPosition

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
WIDTHS: dict[str, dict[int, float]] = {
    ToothPosition.Dentition.PERMANENT: {1: 7.5, 2: 7, 3: 7.5, 4: 7.5, 5: 7.5, 6: 9, 7: 9, 8: 8.5},
    ToothPosition.Dentition.PRIMARY: {1: 7, 2: 7, 3: 7.5, 4: 8, 5: 9},
}
ARCHES: dict[str, tuple[Arch, Arch]] = {
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
QUADRANTS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
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
def layout(dentition: str) -> tuple[tuple[dict, ...], int, int]:
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
    for tooth in placed:
        # The SVG attributes as the template prints them, formatted once, not per request.
        tooth["svg"] = {key: str(tooth[key]) for key in ("x", "y", "r", "dot_x", "dot_y")}
    return tuple(placed), top, bottom


def tooth_chart(
    dentition: str,
    names: Mapping[str, str],
    visits_by_tooth: Mapping[str, int],
    selected: str | None,
    href: Callable[[str], str],
) -> dict:
    """One dentition's chart: every tooth with its link, label and whether it has visits.

    `names` maps a tooth's code to its name, `href(code)` is the link that picks it."""
    upper, lower = ARCHES[dentition]
    placed_layout, top, bottom = layout(dentition)
    placed = [dict(tooth) for tooth in placed_layout]
    for tooth in placed:
        code = tooth["code"]
        visits = visits_by_tooth.get(code, 0)
        name = names.get(code, "")
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
            href=href(code),
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


def figure_regions(
    regions_of_sites: Mapping[str, list[str]],
    counts: Mapping[str, int],
    chosen_region: str,
    href: Callable[[str], str],
) -> dict[str, dict]:
    """Each region of the figure (and any other region a body site names) with its number of
    surgeries, its link and label.

    `regions_of_sites` maps a region to its body sites' codes, `counts` a site's code to its
    surgeries, `href(region)` is the link that picks the region."""
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
            "href": href(key),
            "selected": key == chosen_region,
            "on_figure": key in FIGURE_REGIONS,
        }
    return regions
