"""CSV for spreadsheets: BOM, CRLF, formulas neutralised, streamed in pieces."""

from __future__ import annotations

import codecs

import pytest

from healthbank.core import spreadsheets
from healthbank.core.spreadsheets import csv_bytes, csv_stream, safe_cell


@pytest.mark.parametrize("formula", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_quoted(formula):
    assert safe_cell(formula) == "'" + formula


@pytest.mark.parametrize(
    ("value", "text"), [("陳○明", "陳○明"), (12, "12"), (None, ""), ("a=b", "a=b")]
)
def test_other_cells_are_left_as_they_are(value, text):
    assert safe_cell(value) == text


def test_the_file_is_utf8_with_a_bom_and_crlf_and_safe_headers_too():
    content = csv_bytes(["時間", "=誰"], [["115/12/07", '=HYPERLINK("x")']])
    assert content.startswith(codecs.BOM_UTF8)
    assert content.decode("utf-8-sig").split("\r\n") == [
        "時間,'=誰",
        '115/12/07,"\'=HYPERLINK(""x"")"',
        "",
    ]


def test_a_long_file_comes_in_pieces(monkeypatch):
    monkeypatch.setattr(spreadsheets, "STREAM_CHUNK", 100)
    pieces = list(csv_stream(["n"], ([n] for n in range(200))))
    assert len(pieces) > 3
    assert b"".join(pieces).decode("utf-8-sig").split("\r\n")[1:3] == ["0", "1"]
