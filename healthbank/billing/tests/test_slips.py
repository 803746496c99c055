"""The payment slip's barcodes: the stores' three segments, their check code, valid Code 39,
and the virtual account's check digit."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
from barcode.codex import Code128
from barcode.writer import SVGWriter

from healthbank.billing import rules
from healthbank.billing.slips import (
    Slip,
    account_check_digit,
    code39_svg,
    slip_deadline,
    slip_number,
    store_check_code,
    store_segments,
)

# Code 39 by the standard's table: each character is 5 bars and 4 spaces, narrow (0) or
# wide (1), bar first; characters are separated by a narrow space; * starts and stops.
CODE39 = {
    "0": "000110100", "1": "100100001", "2": "001100001", "3": "101100000",
    "4": "000110001", "5": "100110000", "6": "001110000", "7": "000100101",
    "8": "100100100", "9": "001100100", "A": "100001001", "B": "001001001",
    "C": "101001000", "D": "000011001", "E": "100011000", "F": "001011000",
    "G": "000001101", "H": "100001100", "I": "001001100", "J": "000011100",
    "K": "100000011", "L": "001000011", "M": "101000010", "N": "000010011",
    "O": "100010010", "P": "001010010", "Q": "000000111", "R": "100000110",
    "S": "001000110", "T": "000010110", "U": "110000001", "V": "011000001",
    "W": "111000000", "X": "010010001", "Y": "110010000", "Z": "011010000",
    "-": "010000101", ".": "110000100", " ": "011000100", "*": "010010100",
}  # fmt: skip
DECODE = {pattern: char for char, pattern in CODE39.items()}


def decode_code39_svg(uri: str) -> str:
    """Read the bars back from the SVG: widths and gaps as narrow/wide, the table's
    characters between the start and stop *."""
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    bars = [
        (float(x), float(w))
        for x, w in re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)
    ]
    elements = []  # widths: bar, space, bar, ...
    for i, (x, width) in enumerate(bars):
        elements.append(width)
        if i + 1 < len(bars):
            elements.append(round(bars[i + 1][0] - x - width, 3))
    narrow = min(elements)
    bits = "".join("1" if w > 1.5 * narrow else "0" for w in elements)
    chars = []
    for start in range(0, len(bits), 10):
        pattern = bits[start : start + 9]
        assert pattern in DECODE, f"not a Code 39 character: {pattern}"
        chars.append(DECODE[pattern])
        if start + 9 < len(bits):
            assert bits[start + 9] == "0", "characters are separated by a narrow space"
    text = "".join(chars)
    assert text.startswith("*") and text.endswith("*")
    return text[1:-1]


def test_check_code_sums_odd_and_even_positions_modulo_11():
    # Odd positions: 1+1+3+H(8)+1 = 14, segment 2 none, 1+1+0+0+0+8+6 = 16: 30 % 11 = 8.
    # Even positions: 5+2+1+B(2) = 10, the 16th 1, 5+0+0+0+0+2 = 7: 18 % 11 = 7.
    assert store_check_code("151231HB1", "0000000000000001", "1510000000826") == "87"


def test_check_code_letters_count_as_digits_and_zero_and_ten_are_letters():
    # J–R count 1–9 and S–Z 2–9: J is 1 like A, S is 2 like B.
    assert store_check_code("J", "", "") == store_check_code("A", "", "") == "1X"
    assert store_check_code("S", "", "") == "2X"
    assert store_check_code("", "", "") == "AX"  # 0: A for the odd sum, X for the even
    assert store_check_code("A9", "", "") == "19"
    assert store_check_code("55", "55", "") == "BY"  # 10: B and Y; positions restart


def test_segments_carry_deadline_item_code_number_month_check_and_amount():
    number = slip_number(rules.VIRTUAL_ACCOUNT_KIND_BILL, 4321)
    s1, s2, s3 = store_segments(
        number=number, deadline=dt.date(2026, 12, 31), month=dt.date(2026, 10, 1), amount=1548
    )
    assert s1 == "151231" + rules.STORE_COLLECTION_ITEM_CODE  # ROC 115 → 15, MMDD
    assert s2 == number and len(s2) == 16
    assert s3[:4] == "1510"  # ROC 115/10
    assert s3[6:] == "000001548"
    assert s3[4:6] == store_check_code(s1, s2, "1510000001548")
    assert tuple(map(len, (s1, s2, s3))) == rules.STORE_SEGMENT_LENGTHS


def test_each_barcode_is_valid_code_39_of_its_segment():
    slip = Slip(
        number=slip_number(rules.VIRTUAL_ACCOUNT_KIND_ALL, 77),
        month=dt.date(2026, 10, 1),
        amount=2580,
        deadline=dt.date(2026, 12, 21),
    )
    barcodes = slip.barcodes
    assert len(barcodes) == 3
    for text, image in barcodes:
        assert decode_code39_svg(image) == text


def test_code39_decoder_rejects_what_is_not_code_39():
    out = io.BytesIO()
    Code128("151231HB1", writer=SVGWriter()).write(out, options={"write_text": False})
    with pytest.raises(AssertionError):
        decode_code39_svg("data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode())
    assert decode_code39_svg(code39_svg("AB12")) == "AB12"


def test_slips_above_the_stores_limit_have_no_store_barcodes():
    big = Slip("9527100000000010", dt.date(2026, 10, 1), rules.STORE_MAXIMUM_AMOUNT + 1,
               dt.date(2026, 12, 31))  # fmt: skip
    assert big.segments == () and big.account == "9527100000000010"


def test_virtual_account_number_has_its_check_digit():
    number = slip_number(rules.VIRTUAL_ACCOUNT_KIND_BILL, 123)
    assert number.startswith(rules.VIRTUAL_ACCOUNT_PREFIX + "1") and len(number) == 16
    assert number[-1] == account_check_digit(number[:-1])
    # 3,7,1 weights, the products' units summed: 1*3 + 2*7 + 3*1 = 3 + 4 + 3 = 10 → 0
    assert account_check_digit("123") == "0"
    assert account_check_digit("1") == "7"  # 3 → 10 - 3


def test_a_slip_for_a_bill_past_due_gets_a_new_deadline():
    today = dt.date(2026, 12, 7)
    assert slip_deadline(dt.date(2026, 11, 30), today) == dt.date(2026, 12, 21)
    assert slip_deadline(dt.date(2027, 1, 31), today) == dt.date(2027, 1, 31)
