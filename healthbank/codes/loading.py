"""The code tables (ICD-10-CM, NHI drugs and services, vaccines, lab items ...) from `data/`.

One CSV file per model, named after it (`diagnosis.csv`, `drug.csv` ...), whose header
row is the model's field names; a foreign key's column holds the related code. The
files and their sources are described in `data/SOURCES.md`. Every file is read and
checked before anything is written, and all tables are written in one transaction, so a
bad line leaves the database as it was. Loading again updates rows in place; a row that
has left its file stays in the database, since records may still refer to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from healthbank.codes.models import (
    AtcClass,
    BodySite,
    Department,
    Diagnosis,
    Drug,
    LabItem,
    Service,
    ToothPosition,
    Vaccine,
)
from healthbank.core.datafiles import DataFileError, read_rows, upsert
from healthbank.core.typed import is_ascii_digits

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

DATA_DIR = Path(__file__).resolve().parent / "data"

# Load order: a table comes after the tables its foreign keys point to.
MODELS: tuple[type[models.Model], ...] = (
    Department,
    Diagnosis,
    AtcClass,
    Drug,
    Service,
    LabItem,
    Vaccine,
    ToothPosition,
    BodySite,
)

_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n", ""}


class CodeDataError(DataFileError):
    """A code-table file that cannot be loaded; names the file and line."""


@dataclass(frozen=True)
class _Table:
    model: type[models.Model]
    path: Path
    objects: list[models.Model]


def table_name(model: type[models.Model]) -> str:
    """The table's file stem and key in load_code_tables' result: `diagnosis`, `drug` ..."""
    return model._meta.model_name or ""  # a concrete model always has one


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields]


def _convert(field: models.Field, raw: str, known: dict[str, set[str]]) -> Any:
    """The value of one cell for `field`, or ValueError saying what is wrong with it."""
    value = raw.strip()
    if isinstance(field, models.ForeignKey):
        if not value:
            if not field.null:
                raise ValueError("is required")
            return None
        related = table_name(field.related_model)
        if value not in known[related]:
            raise ValueError(f"{value!r} is not a code in {related}.csv")
        return value
    if isinstance(field, models.BooleanField):
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValueError(f"{value!r} is not 1 or 0")
    if isinstance(field, models.DecimalField):
        if not value:
            if not field.null:
                raise ValueError("is required")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
        return field.clean(number, None)
    if isinstance(field, models.IntegerField):
        if not is_ascii_digits(value):
            raise ValueError(f"{value!r} is not a whole number")
        return field.clean(int(value), None)
    if not value and not field.blank:
        raise ValueError("is required")
    return field.clean(value, None)


def _read(model: type[models.Model], path: Path, known: dict[str, set[str]]) -> list[models.Model]:
    fields = _columns(model)
    names = [f.name for f in fields]
    objects = []
    seen: set[str] = set()
    for line, row in read_rows(path, names, error=CodeDataError, exact=True):
        values = {}
        for field in fields:
            try:
                values[field.attname] = _convert(field, row[field.name], known)
            except ValueError as error:
                raise CodeDataError(path, line, f"{field.name} {error}") from None
            except ValidationError as error:  # a bad choice, too long ...
                detail = "; ".join(str(m) for m in error.messages)
                raise CodeDataError(
                    path, line, f"{field.name} {row[field.name]!r}: {detail}"
                ) from None
        code = values["code"]
        if code in seen:
            raise CodeDataError(path, line, f"code {code} appears twice")
        seen.add(code)
        objects.append(model(**values))
    known[table_name(model)] = seen
    return objects


def read_code_tables(data_dir: Path | None = None) -> list[_Table]:
    """Every table's rows, checked, in load order; raises CodeDataError on a bad line."""
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    known: dict[str, set[str]] = {}
    tables = []
    for model in MODELS:
        path = folder / f"{table_name(model)}.csv"
        tables.append(_Table(model, path, _read(model, path, known)))
    return tables


def load_code_tables(
    stdout: SupportsWrite[str] | None = None, data_dir: Path | None = None
) -> dict[str, int]:
    """Insert or update every code table from its CSV file; returns rows per table."""
    tables = read_code_tables(data_dir)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for table in tables:
            model = table.model
            upsert(model, table.objects, [f.name for f in _columns(model) if not f.primary_key])
            counts[table_name(model)] = len(table.objects)
            if stdout is not None:
                stdout.write(f"{table_name(model)}: {len(table.objects)}\n")
    return counts
