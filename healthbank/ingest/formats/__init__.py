"""Upload formats: each module reads a file into rows (rows.py). Readers are found by format
name and imported when first used, so a format's module can be added on its own."""

from __future__ import annotations

from django.utils.module_loading import import_string

from healthbank.ingest.rows import Reader

READERS = {
    "ndjson": "healthbank.ingest.formats.ndjson.rows_from_ndjson",
    "csv": "healthbank.ingest.formats.csv.rows_from_csv",
    "fhir": "healthbank.ingest.formats.fhir.rows_from_bundle",
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
