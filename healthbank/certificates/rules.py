"""The rules of the documents NHIA hands out (證明文件), each with its source."""

from __future__ import annotations

import calendar
import datetime as dt

# A certificate of insurance (投保證明) is valid for three months from its issue (issue 23,
# seed 000's 中英文投保證明: "自核發日起三個月內有效"). The certificate of premiums paid
# (保險費繳納證明) keeps the same rule: a closed year's payments do not change, but a payment
# can still be refunded or corrected, and the current year's grow each month, so a copy
# checked at /verify/ says "expired" after three months and its owner downloads a new one.
VALID_MONTHS = 3

# The certificate of premiums paid is for the income-tax return's itemised deduction of NHI
# premiums (所得稅法 art. 17: 全民健康保險費 of the taxpayer, spouse and dependants, in full),
# filed each May for the year before (所得稅法 art. 71): that year is offered first.
TAX_YEAR_BACK = 1

# The verification code: 20 characters of Crockford's base 32 (5 bits each, 100 bits from
# `secrets`), shown as five groups of four. Unguessable: at 30 wrong codes an address per 15
# minutes, finding any one of a billion certificates takes longer than the universe is old.
CODE_LENGTH = 20
CODE_GROUP = 4
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U

# Anonymous /verify/: wrong codes from one address in a window before it must wait.
VERIFY_MISSES_PER_ADDRESS = 30
VERIFY_WINDOW = dt.timedelta(minutes=15)


def valid_until(issued: dt.date) -> dt.date:
    """The last day the document is valid: the same day VALID_MONTHS later, or that month's
    last day when it has no such day (11/30 -> 02/28)."""
    month = issued.month - 1 + VALID_MONTHS
    year, month = issued.year + month // 12, month % 12 + 1
    day = min(issued.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def default_year(years: list[int], today: dt.date) -> int | None:
    """The year a certificate of premiums offers first: last year's (the one a tax return
    needs) when premiums were paid in it, else the latest with premiums; None without any."""
    tax_year = today.year - TAX_YEAR_BACK
    return tax_year if tax_year in years else (years[0] if years else None)
