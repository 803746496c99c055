"""Typed identifiers and numbers: full-width made ASCII, other scripts' digits never taken
for digits; and no check of input anywhere matches digits with \\d or str.isdigit."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthbank.core.tests.digits import OTHER_SCRIPTS, full_width, written_in
from healthbank.core.typed import ascii_typed, is_ascii_digits

SOURCE = Path(__file__).resolve().parents[2]  # healthbank/
# \d or str.isdigit/isnumeric/isdecimal in code (comments and docstrings aside, which say
# why they are not used).
UNICODE_DIGITS = re.compile(r"""\\d|\.isdigit\(|\.isnumeric\(|\.isdecimal\(|str\.isdigit""")
# Where they are right: the one ASCII check itself, and the log filter, which masks more
# rather than less.
ALLOWED = {"core/typed.py": 1, "core/logging.py": 3}  # the log mask: masking more is safe

printable = st.text(string.ascii_letters + string.digits + "-#/ ", min_size=1, max_size=20)


def _code_lines(path: Path):
    in_docstring = False
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        quotes = stripped.count('"""')
        if in_docstring or stripped.startswith('"""'):
            if quotes == 1:
                in_docstring = not in_docstring
            continue
        if not stripped.startswith("#"):
            yield line.split("  #")[0]


def test_no_check_of_input_takes_other_scripts_digits_for_digits():
    found = {}
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        hits = [line for line in _code_lines(path) if UNICODE_DIGITS.search(line)]
        if len(hits) != ALLOWED.get(relative, 0):
            found[relative] = hits
    assert found == {}, "use [0-9] or core.typed.is_ascii_digits"


@given(printable)
def test_full_width_typing_becomes_ascii(text):
    assert ascii_typed(full_width(text)) == text


@pytest.mark.parametrize("script", OTHER_SCRIPTS)
@given(digits=st.text(string.digits, min_size=1, max_size=12))
def test_other_scripts_digits_stay_and_are_not_ascii_digits(script, digits):
    other = written_in(digits, script)
    assert other.isdigit()  # what str.isdigit (and \d, int, Decimal) would have let in
    assert ascii_typed(other) == other
    assert not is_ascii_digits(other) and not is_ascii_digits(ascii_typed(other))
    assert is_ascii_digits(ascii_typed(full_width(digits)))
