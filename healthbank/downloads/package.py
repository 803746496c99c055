"""Making the ZIP of a package request: per category and period an HTML, an XML and a FHIR
JSON file, a README and the XML schema, AES-256 encrypted with the person's ID (seed 001:
"下載檔案密碼為您的「身分證號」，首碼英文為大寫").

The ZIP is written to a local scratch file, then kept in the "downloads" storage
(generation.py), from which any host's web process serves it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyzipper
from django.utils import translation

from healthbank.core.months import month_end
from healthbank.downloads import documents
from healthbank.fhir import mapping as fhir
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE, Category
from healthbank.records.rules import Window

SCHEMA = Path(__file__).resolve().parent / "schema" / "healthbank-package.xsd"
MONTHLY = "monthly"


def zip_password(person: Person) -> bytes:
    """The national ID with its first letter upper-case (A123456789)."""
    return (person.national_id[:1].upper() + person.national_id[1:]).encode()


@dataclass(frozen=True)
class Part:
    """One period of one category: its files share this name (門診資料_115年10月.html)."""

    category: Category
    name: str
    period: Window
    rows: list


def parts(person: Person, choices: list[dict], today: dt.date) -> Iterator[Part]:
    """Each chosen category once (合併資料), or once a month with rows (單月份資料)."""
    for choice in choices:
        category = BY_CODE[choice["code"]]
        window = category.window(today)
        rows = category.rows(person, window)
        with translation.override("zh-hant"):
            label = str(category.label)
        if choice.get("mode") != MONTHLY:
            yield Part(category, label, window, rows)
            continue
        months: dict[dt.date, list] = {}
        for row in rows:
            months.setdefault(category.date_of(row).replace(day=1), []).append(row)
        for first in sorted(months, reverse=True):
            period = Window(max(first, window.start), min(month_end(first), window.end))
            name = f"{label}_{first.year - 1911}年{first.month:02d}月"
            yield Part(category, name, period, months[first])


def write_package(
    *, path: Path, person: Person, choices: list[dict], today: dt.date, generated_at: dt.datetime
) -> dict[str, int]:
    """Write the encrypted ZIP to `path` (a local scratch file: the ZIP is written with seeks)
    and return how many rows it holds of each chosen category (all 0: nothing to keep)."""
    counts = {choice["code"]: 0 for choice in choices}
    chosen = []
    with pyzipper.AESZipFile(
        path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(zip_password(person))
        for part in parts(person, choices, today):
            counts[part.category.code] += len(part.rows)
            chosen.append(part)
            args = (part.category, person, part.rows, part.period, generated_at)
            archive.writestr(f"{part.name}.html", documents.html_file(*args))
            archive.writestr(f"{part.name}.xml", documents.xml_file(*args))
            bundle = fhir.fhir_bundle(*args)
            archive.writestr(f"{part.name}.json", json.dumps(bundle, ensure_ascii=False))
        archive.writestr("README.txt", documents.readme_text(chosen, person, generated_at))
        archive.write(SCHEMA, SCHEMA.name)
    return counts
