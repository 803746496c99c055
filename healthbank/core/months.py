"""Calendar months on dates: NHIA counts premiums, validity and instalments in months."""

from __future__ import annotations

import calendar
import datetime as dt


def month_end(day: dt.date) -> dt.date:
    """The last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), or that month's last day."""
    month0 = day.month - 1 + months
    first = dt.date(day.year + month0 // 12, month0 % 12 + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))
