"""ROC (民國) calendar dates as NHIA prints them: 105/10/27 is 2016-10-27."""

from __future__ import annotations

import datetime as dt
import re

ROC_OFFSET = 1911
_ROC_RE = re.compile(r"^([0-9]{2,3})[/.-]?([0-9]{2})[/.-]?([0-9]{2})$")


def to_roc(value: dt.date, sep: str = "/") -> str:
    """Format a date as a zero-padded ROC date: 092/05/01, 105/10/27 (sep="" gives 1051027)."""
    return f"{value.year - ROC_OFFSET:03d}{sep}{value.month:02d}{sep}{value.day:02d}"


def parse_roc(text: str) -> dt.date:
    """Parse 105/10/27, 105-10-27, 1051027 or 92/05/01; ValueError when it is not a date."""
    match = _ROC_RE.match(text.strip())
    if not match:
        raise ValueError(f"not an ROC date: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year + ROC_OFFSET, month, day)
