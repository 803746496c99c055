"""The rules of what a person's records show (on the portal, in a package, in the app): the
time windows and limits, each from the seed it comes from, and how a lab result reads.
Pure rules: no queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from healthbank.records.models import LabResult

# Seed 000 (健康存摺提供內容): "近三年" of care; insurance data one year.
RECORD_YEARS = 3
INSURANCE_YEARS = 1
# Seed 000: allergies uploaded since 104/01/01; CDC's registry since the end of 92 (2003).
ALLERGIES_SINCE = dt.date(2015, 1, 1)
VACCINATIONS_SINCE = dt.date(2003, 1, 1)
# Seed 000: "本資料僅顯示最近二次台端接受成人預防保健檢查之結果".
PREVENTIVE_CHECKS_SHOWN = 2
# Seed 004: "未滿15歲子女…自動授權予所依附投保之父或母".
CHILD_AGE_LIMIT = 15


@dataclass(frozen=True)
class Window:
    """The dates a page covers, shown as 資料提供區間 start 至 end."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _months_back(today: dt.date, years: int) -> dt.date:
    # As the seed counts it: 102/12/01 to 105/11/30 seen in 105/12, i.e. whole months.
    return dt.date(today.year - years, today.month, 1)


def record_window(today: dt.date) -> Window:
    return Window(_months_back(today, RECORD_YEARS), today)


def insurance_window(today: dt.date) -> Window:
    return Window(_months_back(today, INSURANCE_YEARS), today)


def allergy_window(today: dt.date) -> Window:
    return Window(ALLERGIES_SINCE, today)


def vaccination_window(today: dt.date) -> Window:
    return Window(VACCINATIONS_SINCE, today)


# --- How a lab result reads ----------------------------------------------------------


class Status:
    """Whether a result is out of range: the provider's flag, or else the item's range."""

    NORMAL = ""
    HIGH = "high"
    LOW = "low"
    ABNORMAL = "abnormal"


def result_status(result: LabResult) -> str:
    """The result's Status: the provider's flag first, else its value against the item's range."""
    if result.flag == LabResult.Flag.HIGH:
        return Status.HIGH
    if result.flag == LabResult.Flag.LOW:
        return Status.LOW
    if result.flag == LabResult.Flag.ABNORMAL:
        return Status.ABNORMAL
    item, value = result.item, result.value
    if value is not None:
        if item.reference_high is not None and value > item.reference_high:
            return Status.HIGH
        if item.reference_low is not None and value < item.reference_low:
            return Status.LOW
    return Status.NORMAL


# How providers report a positive qualitative result: "Positive" (the synthetic data),
# "陽性", "陽性(+)", "+", "2+"; the flag "A" (abnormal) says so too.
_POSITIVE_WORDS = ("陽性", "positive", "+")


def is_positive(result: LabResult) -> bool:
    """A qualitative result (HBeAg) read as positive: flagged abnormal or reported positive."""
    text = result.value_text.strip().lower()
    return result.flag == LabResult.Flag.ABNORMAL or any(word in text for word in _POSITIVE_WORDS)
