"""The NDJSON and CSV readers: rows by position, and clear refusals of broken files."""

from __future__ import annotations

import io
import json

from healthbank.ingest.formats import ndjson
from healthbank.ingest.formats.csv import rows_from_csv
from healthbank.ingest.formats.ndjson import lines_from_ndjson, rows_from_ndjson
from healthbank.ingest.rows import Problem
from healthbank.ingest.rules import MAX_LINE_BYTES


def read(reader, data: bytes) -> list:
    return [
        (pos, row if isinstance(row, dict) else (row.field, row.message))
        for pos, row in reader(io.BytesIO(data))
    ]


def test_ndjson_reads_a_row_per_line_and_skips_blank_lines():
    data = b'\xef\xbb\xbf{"type": "visit"}\r\n\n  \n{"id": "\xe9\x99\xb3"}'
    assert read(rows_from_ndjson, data) == [(1, {"type": "visit"}), (4, {"id": "陳"})]


def test_ndjson_refuses_a_broken_line_and_reads_on():
    data = b"\n".join(
        [
            b'{"a": ',
            b"[1, 2]",
            b'{"a": NaN}',
            b'{"a": 1, "a": 2}',
            b"\xff\xfe{}",
            b'{"a": "' + b"x" * MAX_LINE_BYTES + b'"}',
            b"[" * 50_000,
            b"1" * 5000,
            b'{"ok": 1}',
        ]
    )
    rows = read(rows_from_ndjson, data)
    assert [pos for pos, _ in rows] == list(range(1, 10))
    messages = [row[1] for _, row in rows[:-1]]
    assert messages[0].startswith("not valid JSON")
    assert messages[1] == "must be one JSON object"
    assert messages[2] == "NaN is not a JSON number"
    assert messages[3] == "the key 'a' appears twice"
    assert "not UTF-8" in messages[4]
    assert "longer than" in messages[5]
    assert messages[6].startswith("not valid JSON")
    assert messages[7].startswith("not valid JSON")
    assert rows[-1] == (9, {"ok": 1})


def test_ndjson_resumed_after_a_line_reads_what_a_whole_read_gives_after_it(monkeypatch):
    """A resumed batch passes the lines up to its checkpoint unread (counting newlines a
    block at a time): blocks of 7 bytes cut lines, a BOM, blank and over-long lines."""
    monkeypatch.setattr(ndjson, "SKIP_BYTES", 7)
    data = b"\n".join(
        [
            b'\xef\xbb\xbf{"n": 1}',
            b"",
            b'{"n": 3}\r',
            b'{"a": "' + b"x" * MAX_LINE_BYTES + b'"}',
            b"   ",
            b'{"n": 6, "text": "a longer line than one block"}',
            b'{"n": 7}',
        ]
    )
    whole = list(lines_from_ndjson(io.BytesIO(data)))
    for after in range(0, 9):
        resumed = list(lines_from_ndjson(io.BytesIO(data), after=after))
        assert resumed == [(line, raw) for line, raw in whole if line > after]


def test_csv_reads_cells_by_the_columns_fields():
    orders = json.dumps([{"drug": "AC57114100", "days": 28, "quantity": 28}])
    data = (
        "type,id,national_id,copayment,chronic_refill,diagnoses,drug_orders,card_sequence\n"
        f'visit,V1,A100000001,50,true,I10;E78.1,"{orders.replace(chr(34), chr(34) * 2)}",0001\n'
        "\n"
        'visit,"V\n2",A100000001,x,,I10,,\n'
    ).encode()
    rows = read(rows_from_csv, data)
    assert rows[0] == (
        2,
        {
            "type": "visit",
            "id": "V1",
            "national_id": "A100000001",
            "copayment": 50,
            "chronic_refill": True,
            "diagnoses": ["I10", "E78.1"],
            "drug_orders": [{"drug": "AC57114100", "days": 28, "quantity": 28}],
            "card_sequence": "0001",
        },
    )
    # A record over two lines is at the line it starts on; "x" is left for validation.
    assert rows[1] == (
        4,
        {
            "type": "visit",
            "id": "V\n2",
            "national_id": "A100000001",
            "copayment": "x",
            "diagnoses": ["I10"],
        },
    )


def test_csv_refuses_a_file_that_is_not_utf8_whole():
    data = "type,id\nvisit,V1\nvisit,陳\n".encode("big5")
    assert read(rows_from_csv, data) == [(3, ("", "the file is not UTF-8; save it as UTF-8 CSV"))]


def test_csv_refuses_a_wrong_header():
    assert read(rows_from_csv, b"id,colour\n")[0][1][1].startswith("the first row must be")
    assert read(rows_from_csv, b"type,id,colour\nvisit,1,red\n") == [
        (1, ("colour", "unknown column"))
    ]
    assert read(rows_from_csv, b"type,id,id\n") == [(1, ("id", "the column is named twice"))]


def test_csv_refuses_rows_of_the_wrong_width_and_bad_json_cells():
    data = b'type,id,drug_orders\nvisit,1\nvisit,2,"[{"\n'
    rows = list(rows_from_csv(io.BytesIO(data)))
    assert [pos for pos, _ in rows] == [2, 3]
    assert all(isinstance(row, Problem) for _, row in rows)
    assert rows[1][1].field == "drug_orders"
