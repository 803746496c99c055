"""The tooth charts' and the body figure's drawing data (bank/presenters/anatomy.py): pure
functions, so no database and no request."""

from __future__ import annotations

import math

import pytest
from django.utils import translation

from healthbank.bank.presenters.anatomy import (
    FIGURE_REGIONS,
    REGIONS,
    figure_regions,
    layout,
    tooth_chart,
)
from healthbank.codes.models import ToothPosition

PERMANENT = ToothPosition.Dentition.PERMANENT
PRIMARY = ToothPosition.Dentition.PRIMARY


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def link(code: str) -> str:
    return f"?pick={code}"


def codes(dentition: str) -> list[str]:
    return [tooth["code"] for tooth in layout(dentition)[0]]


def test_permanent_chart_has_32_teeth_from_the_persons_right_to_left():
    assert codes(PERMANENT) == [
        *("18", "17", "16", "15", "14", "13", "12", "11"),
        *("21", "22", "23", "24", "25", "26", "27", "28"),
        *("48", "47", "46", "45", "44", "43", "42", "41"),
        *("31", "32", "33", "34", "35", "36", "37", "38"),
    ]


def test_primary_chart_has_20_teeth_in_quadrants_5_to_8():
    teeth = codes(PRIMARY)
    assert len(teeth) == 20
    assert teeth[:5] == ["55", "54", "53", "52", "51"]
    assert {code[0] for code in teeth} == {"5", "6", "7", "8"}


@pytest.mark.parametrize("dentition", [PERMANENT, PRIMARY])
def test_neighbouring_teeth_do_not_overlap(dentition):
    teeth = layout(dentition)[0]
    for arch in (teeth[: len(teeth) // 2], teeth[len(teeth) // 2 :]):
        for a, b in zip(arch, arch[1:], strict=False):
            assert math.hypot(a["x"] - b["x"], a["y"] - b["y"]) > a["r"] + b["r"], (a, b)


@pytest.mark.parametrize("dentition", [PERMANENT, PRIMARY])
def test_left_and_right_teeth_mirror_each_other(dentition):
    teeth = {tooth["code"]: tooth for tooth in layout(dentition)[0]}
    right_to_left = {"1": "2", "4": "3", "5": "6", "8": "7"}
    for code, tooth in teeth.items():
        if code[0] not in right_to_left:
            continue
        other = teeth[right_to_left[code[0]] + code[1]]
        # Within about one step of the arch's sampling (half a unit each side).
        assert tooth["x"] + other["x"] == pytest.approx(280, abs=1)
        assert tooth["y"] == pytest.approx(other["y"], abs=1)
        assert tooth["r"] == other["r"]


@pytest.mark.parametrize("dentition", [PERMANENT, PRIMARY])
def test_view_box_holds_every_tooth_with_a_margin(dentition):
    teeth, top, bottom = layout(dentition)
    assert top < min(t["y"] - t["r"] for t in teeth) - 3
    assert bottom > max(t["y"] + t["r"] for t in teeth) + 3


def test_each_teeths_dot_sits_inside_its_arch():
    teeth = layout(PERMANENT)[0]
    for tooth in teeth:
        upper = tooth["code"][0] in "12"
        # Inside the arch means towards the gap between the jaws: below an upper tooth.
        assert (tooth["dot_y"] > tooth["y"]) if upper else (tooth["dot_y"] < tooth["y"])


def test_tooth_chart_marks_the_teeth_with_visits_and_counts_them():
    names = {"16": "Upper right first molar"}
    chart = tooth_chart(PERMANENT, names, {"16": 3, "21": 1}, None, link)
    teeth = {tooth["code"]: tooth for tooth in chart["teeth"]}
    assert chart["marked"] == 2
    assert teeth["16"]["visits"] == 3
    assert teeth["16"]["label"] == "16 Upper right first molar: 3 dental visits"
    assert teeth["21"]["label"] == "21: 1 dental visit"
    assert teeth["11"]["label"] == "11: no dental visits"
    assert not chart["has_selected"]


def test_tooth_chart_links_each_tooth_through_the_given_function():
    chart = tooth_chart(PRIMARY, {}, {}, None, link)
    assert [tooth["href"] for tooth in chart["teeth"]] == [f"?pick={c}" for c in codes(PRIMARY)]


def test_selected_tooth_is_marked_and_said_in_its_label():
    chart = tooth_chart(PERMANENT, {}, {}, "36", link)
    selected = [tooth for tooth in chart["teeth"] if tooth["selected"]]
    assert [tooth["code"] for tooth in selected] == ["36"]
    assert selected[0]["label"] == "36: no dental visits (selected)"
    assert chart["has_selected"]


def test_tooth_chart_does_not_change_the_shared_layout():
    tooth_chart(PERMANENT, {}, {"11": 2}, "11", link)
    assert all("visits" not in tooth for tooth in layout(PERMANENT)[0])


def test_tooth_charts_are_named_and_sized_by_dentition():
    permanent = tooth_chart(PERMANENT, {}, {}, None, link)
    primary = tooth_chart(PRIMARY, {}, {}, None, link)
    assert (permanent["id"], primary["id"]) == ("teeth-permanent", "teeth-primary")
    assert permanent["title"] == "Adult teeth (permanent)"
    assert primary["title"] == "Child teeth (primary)"
    assert permanent["width"] == primary["width"] == 280
    assert primary["height"] < permanent["height"]


SITES = {"abdomen": ["APPENDIX", "STOMACH"], "lower_limb": ["KNEE"], "ear": ["EAR"]}


def test_figure_regions_add_up_their_sites_surgeries():
    regions = figure_regions(SITES, {"APPENDIX": 2, "STOMACH": 1, "KNEE": 1}, "", link)
    assert regions["abdomen"]["count"] == 3
    assert regions["abdomen"]["title"] == "Abdomen: 3 surgeries"
    assert regions["lower_limb"]["title"] == "Legs: 1 surgery"
    assert regions["chest"]["count"] == 0
    assert regions["chest"]["title"] == "Chest: no surgeries"


def test_figure_lists_its_regions_first_then_any_other_a_site_names():
    regions = figure_regions(SITES, {}, "", link)
    assert list(regions) == [*REGIONS, "ear"]
    assert regions["ear"]["label"] == "ear"
    assert [key for key, r in regions.items() if r["on_figure"]] == list(FIGURE_REGIONS)


def test_chosen_region_is_selected_and_every_region_links_through_the_function():
    regions = figure_regions(SITES, {"KNEE": 1}, "lower_limb", link)
    assert [key for key, r in regions.items() if r["selected"]] == ["lower_limb"]
    assert regions["lower_limb"]["title"] == "Legs: 1 surgery (selected)"
    assert all(r["href"] == f"?pick={key}" for key, r in regions.items())
