"""Reference data kept as CSV files in the repo (code tables, administrative divisions):
reading them with errors that name the file and line, and upserting them by code."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from django.db import models


class DataFileError(ValueError):
    """A data file that cannot be loaded; names the file and line (0: the file itself)."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {message}")


def read_rows(
    path: Path,
    columns: Iterable[str],
    *,
    error: type[DataFileError] = DataFileError,
    exact: bool = False,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: stripped text}) for each row; the header must name `columns`
    (and nothing else when `exact`)."""
    columns = list(columns)
    if not path.is_file():
        raise error(path, 0, "file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            raise error(path, 1, f"missing column(s): {', '.join(missing)}")
        extra = [c for c in header if c not in columns]
        if exact and extra:
            raise error(path, 1, f"unknown column(s): {', '.join(extra)}")
        for row in reader:
            if None in row or any(row[c] is None for c in columns):
                raise error(path, reader.line_num, "wrong number of fields")
            yield reader.line_num, {c: row[c].strip() for c in columns}


def upsert(model: type[models.Model], objects: Sequence[models.Model], fields: list[str]) -> None:
    """Insert rows, or update `fields` of those whose code is already there."""
    model._default_manager.bulk_create(
        objects, batch_size=500, update_conflicts=True, unique_fields=["code"], update_fields=fields
    )
