"""Sortable, filterable record lists (the seed's 排序項目 and 選擇…): the query string says how
a list is sorted and filtered, so every view of a list is a link a person can keep or share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Column:
    key: str  # in ?sort=key or ?sort=-key
    label: StrOrPromise
    order_by: tuple[str, ...]  # ascending; descending reverses each field
    numeric: bool = False


@dataclass(frozen=True)
class Sorting:
    columns: tuple[Column, ...]
    key: str
    descending: bool

    @property
    def order_by(self) -> list[str]:
        column = next(c for c in self.columns if c.key == self.key)
        if not self.descending:
            return list(column.order_by)
        return [f[1:] if f.startswith("-") else f"-{f}" for f in column.order_by]

    def headers(self, request: HttpRequest) -> list[dict]:
        """Each column's label, its link (the other direction when it is the current one) and
        its aria-sort, keeping the page's filters."""
        query = request.GET.copy()
        query.pop("page", None)
        out = []
        for column in self.columns:
            current = column.key == self.key
            query["sort"] = column.key if current and self.descending else f"-{column.key}"
            out.append(
                {
                    "label": column.label,
                    "url": "?" + query.urlencode(),
                    "numeric": column.numeric,
                    "aria_sort": ("descending" if self.descending else "ascending")
                    if current
                    else "",
                }
            )
        return out


def sorting(request: HttpRequest, columns: tuple[Column, ...], default: str) -> Sorting:
    """The list's sort from ?sort=, or `default` ("-date"): unknown keys fall back to it."""
    wanted = request.GET.get("sort", default)
    key = wanted.removeprefix("-")
    if key not in {c.key for c in columns}:
        wanted, key = default, default.removeprefix("-")
    return Sorting(columns, key, wanted.startswith("-"))
