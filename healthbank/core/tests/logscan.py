"""Finding personal IDs in a log's text, independently of the filter that masks them: every
national ID or resident certificate number that passes its checksum, also typed in lower case
or URL-encoded (once, or twice as a query inside a query)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote_plus

from healthbank.people.identifiers import is_national_id, is_resident_certificate

# Not inside a longer run of digits: a savepoint's name ("s140243110185856_x1") is no ID.
_CANDIDATE = re.compile(r"(?=([A-Z][1289A-D]\d{8})(?!\d))")


def ids_in(text: str) -> list[tuple[int, str]]:
    """(line number, masked ID) for each ID found; the ID itself is not repeated."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        readable = unquote_plus(unquote_plus(line)).upper()
        for candidate in _CANDIDATE.findall(readable):
            if is_national_id(candidate) or is_resident_certificate(candidate):
                found.append((number, candidate[:2] + "*" * 8))
    return found


def ids_in_file(path: Path) -> list[tuple[int, str]]:
    return ids_in(path.read_text(encoding="utf-8", errors="replace")) if path.exists() else []
