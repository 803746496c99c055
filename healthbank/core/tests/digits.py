"""Digits as people of other scripts (or a Chinese input method) type them, for the tests of
every input path: full-width forms must be made ASCII (NFKC), every other script's digits
refused."""

from __future__ import annotations

# The zero of each script whose digits Python's \d, str.isdigit, int() and Decimal() accept.
OTHER_SCRIPTS = {
    "arabic-indic": 0x0660,  # ٠١٢٣
    "extended-arabic-indic": 0x06F0,  # ۰۱۲۳ (Persian, Urdu)
    "devanagari": 0x0966,  # ०१२३
    "bengali": 0x09E6,  # ০১২৩
    "thai": 0x0E50,  # ๐๑๒๓
}


def written_in(text: str, script: str) -> str:
    """The ASCII digits of `text` written in another script (other characters kept)."""
    zero = OTHER_SCRIPTS[script]
    return "".join(chr(zero + int(c)) if "0" <= c <= "9" else c for c in text)


def full_width(text: str) -> str:
    """As a Chinese input method in full-width mode types it: Ａ１２３－４５６."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )
