"""Hot reads whose SQL costs less than Django takes to build it, built once per process.

A query with a few subqueries and annotations takes Django 1–2 ms of Python to build and
compile, several times what the database needs to answer it. `PreparedQuery` builds the
queryset once per database with stand-in values, finds where those values sit in the
compiled parameters, and from then on runs the same SQL with the caller's values in their
places, converting the rows as Django would (`values()` rows: dicts of Python values).

The queryset must not change shape with its values (no `__in` lists, no None that turns
`=` into `IS NULL`): it is built twice with different stand-ins and refused if the SQL
differs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

# Stand-ins that no query of ours holds as a constant: far-off ids and dates in year 1.
_IDS = itertools.count(-9_000_000_001, -1)
_DAYS = itertools.count(1)


class PreparedQuery:
    """`PreparedQuery(build)`: `build(**values)` returns a `values()` queryset; calling the
    prepared query with the same keyword values returns its rows as a list of dicts."""

    def __init__(
        self, build: Callable[..., QuerySet], routed_as: type[Model] | None = None, **kinds: type
    ) -> None:
        """`kinds` names each value and its type: int (ids) or datetime.date. `routed_as`:
        the model whose reads the database router decides for this query, if not the
        queryset's own (a query of records that starts from the person)."""
        self.build, self.kinds = build, kinds
        self.compiled: dict[str, tuple] = {}  # by database alias
        self.model = routed_as

    def __call__(self, using: str | None = None, **values: Any) -> list[dict[str, Any]]:
        """The rows, read where the database router sends this model's reads (a replica for
        records, core/replicas.py), or from the database `using` names."""
        if using is None:
            if self.model is None:
                self.model = self.build(**self._stand_ins()).model
            using = router.db_for_read(self.model)
        compiler, sql, template, slots = self.compiled.get(using) or self._compile(using)
        connection = connections[using]
        params = list(template)
        for name, positions in slots.items():
            value = _adapt(connection, values[name])
            for position in positions:
                params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        query = compiler.query  # the columns' names, as Django's ValuesIterable finds them
        names = list(query.selected or [*query.values_select, *query.annotation_select])
        rows = compiler.results_iter(results=[rows])
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _compile(self, using: str) -> tuple:
        connection = connections[using]
        first, second = self._stand_ins(), self._stand_ins()
        compiler = self.build(**first).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        other_sql, _ = self.build(**second).query.get_compiler(using=using).as_sql()
        if sql != other_sql:
            raise ValueError(f"{self.build.__qualname__}: its SQL changes with its values")
        slots = {
            name: [i for i, p in enumerate(params) if p == _adapt(connection, stand_in)]
            for name, stand_in in first.items()
        }
        if missing := [name for name, positions in slots.items() if not positions]:
            raise ValueError(f"{self.build.__qualname__}: {missing} not among its parameters")
        self.compiled[using] = (compiler, sql, tuple(params), slots)
        return self.compiled[using]

    def _stand_ins(self) -> dict[str, Any]:
        made: dict[str, Any] = {}
        for name, kind in self.kinds.items():
            if kind is int:
                made[name] = next(_IDS)
            elif kind is dt.date:
                made[name] = dt.date(1, 1, 1) + dt.timedelta(days=next(_DAYS))
            else:
                raise TypeError(f"{name}: a prepared query takes ids and dates, not {kind}")
        return made


def _adapt(connection, value: Any) -> Any:
    """A value as Django's lookups hand it to this database's driver."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return connection.ops.adapt_datefield_value(value)
    return value
