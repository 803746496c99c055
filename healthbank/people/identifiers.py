"""Taiwan's personal identifiers: the national ID (身分證統一編號) and the resident
certificate number (居留證統一證號) of foreign residents, both checked by their checksum.

National ID: an area letter, 1 (male) or 2 (female), seven digits, a check digit.
Resident certificate, new format (2021 on): an area letter, 8 (male) or 9 (female),
then the same as a national ID. Old format (until 2031): an area letter, a sex/kind
letter A-D, seven digits and a check digit; the second letter counts as the last digit
of its area code.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from healthbank.core.typed import ascii_typed

# Area letters as the Ministry of the Interior numbers them (I, O, W, X, Y, Z are out of order).
LETTER_CODES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
# Weights of the area code's two digits, then of characters 2 to 10.
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)

# ASCII digits only: \d would also take ١٢٣ (Arabic-Indic) and other scripts' digits.
NATIONAL_ID_RE = re.compile(r"^[A-Z][12][0-9]{8}$")
RESIDENT_NEW_RE = re.compile(r"^[A-Z][89][0-9]{8}$")
RESIDENT_OLD_RE = re.compile(r"^[A-Z][A-D][0-9]{8}$")


def _checksum_ok(value: str) -> bool:
    area = LETTER_CODES[value[0]]
    second = value[1]
    second_digit = LETTER_CODES[second] % 10 if second.isalpha() else int(second)
    digits = [area // 10, area % 10, second_digit, *(int(c) for c in value[2:])]
    return sum(w * d for w, d in zip(WEIGHTS, digits, strict=True)) % 10 == 0


def check_digit(first_nine: str) -> str:
    """The check digit that completes the first nine characters of an identifier."""
    for digit in "0123456789":
        if _checksum_ok(first_nine + digit):
            return digit
    raise ValueError(f"no check digit completes {first_nine!r}")


def is_national_id(value: str) -> bool:
    return bool(NATIONAL_ID_RE.match(value)) and _checksum_ok(value)


def is_resident_certificate(value: str) -> bool:
    return bool(RESIDENT_NEW_RE.match(value) or RESIDENT_OLD_RE.match(value)) and _checksum_ok(
        value
    )


def normalise(value: str) -> str:
    """An ID as a person typed it: full-width characters (Ａ１２３) made ASCII, trimmed, in
    upper case. Other scripts' digits stay, and the checks refuse them."""
    return ascii_typed(value).strip().upper()


def validate_personal_id(value: str) -> None:
    """Model/form validator: a national ID or a resident certificate number."""
    if is_national_id(value) or is_resident_certificate(value):
        return
    if not (
        NATIONAL_ID_RE.match(value) or RESIDENT_NEW_RE.match(value) or RESIDENT_OLD_RE.match(value)
    ):
        raise ValidationError(
            _(
                "Enter a national ID (one letter and nine digits, e.g. A123456789) "
                "or a resident certificate number."
            ),
            code="format",
        )
    raise ValidationError(
        _("This ID number does not pass its check digit; please check for a typing error."),
        code="checksum",
    )
