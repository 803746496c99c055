"""CSV: one file per row type, a header row naming the columns, then one row per record; the
schema is schemas/csv.md.

Cells hold the rows.py fields by name. An empty cell is an absent field. A list of codes is
written with semicolons (`I10;E78.5`); a list of orders is a JSON array in its cell. Whole
numbers and true/false are read by the column's field; the rest stays text for validation.
A file that is not UTF-8, or whose header is wrong, is refused whole."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator

from healthbank.ingest.fields import COMMON, FIELDS
from healthbank.ingest.rows import Problem
from healthbank.ingest.rules import MAX_LINE_BYTES

_INTEGER_RE = re.compile(r"-?[0-9]{1,15}")
_KNOWN_COLUMNS = set(COMMON) | {name for spec in FIELDS.values() for name in spec}
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


def rows_from_csv(data: bytes) -> Iterator[tuple[int, dict | Problem]]:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        yield line, Problem(line, "", "the file is not UTF-8; save it as UTF-8 CSV")
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    line = 0
    while True:
        position = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield position, Problem(position, "", f"not valid CSV: {error}")
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
        if sum(len(cell) for cell in cells) > MAX_LINE_BYTES:
            yield position, Problem(position, "", f"the row is longer than {MAX_LINE_BYTES} bytes")
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
        elif field.kind == "codes":
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
