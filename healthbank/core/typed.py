"""What people type into identifiers, numbers and codes: full-width forms (Ａ１２３, as a
Chinese input method types them) are made ASCII by NFKC before any check. Digits of other
scripts (Arabic-Indic ١٢٣, Devanagari १२३) are left as they are, so that checks written with
[0-9] (never \\d, which matches them, nor str.isdigit) refuse them."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms


def ascii_typed(value: str) -> str:
    """NFKC: full-width letters, digits, hyphens and spaces become their ASCII forms."""
    return unicodedata.normalize("NFKC", value)


def is_ascii_digits(value: str) -> bool:
    """Only 0-9 (str.isdigit is also true of ١٢٣ and of ²)."""
    return value.isascii() and value.isdigit()


class TypedField(forms.CharField):
    """A text field whose value is normalised with ascii_typed before it is validated."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return ascii_typed(text) if text else text
