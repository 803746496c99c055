"""The rules of what a person's records show (on the portal, in a package, in the app): the
time windows and limits, each from the seed it comes from, and how a lab result reads.
Pure rules: no queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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


# --- Provider search (院所查詢) and emergency care (急症處理) -------------------------------
# A provider's opening hours as the app's seed shows them: three sessions a day
# (上午, 下午, 晚上), seven days a week, one bit each in Provider.opening_sessions.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SESSIONS = ("morning", "afternoon", "evening")
# When each session starts (local time): 上午 until noon, 下午 until 18:00, 晚上 after.
SESSION_STARTS = ((dt.time(0), "morning"), (dt.time(12), "afternoon"), (dt.time(18), "evening"))


def session_bit(weekday: int, session: str) -> int:
    """The bit of a weekday (Monday 0) and session in Provider.opening_sessions."""
    return 1 << (weekday * len(SESSIONS) + SESSIONS.index(session))


def sessions_mask(names: Iterable[str]) -> int:
    """`mon_morning`-style names (the feed's `sessions`) as the bits they set."""
    mask = 0
    for name in names:
        day, session = name.split("_", 1)
        mask |= session_bit(WEEKDAYS.index(day), session)
    return mask


def session_names(mask: int) -> list[str]:
    """The inverse of sessions_mask, in week order."""
    return [
        f"{day}_{session}"
        for d, day in enumerate(WEEKDAYS)
        for session in SESSIONS
        if mask & session_bit(d, session)
    ]


SESSION_NAMES = tuple(f"{day}_{session}" for day in WEEKDAYS for session in SESSIONS)


def session_at(moment: dt.datetime) -> tuple[int, str]:
    """The weekday and session a local time falls in."""
    current = SESSIONS[0]
    for start, session in SESSION_STARTS:
        if moment.time() >= start:
            current = session
    return moment.weekday(), current


# Search limits: results per page, and the largest radius "near me" looks in.
PROVIDER_PAGE = 30
NEAR_RADIUS_KM = 30.0
EMERGENCY_HOSPITALS_SHOWN = 5
# An emergency room's load is reported every few minutes (衛福部急診即時訊息 updates about
# every 10 minutes); a report older than this is shown as out of date.
EMERGENCY_LOAD_STALE_AFTER = dt.timedelta(minutes=30)
# Taiwan, Penghu, Kinmen and Matsu lie inside this box: coordinates outside are a mistake.
TAIWAN_LATITUDE = (21.8, 26.5)
TAIWAN_LONGITUDE = (118.0, 122.5)
