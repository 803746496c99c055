"""The batch-registration CSV: reading an insured unit's upload, writing its result file.

Reading refuses a whole file (FileRefused) for what makes it unusable: name, type, encoding,
layout, size. Rows are only split into their columns here; checking them against the people
and accounts is the service's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from healthbank.core.rocdate import to_roc
from healthbank.core.spreadsheets import csv_bytes
from healthbank.core.typed import ascii_typed
from healthbank.employers import rules
from healthbank.external.mail import LANGUAGES
from healthbank.people.identifiers import normalise

if TYPE_CHECKING:
    from healthbank.employers.models import BatchRow


class FileRefused(Exception):
    """The whole file is refused; nothing of it is registered or kept."""

    MESSAGES = {
        "not_csv": _(
            "Only .csv files can be uploaded. In Excel, use Save As and choose the file type "
            "CSV (comma delimited)."
        ),
        "wrong_name": _(
            "The file name must be your unit code followed by today's date in the ROC "
            "calendar (YYYMMDD): %(expected)s. Rename the file and upload it again."
        ),
        "too_large": _(
            "The file is too large. Upload at most %(max_rows)s rows at a time; split a "
            "longer list into several files and upload them one after another."
        ),
        "encoding": _(
            "The file could not be read. Save it from Excel as CSV (comma delimited) or "
            "CSV UTF-8, and upload it again."
        ),
        "empty": _(
            "The file is empty. Enter one person per row: national ID, e-mail, mobile, phone."
        ),
        "header": _(
            "Line %(line)s looks like a header row (column titles such as national ID or "
            "e-mail). "
            "Do not upload the header row: delete it, save the file and upload it again."
        ),
        "too_many_columns": _(
            "Line %(line)s has more than 4 columns. Use only columns A to D: national ID, "
            "e-mail, mobile, phone."
        ),
        "too_many_rows": _(
            "The file has more than %(max_rows)s rows. Split it into several files of at "
            "most %(max_rows)s rows and upload them one after another."
        ),
        "unreadable_line": _(
            "Line %(line)s could not be read as CSV (check its quotation marks), so the "
            "file was not accepted."
        ),
    }

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        """In the active language (the messages are lazy)."""
        text = str(self.MESSAGES[self.code])
        return text % self.params if self.params else text


@dataclass(frozen=True)
class Row:
    """One row of the upload as written, trimmed (line = its row number in Excel)."""

    line: int
    national_id: str
    email: str
    mobile: str
    phone: str


def expected_name(unit_code: str, today: dt.date) -> str:
    """1234567891151123.csv: unit code + ROC date (YYYMMDD) of the upload."""
    return f"{unit_code}{to_roc(today, sep='')}{rules.FILE_SUFFIX}"


def _base_name(name: str) -> str:
    # Old browsers send the whole path (C:\Users\...\1234567891050730.csv).
    return re.split(r"[\\/]", name)[-1].strip()


def check_name(name: str, *, unit_code: str, today: dt.date) -> str:
    """The file's own name, if it is the one expected today."""
    base = _base_name(name)
    if not base.lower().endswith(rules.FILE_SUFFIX):
        raise FileRefused("not_csv")
    expected = expected_name(unit_code, today)
    if base.lower() != expected:
        raise FileRefused("wrong_name", expected=expected)
    return base


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or CP950; UTF-16 and binary files are refused."""
    for encoding in rules.ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # UTF-16 of ASCII text decodes as UTF-8 with NULs
            return text
    raise FileRefused("encoding")


def _looks_like_header(cells: list[str]) -> bool:
    return any(
        word in cell.lower() for cell in cells if "@" not in cell for word in rules.HEADER_WORDS
    )


def _mobile(value: str) -> str:
    # Excel turns 0912345678 into the number 912345678 unless the column is text.
    return "0" + value if re.fullmatch(r"9[0-9]{8}", value) else value


def read_rows(data: bytes) -> list[Row]:
    """The rows of an upload, or FileRefused. Blank rows are skipped but keep their line
    numbers; reading stops as soon as the file is known to be too long."""
    if len(data) > rules.MAX_FILE_BYTES:
        raise FileRefused("too_large", max_rows=rules.MAX_ROWS)
    text = decode(data)
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            cells = [cell.strip() for cell in record]
            while cells and not cells[-1]:  # Excel pads rows to the widest one with commas
                cells.pop()
            if not cells:
                continue
            # Before counting columns: the seed's own example header has a comma in it.
            if not rows and _looks_like_header(cells):
                raise FileRefused("header", line=line)
            if len(cells) > rules.MAX_COLUMNS:
                raise FileRefused("too_many_columns", line=line)
            if len(rows) == rules.MAX_ROWS:
                raise FileRefused("too_many_rows", max_rows=rules.MAX_ROWS)
            national_id, email, mobile, phone = cells + [""] * (rules.MAX_COLUMNS - len(cells))
            # Typed in a spreadsheet: full-width IDs and numbers are made ASCII; other
            # scripts' digits stay, and the row's checks refuse them.
            rows.append(
                Row(
                    line,
                    normalise(national_id),
                    email,
                    _mobile(ascii_typed(mobile)),
                    ascii_typed(phone),
                )
            )
    except csv.Error as exc:
        raise FileRefused("unreadable_line", line=line + 1) from exc
    if not rows:
        raise FileRefused("empty")
    return rows


# --- the result file ------------------------------------------------------------------------


def write_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """UTF-8 with a byte-order mark, CRLF, formulas neutralised (values come from the upload)."""
    return csv_bytes(header, rows)


RESULT_HEADER = (_("Line"), _("National ID"), _("E-mail"), _("Result"), _("Reason"))
ACCEPTED, REFUSED = _("Accepted"), _("Refused")  # 受理, 不受理


def bilingual(text: object, params: dict | None = None) -> str:
    """A lazy string in Traditional Chinese, then English (once, while untranslated)."""
    versions: list[str] = []
    for language in LANGUAGES:
        with translation.override(language):
            version = str(text) % params if params else str(text)
        if version not in versions:
            versions.append(version)
    return " / ".join(versions)


def result_file(rows: Iterable[BatchRow]) -> bytes:
    """The result file (上傳註冊結果) mailed to the unit and downloadable from its history:
    line, national ID, e-mail, result, reason."""
    return write_csv(
        [bilingual(label) for label in RESULT_HEADER],
        (
            (
                row.line,
                row.national_id,
                row.email,
                bilingual(ACCEPTED if row.is_accepted else REFUSED),
                bilingual(row.MESSAGES[row.result], row.params),
            )
            for row in rows
        ),
    )
