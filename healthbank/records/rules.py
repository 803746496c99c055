"""The portal's time windows and limits, each from the seed it comes from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
