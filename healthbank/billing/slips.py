"""What a payment slip (繳款單) prints: the convenience stores' three Code 39 barcodes and the
bank transfer's virtual account, built from the slip's number, deadline, month and amount
by the layout in rules.py."""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass

from barcode.codex import Code39  # type: ignore[import-untyped]
from barcode.writer import SVGWriter  # type: ignore[import-untyped]

from healthbank.billing import rules
from healthbank.core.numbers import grouped
from healthbank.core.rocdate import ROC_OFFSET
from healthbank.core.typed import is_ascii_digits

_LETTER_VALUES = {
    **{chr(ord("A") + i): i + 1 for i in range(9)},  # A–I: 1–9
    **{chr(ord("J") + i): i + 1 for i in range(9)},  # J–R: 1–9
    **{chr(ord("S") + i): i + 2 for i in range(8)},  # S–Z: 2–9
}


def _value(char: str) -> int:
    return int(char) if is_ascii_digits(char) else _LETTER_VALUES[char]


def store_check_code(segment1: str, segment2: str, month_and_amount: str) -> str:
    """The two check characters of segment 3, from the three segments (segment 3 without
    them: its month and amount)."""
    odd = even = 0
    for segment in (segment1, segment2, month_and_amount):
        for position, char in enumerate(segment, start=1):
            if position % 2:
                odd += _value(char)
            else:
                even += _value(char)
    first, second = odd % 11, even % 11
    return rules.STORE_FIRST_CHECK.get(first, str(first)) + rules.STORE_SECOND_CHECK.get(
        second, str(second)
    )


def _roc_yy(day: dt.date) -> str:
    return f"{(day.year - ROC_OFFSET) % 100:02d}"


def store_segments(*, number: str, deadline: dt.date, month: dt.date, amount: int) -> tuple:
    """The three segments: deadline + item code, the slip's number, month + check + amount."""
    segment1 = f"{_roc_yy(deadline)}{deadline:%m%d}{rules.STORE_COLLECTION_ITEM_CODE}"
    segment2 = number
    month_part, amount_part = f"{_roc_yy(month)}{month:%m}", f"{amount:09d}"
    check = store_check_code(segment1, segment2, month_part + amount_part)
    segments = (segment1, segment2, month_part + check + amount_part)
    lengths = tuple(len(s) for s in segments)
    if lengths != rules.STORE_SEGMENT_LENGTHS:
        raise ValueError(f"store barcode segments of lengths {lengths}")
    return segments


def account_check_digit(digits: str) -> str:
    """The virtual account's last digit: weights 3, 7, 1 repeated, the units of each product
    summed, the 10's complement of the sum's units."""
    weights = rules.VIRTUAL_ACCOUNT_WEIGHTS
    total = sum(int(d) * weights[i % len(weights)] % 10 for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def slip_number(kind: str, key: int) -> str:
    """The slip's 16-digit number (銷帳編號), which is also the virtual account number: the
    synthetic prefix, the kind of slip, the key (a bill's, a person's, a plan part's) and a
    check digit."""
    body = f"{rules.VIRTUAL_ACCOUNT_PREFIX}{kind}{key:010d}"
    return body + account_check_digit(body)


def code39_svg(data: str) -> str:
    """The Code 39 barcode of `data` (no check character of its own: the stores' layout has
    its own) as an SVG data URI, for a PDF."""
    out = io.BytesIO()
    Code39(data, writer=SVGWriter(), add_checksum=False).write(
        out,
        options={"write_text": False, "module_width": 0.25, "module_height": 9, "quiet_zone": 3},
    )
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@dataclass(frozen=True)
class Slip:
    """What one slip says: its number, the amount, the deadline, and how to pay it."""

    number: str
    month: dt.date
    amount: int
    deadline: dt.date

    @property
    def by_store(self) -> bool:
        return 0 < self.amount <= rules.STORE_MAXIMUM_AMOUNT

    @property
    def segments(self) -> tuple[str, ...]:
        if not self.by_store:
            return ()
        return store_segments(
            number=self.number, deadline=self.deadline, month=self.month, amount=self.amount
        )

    @property
    def barcodes(self) -> list[tuple[str, str]]:
        return [(segment, code39_svg(segment)) for segment in self.segments]

    @property
    def store_limit(self) -> str:
        return grouped(rules.STORE_MAXIMUM_AMOUNT)

    @property
    def bank_code(self) -> str:
        return rules.COLLECTING_BANK_CODE

    @property
    def bank_name(self) -> str:
        return rules.COLLECTING_BANK_NAME

    @property
    def bank_name_en(self) -> str:
        return rules.COLLECTING_BANK_NAME_EN

    @property
    def account(self) -> str:
        return self.number


def slip_deadline(due_date: dt.date, today: dt.date) -> dt.date:
    """A bill's own due date, or for one already past it, a new deadline some days on."""
    return max(due_date, today + dt.timedelta(days=rules.SLIP_PAYABLE_DAYS))
