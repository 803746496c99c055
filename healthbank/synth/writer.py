"""Bulk writing of generated rows: COPY on PostgreSQL, executemany elsewhere.

Rows are plain tuples in the order of `Table.columns`, with primary keys assigned by
the generator (so that child rows can point at parents before anything is written).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection
from django.db.models import DateTimeField, Max, Model, TimeField


@dataclass
class Table:
    """Rows waiting to be written to one model's table, and the next id to hand out."""

    model: type[Model]
    columns: Sequence[str]  # attnames, without "id" (which is always first)
    next_id: int = 1
    rows: list[tuple] = field(default_factory=list)

    def add(self, *values) -> int:
        row_id = self.next_id
        self.next_id += 1
        self.rows.append((row_id, *values))
        return row_id


def open_table(model: type[Model], columns: Sequence[str]) -> Table:
    attnames = {f.attname for f in model._meta.concrete_fields}
    unknown = set(columns) - attnames
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    start = (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1
    return Table(model=model, columns=tuple(columns), next_id=start)


def write(tables: Iterable[Table]) -> int:
    """Write and empty every table's pending rows, parents first; returns rows written."""
    written = 0
    for table in tables:
        if table.rows:
            _write_rows(table.model, ("id", *table.columns), table.rows)
            written += len(table.rows)
            table.rows.clear()
    return written


def _write_rows(model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        rows = _adapt_for_sqlite(model, columns, rows)
    name = quote(model._meta.db_table)
    column_list = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({column_list}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {name} ({column_list}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )


def _adapt_for_sqlite(model: type[Model], columns: Sequence[str], rows: list[tuple]) -> list[tuple]:
    """SQLite keeps datetimes as UTC text without an offset, and times as text, as Django does."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    adapters = {}
    for i, column in enumerate(columns):
        if isinstance(fields[column], DateTimeField):
            adapters[i] = connection.ops.adapt_datetimefield_value
        elif isinstance(fields[column], TimeField):
            adapters[i] = connection.ops.adapt_timefield_value
    if not adapters:
        return rows
    return [
        tuple(adapters[i](v) if i in adapters else v for i, v in enumerate(row)) for row in rows
    ]


def reset_sequences(models: Iterable[type[Model]]) -> None:
    """After writing explicit ids, point PostgreSQL's sequences past them."""
    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
