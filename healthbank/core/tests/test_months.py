"""Months on dates: a day that the month has not keeps to its last day."""

import datetime as dt

from healthbank.core.months import add_months, month_end


def test_a_month_later_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2026, 1, 15), 1) == dt.date(2026, 2, 15)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)


def test_month_end_is_the_last_day_of_the_month():
    assert month_end(dt.date(2026, 2, 3)) == dt.date(2026, 2, 28)
    assert month_end(dt.date(2026, 12, 31)) == dt.date(2026, 12, 31)
