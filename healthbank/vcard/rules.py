"""The virtual NHI card's time limits, each from seed 004 (虛擬健保卡) unless it says ours."""

from __future__ import annotations

import calendar
import datetime as dt

# 一次性授權QR Code時效性為5分鐘: a QR code is void after 5 minutes or its first use.
QR_VALID = dt.timedelta(minutes=5)

# 同一健保戶成員於提示畫面按下同意 ... (10分鐘內): a household member agrees within 10 minutes.
HOUSEHOLD_CONSENT = dt.timedelta(minutes=10)

# 民眾需在10分鐘內 ... 同意, 醫療院所即可於1小時內使用: a clinic's request.
CLINIC_CONSENT = dt.timedelta(minutes=10)
CLINIC_USE = dt.timedelta(hours=1)

# 非同一般健保戶僅能授權一個月: someone outside the household, at most one month.
OUTSIDE_HOUSEHOLD_MONTHS = 1
# Ours: the seed sets no limit inside the household; a year keeps every grant reviewed yearly.
HOUSEHOLD_MAX_DAYS = 366

# Children under 15 are authorised to their parent automatically: records.rules.CHILD_AGE_LIMIT,
# read through records.selectors.family.children_in_care, as the portal's switcher does.

# 未滿14歲: 得以身分證正面或健保卡正面作為申請資料 (the NHI card's front as the document).
CARD_AS_DOCUMENT_UNDER = 14

# Ours: how long a specific person's authorisation code can be claimed once made.
CLAIM_CODE_VALID = dt.timedelta(days=1)


def one_month_after(day: dt.date) -> dt.date:
    """The last day of a one-month authorisation starting on `day`: 11/24 → 12/23,
    1/31 → 2/28 (the month's last day stands in for a day it lacks)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    same_day = min(day.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, same_day) - dt.timedelta(days=1)


# Ours: the longest side kept of each application photo (enough to read a document, and to
# recognise a face on a clinic's screen).
DOCUMENT_MAX_SIDE = 1600
PORTRAIT_MAX_SIDE = 800
