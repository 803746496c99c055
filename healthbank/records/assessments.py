"""Disease assessments (疾病評估): liver-cancer risk and CKD prognosis, as pure rules.

Seed 000, "疾病評估-肝癌風險預測" (the REACH-B score table and its notes) and
"疾病評估-末期腎病評估" (the KDIGO 2012 prognosis grid and its follow-up note). The tables
are module constants so a template can draw them as the seed does and highlight the
person's row or cell; the functions take plain values (lab values as Decimal, as the
DecimalFields give them) and never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise
Number = Decimal | int | float

# --- Liver-cancer risk (肝癌風險預測) -------------------------------------------------


@dataclass(frozen=True)
class ScoreOption:
    """One row of a factor in the seed's score table (e.g. 40至44歲：2分).

    `match` is the value itself for a categorical factor (sex, HBeAg) and the lowest value
    of the row, inclusive, for a numeric one (age, ALT).
    """

    label: Label
    points: int
    match: str | bool | int


@dataclass(frozen=True)
class ScoreFactor:
    """A risk factor (風險因子) and its rows; `key` is the LiverRiskInputs field it scores."""

    key: str
    label: Label
    options: tuple[ScoreOption, ...]
    numeric: bool = False

    def option_for(self, value: str | bool | Number) -> ScoreOption:
        if self.numeric:
            if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
                raise ValueError(f"{self.key} must be a number, not {value!r}")
            found = [
                option
                for option in self.options
                if isinstance(option.match, int) and value >= option.match
            ]
            if not found:
                raise ValueError(f"{self.key} {value} is below the score table")
            return found[-1]  # rows ascend, so the last row reached is the one
        for option in self.options:
            if option.match == value:
                return option
        raise ValueError(f"{self.key} has no row for {value!r}")


LIVER_SEX = ScoreFactor(
    "sex",
    _("Sex"),
    (ScoreOption(_("Female"), 0, "F"), ScoreOption(_("Male"), 2, "M")),
)
LIVER_AGE = ScoreFactor(
    "age",
    _("Age"),
    (
        ScoreOption(_("0–34 years"), 0, 0),
        ScoreOption(_("35–39 years"), 1, 35),
        ScoreOption(_("40–44 years"), 2, 40),
        ScoreOption(_("45–49 years"), 3, 45),
        ScoreOption(_("50–54 years"), 4, 50),
        ScoreOption(_("55–59 years"), 5, 55),
        ScoreOption(_("60 years and over"), 6, 60),
    ),
    numeric=True,
)
LIVER_ALT = ScoreFactor(
    "alt",
    _("S-GPT/ALT (serum alanine aminotransferase)"),
    (
        ScoreOption("<15", 0, 0),
        ScoreOption("15–44", 1, 15),
        ScoreOption("≥45", 3, 45),
    ),
    numeric=True,
)
LIVER_HBEAG = ScoreFactor(
    "hbeag_positive",
    _("Hepatitis B e antigen (HBeAg)"),
    (ScoreOption(_("Negative (−)"), 0, False), ScoreOption(_("Positive (+)"), 4, True)),
)
# The seed's table, in its order.
LIVER_SCORE_TABLE = (LIVER_SEX, LIVER_AGE, LIVER_ALT, LIVER_HBEAG)


@dataclass(frozen=True)
class RiskBand:
    """A row of the seed's total-to-risk table: totals `low`..`high` (inclusive) -> `label`.

    `label` is the 10-year liver-cancer risk (未來10年肝癌發生機率); percentages read the
    same in every language, so only `points_label` is translated.
    """

    label: str
    low: int
    high: int | None
    points_label: Label

    def contains(self, total: int) -> bool:
        return self.low <= total and (self.high is None or total <= self.high)


# The seed's last row is "15分": 15 is the highest total the table can give.
LIVER_RISK_BANDS = (
    RiskBand("<1%", 0, 4, _("≤4 points")),
    RiskBand("1%–10%", 5, 9, _("5–9 points")),
    RiskBand("10%–25%", 10, 12, _("10–12 points")),
    RiskBand("30%–50%", 13, 14, _("13–14 points")),
    RiskBand("65%", 15, None, _("15 points")),
)

LIVER_MODEL_NOTE = _(
    "The liver-cancer risk model was developed by Academician Chen Chien-Jen and Dr Yang "
    "Hwai-I of Academia Sinica, who followed 3,600 people with chronic hepatitis B from 1991 "
    "to 2004. It is about 80% accurate for people with chronic hepatitis B and may "
    "overestimate the risk of people without it."
)

# Seed 000, the notes under 肝癌風險預測.
NOT_APPLICABLE_NOTES = (
    _(
        "The model does not apply to people co-infected with HIV, hepatitis C or hepatitis D, "
        "people with cirrhosis, people whose ALT has suddenly risen to twice its level or "
        "more, or people whose liver cancer has recurred."
    ),
    _("The risk may be lower for people on antiviral treatment for hepatitis B."),
    _(
        "The risk may be higher for people who smoke, have diabetes, drink heavily or have a "
        "family history of liver cancer."
    ),
    _("People with chronic hepatitis B need regular follow-up examinations whatever their risk."),
)


@dataclass(frozen=True)
class LiverRiskInputs:
    """What the score needs; ALT in U/L. None means not known (no lab result uploaded)."""

    sex: str
    age: int
    alt: Decimal | int | None
    hbeag_positive: bool | None


@dataclass(frozen=True)
class LiverRisk:
    """The score of each known factor, and, when every factor is known, the total and band."""

    points: dict[str, int]
    selected: tuple[ScoreOption, ...]
    total: int | None
    band: RiskBand | None
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def missing_labels(self) -> tuple[Label, ...]:
        return tuple(factor.label for factor in LIVER_SCORE_TABLE if factor.key in self.missing)


def liver_cancer_risk(inputs: LiverRiskInputs) -> LiverRisk:
    """Score the seed's REACH-B table; an unknown factor leaves total and band None.

    Raises ValueError for a value the table has no row for (sex other than M/F, a
    negative age or ALT).
    """
    points: dict[str, int] = {}
    selected: list[ScoreOption] = []
    missing: list[str] = []
    for factor in LIVER_SCORE_TABLE:
        value = getattr(inputs, factor.key)
        if value is None:
            missing.append(factor.key)
            continue
        option = factor.option_for(value)
        points[factor.key] = option.points
        selected.append(option)
    if missing:
        return LiverRisk(points, tuple(selected), None, None, tuple(missing))
    total = sum(points.values())
    band = next(band for band in LIVER_RISK_BANDS if band.contains(total))
    return LiverRisk(points, tuple(selected), total, band)


# --- CKD prognosis (末期腎病評估, KDIGO 2012) ---------------------------------------------


class CkdRiskLevel(TextChoices):
    """The grid's colours (seed note 1); the value is the colour key a stylesheet uses."""

    GREEN = "green", _("Normal / slightly abnormal")
    YELLOW = "yellow", _("Early stage")
    ORANGE = "orange", _("Watch")
    RED = "red", _("Alert")
    DARKRED = "darkred", _("End-stage kidney disease")


# Seed note 1: 綠色…每年追蹤1次；黃色…1次；橙色…2次；紅色…3次；深紅色…至少4次.
FOLLOW_UPS_PER_YEAR = {
    CkdRiskLevel.GREEN: 1,
    CkdRiskLevel.YELLOW: 1,
    CkdRiskLevel.ORANGE: 2,
    CkdRiskLevel.RED: 3,
    CkdRiskLevel.DARKRED: 4,
}
FOLLOW_UP_LABELS = {
    CkdRiskLevel.GREEN: _("Follow up once a year"),
    CkdRiskLevel.YELLOW: _("Follow up once a year"),
    CkdRiskLevel.ORANGE: _("Follow up twice a year"),
    CkdRiskLevel.RED: _("Follow up three times a year"),
    CkdRiskLevel.DARKRED: _("Follow up at least four times a year"),
}


@dataclass(frozen=True)
class GfrCategory:
    """A row of the grid: eGFR (ml/min/1.73 m²) from `low`, inclusive, up to the next row."""

    code: str
    label: Label
    range_label: str
    low: int


# Seed: 正常 G1(>=90), 輕度下降 G2(60-89), 輕到中度下降 G3a(45-59), 中到重度下降 G3b(30-44),
# 重度下降 G4(15-29), 腎衰竭 G5(<15).
GFR_ROWS = (
    GfrCategory("G1", _("Normal"), "≥90", 90),
    GfrCategory("G2", _("Mildly decreased"), "60–89", 60),
    GfrCategory("G3a", _("Mildly to moderately decreased"), "45–59", 45),
    GfrCategory("G3b", _("Moderately to severely decreased"), "30–44", 30),
    GfrCategory("G4", _("Severely decreased"), "15–29", 15),
    GfrCategory("G5", _("Kidney failure"), "<15", 0),
)

# Seed: ACR <30, 30-300, >300 and PCR <150, 150-500, >500 (mg/g): both ends belong to A2.
ACR_A2 = (30, 300)
PCR_A2 = (150, 500)


@dataclass(frozen=True)
class AlbuminuriaCategory:
    """A column of the grid (持續白蛋白尿的分期)."""

    code: str
    label: Label
    acr_label: str
    pcr_label: str


ALBUMINURIA_COLUMNS = (
    AlbuminuriaCategory("A1", _("Normal"), f"<{ACR_A2[0]}", f"<{PCR_A2[0]}"),
    AlbuminuriaCategory(
        "A2", _("Moderately increased"), f"{ACR_A2[0]}–{ACR_A2[1]}", f"{PCR_A2[0]}–{PCR_A2[1]}"
    ),
    AlbuminuriaCategory("A3", _("Severely increased"), f">{ACR_A2[1]}", f">{PCR_A2[1]}"),
)


@dataclass(frozen=True)
class GridCell:
    """A cell of the seed's grid: its printed label and the colour it stands for."""

    gfr_category: str
    albuminuria_category: str
    label: str
    level: CkdRiskLevel

    @property
    def text(self) -> Label:
        """The label in the reader's language (the seed's "1 if CKD" is English even on its
        Chinese page; the counts read the same in both)."""
        return CELL_TEXTS.get(self.label, self.label)


@dataclass(frozen=True)
class GridRow:
    category: GfrCategory
    cells: tuple[GridCell, ...]


# The seed prints "1 if CKD" where KDIGO's low risk is monitored only if CKD is present
# (green); the numbers are KDIGO's monitoring counts: 1 yellow, 2 orange, 3 red, 4+ dark red.
CELL_LEVELS = {
    "1 if CKD": CkdRiskLevel.GREEN,
    "1": CkdRiskLevel.YELLOW,
    "2": CkdRiskLevel.ORANGE,
    "3": CkdRiskLevel.RED,
    "4+": CkdRiskLevel.DARKRED,
}
CELL_TEXTS = {"1 if CKD": _("1 if CKD")}
_GRID_LABELS = {
    "G1": ("1 if CKD", "1", "2"),
    "G2": ("1 if CKD", "1", "2"),
    "G3a": ("1", "2", "3"),
    "G3b": ("2", "3", "3"),
    "G4": ("3", "3", "4+"),
    "G5": ("4+", "4+", "4+"),
}
GRID = tuple(
    GridRow(
        row,
        tuple(
            GridCell(row.code, column.code, label, CELL_LEVELS[label])
            for column, label in zip(ALBUMINURIA_COLUMNS, _GRID_LABELS[row.code], strict=True)
        ),
    )
    for row in GFR_ROWS
)
_CELLS = {
    (cell.gfr_category, cell.albuminuria_category): cell for row in GRID for cell in row.cells
}

CKD_MISSING_LABELS = {
    "egfr": _("eGFR"),
    "acr_or_pcr": _("urine albumin (ACR) or protein (PCR) to creatinine ratio"),
}


def gfr_category(egfr: Number) -> str:
    """G1…G5 for an eGFR in ml/min/1.73 m² (seed's rows; 89.9 is G2, 90 is G1)."""
    if egfr < 0:
        raise ValueError(f"eGFR cannot be negative: {egfr}")
    return next(row.code for row in GFR_ROWS if egfr >= row.low)


def albuminuria_category(acr: Number | None = None, pcr: Number | None = None) -> str:
    """A1…A3 from ACR, or from PCR when there is no ACR (both in mg/g)."""
    if acr is not None:
        value, (a2_from, a2_to) = acr, ACR_A2
    elif pcr is not None:
        value, (a2_from, a2_to) = pcr, PCR_A2
    else:
        raise ValueError("albuminuria needs an ACR or a PCR")
    if value < 0:
        raise ValueError(f"urine ratio cannot be negative: {value}")
    if value < a2_from:
        return "A1"
    if value <= a2_to:
        return "A2"
    return "A3"


@dataclass(frozen=True)
class CkdPrognosis:
    """Where a person falls on the grid; fields stay None for what the inputs cannot tell."""

    gfr_category: str | None
    albuminuria_category: str | None
    cell: GridCell | None
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.cell is not None

    @property
    def cell_label(self) -> str | None:
        return self.cell.label if self.cell else None

    @property
    def level(self) -> CkdRiskLevel | None:
        return self.cell.level if self.cell else None

    @property
    def label(self) -> Label | None:
        return self.cell.level.label if self.cell else None

    @property
    def follow_ups_per_year(self) -> int | None:
        return FOLLOW_UPS_PER_YEAR[self.cell.level] if self.cell else None

    @property
    def follow_up_label(self) -> Label | None:
        return FOLLOW_UP_LABELS[self.cell.level] if self.cell else None

    @property
    def missing_labels(self) -> tuple[Label, ...]:
        return tuple(CKD_MISSING_LABELS[key] for key in self.missing)


def ckd_prognosis(
    egfr: Number | None, acr: Number | None = None, pcr: Number | None = None
) -> CkdPrognosis:
    """The seed's 末期腎病評估: KDIGO 2012 cell, colour and yearly follow-ups."""
    gfr = gfr_category(egfr) if egfr is not None else None
    albuminuria = albuminuria_category(acr, pcr) if acr is not None or pcr is not None else None
    missing = tuple(
        key for key, value in (("egfr", gfr), ("acr_or_pcr", albuminuria)) if value is None
    )
    cell = _CELLS[(gfr, albuminuria)] if gfr and albuminuria else None
    return CkdPrognosis(gfr, albuminuria, cell, missing)
