"""Taiwan's administrative divisions (縣市, 鄉鎮市區, 村里) from the CSV files in `data/`.

The files and their sources are described in `data/SOURCES.md`. Every file is read and
checked before anything is written, so a bad line leaves the database as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from healthbank.core.datafiles import DataFileError, read_rows, upsert
from healthbank.core.typed import is_ascii_digits
from healthbank.people.models import County, Township, Village

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

DATA_DIR = Path(__file__).resolve().parent / "data"

COUNTY_CODE = re.compile(r"[0-9]{5}")
TOWNSHIP_CODE = re.compile(r"[0-9]{8}")
VILLAGE_CODE = re.compile(r"[0-9]{11}")
AREA_LETTER = re.compile(r"[A-Z]")
POSTAL_CODE = re.compile(r"[0-9]{3}")


class DivisionDataError(DataFileError):
    """A division file that cannot be loaded; names the file and line."""


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]


def _read(path: Path, columns: list[str]) -> Iterator[_Row]:
    for line, values in read_rows(path, columns, error=DivisionDataError):
        yield _Row(line, values)


def _check(path: Path, row: _Row, column: str, test: Callable[[str], bool], what: str) -> str:
    value = row.values[column]
    if not test(value):
        raise DivisionDataError(path, row.line, f"{column} {value!r} is not {what}")
    return value


def _code(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda value: pattern.fullmatch(value) is not None


def _name(limit: int) -> Callable[[str], bool]:
    return lambda value: 0 < len(value) <= limit


def _unique(path: Path, row: _Row, code: str, seen: set[str]) -> None:
    if code in seen:
        raise DivisionDataError(path, row.line, f"code {code} appears twice")
    seen.add(code)


def _read_counties(data_dir: Path) -> list[County]:
    path = data_dir / "counties.csv"
    counties: list[County] = []
    seen: set[str] = set()
    for row in _read(path, ["code", "letter", "name_zh", "name_en"]):
        code = _check(path, row, "code", _code(COUNTY_CODE), "a five-digit county code")
        _unique(path, row, code, seen)
        counties.append(
            County(
                code=code,
                letter=_check(path, row, "letter", _code(AREA_LETTER), "an upper-case letter"),
                name_zh=_check(path, row, "name_zh", _name(10), "a name of 1-10 characters"),
                name_en=_check(path, row, "name_en", _name(40), "a name of 1-40 characters"),
            )
        )
    return counties


def _read_townships(data_dir: Path, county_codes: set[str]) -> list[Township]:
    path = data_dir / "townships.csv"
    townships: list[Township] = []
    seen: set[str] = set()
    columns = ["code", "county", "name_zh", "name_en", "postal_code", "population"]
    for row in _read(path, columns):
        code = _check(path, row, "code", _code(TOWNSHIP_CODE), "an eight-digit township code")
        _unique(path, row, code, seen)
        county = _check(path, row, "county", county_codes.__contains__, "a county code")
        if not code.startswith(county):
            raise DivisionDataError(path, row.line, f"code {code} is not in county {county}")
        _check(path, row, "population", is_ascii_digits, "a whole number")
        townships.append(
            Township(
                code=code,
                county_id=county,
                name_zh=_check(path, row, "name_zh", _name(10), "a name of 1-10 characters"),
                name_en=_check(path, row, "name_en", _name(40), "a name of 1-40 characters"),
                postal_code=_check(
                    path, row, "postal_code", _code(POSTAL_CODE), "a three-digit postal code"
                ),
            )
        )
    return townships


def _read_villages(data_dir: Path, township_codes: set[str]) -> list[Village]:
    path = data_dir / "villages.csv"
    villages: list[Village] = []
    seen: set[str] = set()
    for row in _read(path, ["code", "township", "name_zh", "name_en"]):
        code = _check(path, row, "code", _code(VILLAGE_CODE), "an eleven-digit village code")
        _unique(path, row, code, seen)
        township = _check(path, row, "township", township_codes.__contains__, "a township code")
        if not code.startswith(township):
            raise DivisionDataError(path, row.line, f"code {code} is not in township {township}")
        villages.append(
            Village(
                code=code,
                township_id=township,
                name_zh=_check(path, row, "name_zh", _name(10), "a name of 1-10 characters"),
                name_en=_check(path, row, "name_en", _name(40), "a name of 1-40 characters"),
            )
        )
    return villages


def load_divisions(
    stdout: SupportsWrite[str] | None = None, data_dir: Path | None = None
) -> dict[str, int]:
    """Insert or update every county, township and village in the data files.

    Idempotent: a second run changes nothing. Rows missing from the files are kept,
    since households may still point at them. Returns the number of rows per table.
    """
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    counties = _read_counties(data_dir)
    townships = _read_townships(data_dir, {c.code for c in counties})
    villages = _read_villages(data_dir, {t.code for t in townships})
    with transaction.atomic():
        upsert(County, counties, ["letter", "name_zh", "name_en"])
        upsert(Township, townships, ["county", "name_zh", "name_en", "postal_code"])
        upsert(Village, villages, ["township", "name_zh", "name_en"])
    counts = {"counties": len(counties), "townships": len(townships), "villages": len(villages)}
    if stdout is not None:
        for table, count in counts.items():
            stdout.write(f"{table}: {count}\n")
    return counts


def township_weights(data_dir: Path | None = None) -> dict[str, int]:
    """Township code → approximate 2023 population, for sampling where people live."""
    path = (Path(data_dir) if data_dir is not None else DATA_DIR) / "townships.csv"
    weights: dict[str, int] = {}
    for row in _read(path, ["code", "population"]):
        population = _check(path, row, "population", is_ascii_digits, "a whole number")
        weights[row.values["code"]] = int(population)
    return weights


def synthetic_townships(data_dir: Path | None = None) -> list[str]:
    """Codes of the townships whose villages are in `villages.csv`: where synthetic people live."""
    path = (Path(data_dir) if data_dir is not None else DATA_DIR) / "villages.csv"
    return sorted({row.values["township"] for row in _read(path, ["township"])})
