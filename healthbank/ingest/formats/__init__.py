"""Upload formats: each module reads a file into rows (rows.py). Readers are found by format
name and imported when first used, so a format's module can be added on its own."""

from __future__ import annotations

import codecs
from collections.abc import Callable

from django.utils.module_loading import import_string

from healthbank.ingest.rows import Reader

READERS = {
    "ndjson": "healthbank.ingest.formats.ndjson.rows_from_ndjson",
    "csv": "healthbank.ingest.formats.csv.rows_from_csv",
    "fhir": "healthbank.ingest.formats.fhir.rows_from_bundle",
}
# Formats read in two halves: a cheap one that cuts the file into raw items by position, and
# a costly one that turns an item into a row (rows.py), which worker processes can run.
SPLIT_READERS = {
    "ndjson": (
        "healthbank.ingest.formats.ndjson.lines_from_ndjson",
        "healthbank.ingest.formats.ndjson.row_from_line",
    ),
}


def reader_for(name: str) -> Reader | None:
    """The reader of a format, or None if the name is unknown or its module is missing."""
    path = READERS.get(name)
    if path is None:
        return None
    try:
        return import_string(path)
    except ImportError:
        return None


class Utf8Check:
    """Checks that a file is UTF-8 as its blocks go by (nothing is kept): `feed` each block,
    then `end`; each returns the line of the first byte that is not UTF-8, or None."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.line = 1

    def feed(self, block: bytes) -> int | None:
        pending = len(self.decoder.getstate()[0])  # a character cut by the previous block
        try:
            self.decoder.decode(block)
        except UnicodeDecodeError as error:
            return self.line + block.count(b"\n", 0, max(error.start - pending, 0))
        self.line += block.count(b"\n")
        return None

    def end(self) -> int | None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return self.line
        return None


def split_reader_for(name: str) -> tuple[Callable, Callable] | None:
    """(cut, decode) of a format read in two halves (SPLIT_READERS), or None: `cut(file,
    after=n)` yields (position, item or Problem) past position n, `decode(position, item)`
    gives the row or a Problem."""
    paths = SPLIT_READERS.get(name)
    if paths is None:
        return None
    return import_string(paths[0]), import_string(paths[1])
