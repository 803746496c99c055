"""CSV that people open in a spreadsheet: UTF-8 with a byte-order mark and CRLF (what Excel
in Taiwan opens without asking), every cell safe from being run as a formula (OWASP "CSV
injection": a cell starting with = + - @ or a tab or return is prefixed with a quote)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A streamed file is sent in pieces of about this many characters.
STREAM_CHUNK = 64 * 1024


def safe_cell(value: object) -> str:
    """Text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    """The whole file at once."""
    return b"".join(csv_stream(header, rows))


def csv_stream(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """The file in pieces, for a StreamingHttpResponse: the byte-order mark, the header, the
    rows, every cell made safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    yield codecs.BOM_UTF8
    writer.writerow([safe_cell(label) for label in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if out.tell() > STREAM_CHUNK:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")
