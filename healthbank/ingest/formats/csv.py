"""CSV: one file per row type, a header row naming the columns, then one row per record; the
schema is schemas/csv.md.

Cells hold the rows.py fields by name. An empty cell is an absent field. A list of codes is
written with semicolons (`I10;E78.5`); a list of orders is a JSON array in its cell. Whole
numbers and true/false are read by the column's field; the rest stays text for validation.
A file that is not UTF-8, or whose header is wrong, is refused whole. The file is read
twice, a block and a record at a time: once to check it is UTF-8, then for its rows."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

from healthbank.ingest.fields import COMMON, FIELDS
from healthbank.ingest.formats import Utf8Check
from healthbank.ingest.rows import Problem
from healthbank.ingest.rules import MAX_LINE_BYTES

_INTEGER_RE = re.compile(r"-?[0-9]{1,15}")
_KNOWN_COLUMNS = set(COMMON) | {name for spec in FIELDS.values() for name in spec}
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


READ_BYTES = 1024 * 1024


class _TooLong(Exception):
    pass


class _Lines:
    """The text's lines for csv.reader, read one at a time. A record may span lines (a
    quoted cell with newlines), so its length is counted across them: past MAX_LINE_BYTES
    it stops the reading (csv.reader cannot skip to the next record; an unclosed quote would
    otherwise swallow the rest of the file)."""

    def __init__(self, text: io.TextIOBase):
        self.text, self.taken = text, 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_LINE_BYTES + 1)
        if not line:
            raise StopIteration
        self.taken += len(line)
        if self.taken > MAX_LINE_BYTES:
            raise _TooLong
        return line


def _first_line_not_utf8(file: BinaryIO) -> int | None:
    check = Utf8Check()
    while block := file.read(READ_BYTES):
        line = check.feed(block)
        if line is not None:
            return line
    return check.end()


def rows_from_csv(file: BinaryIO) -> Iterator[tuple[int, dict | Problem]]:
    # Refused whole, before any row: a file saved in Big5 is wrong everywhere.
    bad_line = _first_line_not_utf8(file)
    if bad_line is not None:
        yield bad_line, Problem(bad_line, "", "the file is not UTF-8; save it as UTF-8 CSV")
        return
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        yield from _rows(text)
    finally:
        text.detach()  # the caller closes the file


def _rows(text: io.TextIOWrapper) -> Iterator[tuple[int, dict | Problem]]:
    lines = _Lines(text)
    reader = csv.reader(lines)
    header: list[str] | None = None
    line = 0
    while True:
        position = line + 1
        lines.taken = 0
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield position, Problem(position, "", f"not valid CSV: {error}")
            return
        except _TooLong:
            message = (
                f"the row is longer than {MAX_LINE_BYTES} bytes (is a quote not closed?); "
                "the rest of the file is not read"
            )
            yield position, Problem(position, "", message)
            return
        line = reader.line_num
        if header is None:
            header = cells
            problem = _header_problem(header)
            if problem:
                yield 1, Problem(1, problem[0], problem[1])
                return
            continue
        if not any(cells):
            continue
        if len(cells) != len(header):
            message = f"the row has {len(cells)} cells and the header {len(header)}"
            yield position, Problem(position, "", message)
            continue
        yield position, _row(position, header, cells)


def _header_problem(header: list[str]) -> tuple[str, str] | None:
    if "type" not in header or "id" not in header:
        return "", "the first row must be the header, with at least the columns type and id"
    for name in header:
        if header.count(name) > 1:
            return name[:100], "the column is named twice"
        if name not in _KNOWN_COLUMNS:
            return name[:100], "unknown column"
    return None


def _row(position: int, header: list[str], cells: list[str]) -> dict | Problem:
    row: dict = {}
    kind = cells[header.index("type")]
    spec = {**FIELDS.get(kind, {}), **COMMON}
    for name, cell in zip(header, cells, strict=True):
        if cell == "":
            continue
        field = spec.get(name)
        value: object = cell
        if field is None:
            pass  # validation names the field unknown for this type
        elif field.kind == "int" and _INTEGER_RE.fullmatch(cell):
            value = int(cell)
        elif field.kind == "bool" and cell.lower() in _TRUE | _FALSE:
            value = cell.lower() in _TRUE
        elif field.kind in {"codes", "choices"}:
            value = [code.strip() for code in cell.split(";")]
        elif field.kind == "orders":
            try:
                value = json.loads(cell)
            except ValueError as error:
                return Problem(position, name, f"not a JSON array: {str(error)[:100]}")
            except RecursionError:
                return Problem(position, name, "not a JSON array: nested too deeply")
        row[name] = value
    return row
