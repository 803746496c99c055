"""Seed 000's 肝癌風險預測 score table and 末期腎病評估 KDIGO grid, row by row and cell by cell."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from healthbank.records.assessments import (
    ALBUMINURIA_COLUMNS,
    GFR_ROWS,
    GRID,
    LIVER_AGE,
    LIVER_ALT,
    LIVER_HBEAG,
    LIVER_RISK_BANDS,
    LIVER_SCORE_TABLE,
    LIVER_SEX,
    NOT_APPLICABLE_NOTES,
    CkdRiskLevel,
    LiverRisk,
    LiverRiskInputs,
    albuminuria_category,
    ckd_prognosis,
    gfr_category,
    liver_cancer_risk,
)

# A person who scores 0 on every factor; each test changes one thing.
ZERO = {"sex": "F", "age": 30, "alt": Decimal("10"), "hbeag_positive": False}


def _risk(**changes: object) -> LiverRisk:
    return liver_cancer_risk(LiverRiskInputs(**{**ZERO, **changes}))


# --- Liver-cancer risk ---------------------------------------------------------------


def test_zero_risk_person_scores_zero_and_below_one_percent() -> None:
    risk = _risk()
    assert risk.total == 0
    assert risk.band is not None and risk.band.label == "<1%"
    assert risk.complete


@pytest.mark.parametrize(("sex", "points"), [("F", 0), ("M", 2)])
def test_sex_scores_as_the_seed_table(sex: str, points: int) -> None:
    risk = _risk(sex=sex)
    assert risk.points["sex"] == points
    assert risk.total == points


@pytest.mark.parametrize(
    ("age", "points"),
    [
        (0, 0),
        (34, 0),
        (35, 1),
        (39, 1),
        (40, 2),
        (44, 2),
        (45, 3),
        (49, 3),
        (50, 4),
        (54, 4),
        (55, 5),
        (59, 5),
        (60, 6),
        (95, 6),
    ],
)
def test_age_scores_as_the_seed_table(age: int, points: int) -> None:
    risk = _risk(age=age)
    assert risk.points["age"] == points
    assert risk.total == points


@pytest.mark.parametrize(
    ("alt", "points"),
    [
        (Decimal("0"), 0),
        (Decimal("14"), 0),
        (Decimal("14.9"), 0),
        (Decimal("15"), 1),
        (Decimal("44"), 1),
        (Decimal("44.9"), 1),
        (Decimal("45"), 3),
        (Decimal("300"), 3),
        (44, 1),
    ],
)
def test_alt_scores_as_the_seed_table(alt: Decimal | int, points: int) -> None:
    risk = _risk(alt=alt)
    assert risk.points["alt"] == points
    assert risk.total == points


@pytest.mark.parametrize(("positive", "points"), [(False, 0), (True, 4)])
def test_hbeag_scores_as_the_seed_table(positive: bool, points: int) -> None:
    risk = _risk(hbeag_positive=positive)
    assert risk.points["hbeag_positive"] == points
    assert risk.total == points


@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        ({"age": 50}, 4, "<1%"),
        ({"age": 55}, 5, "1%–10%"),
        ({"sex": "M", "age": 60, "alt": Decimal("15")}, 9, "1%–10%"),
        ({"age": 60, "hbeag_positive": True}, 10, "10%–25%"),
        ({"sex": "M", "age": 55, "alt": Decimal("15"), "hbeag_positive": True}, 12, "10%–25%"),
        ({"sex": "M", "age": 60, "alt": Decimal("15"), "hbeag_positive": True}, 13, "30%–50%"),
        ({"sex": "M", "age": 55, "alt": Decimal("45"), "hbeag_positive": True}, 14, "30%–50%"),
        ({"sex": "M", "age": 60, "alt": Decimal("45"), "hbeag_positive": True}, 15, "65%"),
    ],
)
def test_total_falls_in_the_seed_band(changes: dict[str, object], total: int, band: str) -> None:
    risk = _risk(**changes)
    assert risk.total == total
    assert risk.band is not None and risk.band.label == band


def test_bands_cover_every_total_once() -> None:
    for total in range(16):
        assert sum(band.contains(total) for band in LIVER_RISK_BANDS) == 1
    assert LIVER_RISK_BANDS[-1].contains(15)


def test_highest_total_is_fifteen_as_in_the_seed() -> None:
    assert sum(max(o.points for o in factor.options) for factor in LIVER_SCORE_TABLE) == 15


def test_result_names_the_table_rows_to_highlight() -> None:
    risk = _risk(sex="M", age=42, alt=Decimal("50"), hbeag_positive=True)
    assert risk.selected == (
        LIVER_SEX.options[1],
        LIVER_AGE.options[2],
        LIVER_ALT.options[2],
        LIVER_HBEAG.options[1],
    )


def test_missing_alt_and_hbeag_leave_total_unknown() -> None:
    risk = _risk(alt=None, hbeag_positive=None)
    assert risk.missing == ("alt", "hbeag_positive")
    assert not risk.complete
    assert risk.total is None and risk.band is None
    assert risk.points == {"sex": 0, "age": 0}
    assert [str(label) for label in risk.missing_labels] == [
        str(LIVER_ALT.label),
        str(LIVER_HBEAG.label),
    ]


def test_missing_hbeag_alone_is_listed() -> None:
    risk = _risk(hbeag_positive=None)
    assert risk.missing == ("hbeag_positive",)
    assert risk.points["alt"] == 0


@pytest.mark.parametrize(
    "changes", [{"sex": "X"}, {"age": -1}, {"alt": Decimal("-1")}, {"age": "40"}]
)
def test_values_outside_the_table_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        _risk(**changes)


def test_not_applicable_notes_hold_the_seed_four() -> None:
    assert len(NOT_APPLICABLE_NOTES) == 4
    assert "HIV" in str(NOT_APPLICABLE_NOTES[0])


# --- CKD prognosis ---------------------------------------------------------------------

# One eGFR inside each row and one ACR inside each column.
ROW_EGFR = {
    "G1": Decimal("95"),
    "G2": Decimal("75"),
    "G3a": Decimal("50"),
    "G3b": Decimal("35"),
    "G4": Decimal("20"),
    "G5": Decimal("10"),
}
COLUMN_ACR = {"A1": Decimal("10"), "A2": Decimal("100"), "A3": Decimal("400")}
GRN, YEL, ORA, RED, DRK = (
    CkdRiskLevel.GREEN,
    CkdRiskLevel.YELLOW,
    CkdRiskLevel.ORANGE,
    CkdRiskLevel.RED,
    CkdRiskLevel.DARKRED,
)
SEED_GRID = [
    ("G1", "A1", "1 if CKD", GRN),
    ("G1", "A2", "1", YEL),
    ("G1", "A3", "2", ORA),
    ("G2", "A1", "1 if CKD", GRN),
    ("G2", "A2", "1", YEL),
    ("G2", "A3", "2", ORA),
    ("G3a", "A1", "1", YEL),
    ("G3a", "A2", "2", ORA),
    ("G3a", "A3", "3", RED),
    ("G3b", "A1", "2", ORA),
    ("G3b", "A2", "3", RED),
    ("G3b", "A3", "3", RED),
    ("G4", "A1", "3", RED),
    ("G4", "A2", "3", RED),
    ("G4", "A3", "4+", DRK),
    ("G5", "A1", "4+", DRK),
    ("G5", "A2", "4+", DRK),
    ("G5", "A3", "4+", DRK),
]
FOLLOW_UPS = {GRN: 1, YEL: 1, ORA: 2, RED: 3, DRK: 4}


@pytest.mark.parametrize(("gfr", "albuminuria", "label", "level"), SEED_GRID)
def test_every_grid_cell_matches_the_seed(
    gfr: str, albuminuria: str, label: str, level: CkdRiskLevel
) -> None:
    result = ckd_prognosis(ROW_EGFR[gfr], acr=COLUMN_ACR[albuminuria])
    assert (result.gfr_category, result.albuminuria_category) == (gfr, albuminuria)
    assert result.cell_label == label
    assert result.level == level
    assert result.label == level.label
    assert result.follow_ups_per_year == FOLLOW_UPS[level]
    assert result.complete and result.missing == ()


def test_grid_constants_draw_the_seed_table() -> None:
    assert [row.code for row in GFR_ROWS] == ["G1", "G2", "G3a", "G3b", "G4", "G5"]
    assert [column.code for column in ALBUMINURIA_COLUMNS] == ["A1", "A2", "A3"]
    drawn = [
        (cell.gfr_category, cell.albuminuria_category, cell.label, cell.level)
        for row in GRID
        for cell in row.cells
    ]
    assert drawn == SEED_GRID
    assert [row.category for row in GRID] == list(GFR_ROWS)


def test_result_names_the_grid_cell_to_highlight() -> None:
    result = ckd_prognosis(Decimal("50"), acr=Decimal("100"))
    assert result.cell is GRID[2].cells[1]


def test_seed_example_early_stage_is_followed_up_once_a_year() -> None:
    # The seed's page shows 初期 (每年1次追蹤): a yellow cell.
    result = ckd_prognosis(Decimal("95"), acr=Decimal("30"))
    assert result.level == CkdRiskLevel.YELLOW
    assert result.follow_ups_per_year == 1
    assert str(result.follow_up_label) == "每年追蹤1次"


@pytest.mark.parametrize(
    ("egfr", "category"),
    [
        (Decimal("120"), "G1"),
        (Decimal("90"), "G1"),
        (Decimal("89.9"), "G2"),
        (Decimal("60"), "G2"),
        (Decimal("59.9"), "G3a"),
        (Decimal("45"), "G3a"),
        (Decimal("44.9"), "G3b"),
        (Decimal("30"), "G3b"),
        (Decimal("29.9"), "G4"),
        (Decimal("15"), "G4"),
        (Decimal("14.9"), "G5"),
        (Decimal("0"), "G5"),
        (60, "G2"),
    ],
)
def test_gfr_category_boundaries(egfr: Decimal | int, category: str) -> None:
    assert gfr_category(egfr) == category


@pytest.mark.parametrize(
    ("acr", "category"),
    [
        (Decimal("0"), "A1"),
        (Decimal("29.9"), "A1"),
        (Decimal("30"), "A2"),
        (Decimal("300"), "A2"),
        (Decimal("300.1"), "A3"),
    ],
)
def test_acr_category_boundaries(acr: Decimal, category: str) -> None:
    assert albuminuria_category(acr=acr) == category


@pytest.mark.parametrize(
    ("pcr", "category"),
    [
        (Decimal("149"), "A1"),
        (Decimal("149.9"), "A1"),
        (Decimal("150"), "A2"),
        (Decimal("500"), "A2"),
        (Decimal("501"), "A3"),
    ],
)
def test_pcr_category_boundaries(pcr: Decimal, category: str) -> None:
    assert albuminuria_category(pcr=pcr) == category


def test_acr_is_preferred_over_pcr() -> None:
    assert albuminuria_category(acr=Decimal("10"), pcr=Decimal("600")) == "A1"
    assert ckd_prognosis(Decimal("95"), acr=Decimal("10"), pcr=Decimal("600")).cell_label == (
        "1 if CKD"
    )


def test_pcr_is_used_without_acr() -> None:
    assert ckd_prognosis(Decimal("20"), pcr=Decimal("600")).level == CkdRiskLevel.DARKRED


def test_missing_urine_ratio_gives_the_row_only() -> None:
    result = ckd_prognosis(Decimal("50"))
    assert result.gfr_category == "G3a"
    assert result.albuminuria_category is None
    assert result.missing == ("acr_or_pcr",)
    assert not result.complete
    assert result.level is None and result.follow_ups_per_year is None
    assert len(result.missing_labels) == 1


def test_missing_egfr_gives_the_column_only() -> None:
    result = ckd_prognosis(None, acr=Decimal("400"))
    assert result.gfr_category is None
    assert result.albuminuria_category == "A3"
    assert result.missing == ("egfr",)
    assert result.cell is None and result.label is None


def test_nothing_known_lists_both_inputs() -> None:
    assert ckd_prognosis(None).missing == ("egfr", "acr_or_pcr")


@pytest.mark.parametrize(
    "call",
    [
        lambda: gfr_category(Decimal("-1")),
        lambda: albuminuria_category(acr=Decimal("-1")),
        lambda: albuminuria_category(),
    ],
)
def test_impossible_kidney_values_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        call()
