"""Reading an upload (name, encoding, layout, size) and writing the result file."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthbank.employers import csvfile, rules
from healthbank.employers.csvfile import FileRefused, Row
from healthbank.employers.tests.helpers import TODAY, csv_bytes

UNIT = "123456789"


def refusal(func, *args, **kwargs) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        func(*args, **kwargs)
    return caught.value


# --- file name ---------------------------------------------------------------------------------


def test_expected_name_is_unit_code_and_roc_date():
    assert csvfile.expected_name(UNIT, TODAY) == "1234567891151123.csv"


@pytest.mark.parametrize(
    "name",
    ["1234567891151123.csv", "1234567891151123.CSV", r"C:\Users\hr\Desktop\1234567891151123.csv"],
)
def test_name_of_today_is_accepted(name):
    assert csvfile.check_name(name, unit_code=UNIT, today=TODAY).lower() == "1234567891151123.csv"


@pytest.mark.parametrize(
    "name",
    [
        "1234567891151122.csv",  # yesterday
        "9876543211151123.csv",  # another unit
        "123456789115112.csv",  # date without its last digit
        "123456789.csv",
    ],
)
def test_wrong_name_says_the_expected_one(name):
    refused = refusal(csvfile.check_name, name, unit_code=UNIT, today=TODAY)
    assert refused.code == "wrong_name"
    assert "1234567891151123.csv" in refused.message


@pytest.mark.parametrize(
    "name", ["1234567891151123.xlsx", "1234567891151123.txt", "1234567891151123"]
)
def test_only_csv_files(name):
    assert refusal(csvfile.check_name, name, unit_code=UNIT, today=TODAY).code == "not_csv"


# --- encodings -----------------------------------------------------------------------------------

ROW = "A123456789,chen@example.com,0912345678,02-12345678#123"


@pytest.mark.parametrize(
    "data",
    [
        csv_bytes(ROW),  # UTF-8 without BOM (and ASCII)
        codecs.BOM_UTF8 + csv_bytes(ROW),  # Excel's "CSV UTF-8"
        csv_bytes(ROW, encoding="cp950"),  # Excel's "CSV (逗號分隔)" in Taiwan
    ],
    ids=["utf-8", "utf-8-bom", "cp950"],
)
def test_excel_encodings_are_read(data):
    assert csvfile.read_rows(data) == [
        Row(1, "A123456789", "chen@example.com", "0912345678", "02-12345678#123")
    ]


def test_chinese_in_cp950_and_utf8_decodes_alike():
    text = "A123456789,王小明@example.com\r\n"
    assert csvfile.decode(text.encode("cp950")) == text
    assert csvfile.decode(text.encode("utf-8")) == text
    assert csvfile.decode(codecs.BOM_UTF8 + text.encode("utf-8")) == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_are_refused(encoding):
    assert refusal(csvfile.read_rows, csv_bytes(ROW, encoding=encoding)).code == "encoding"


def test_binary_is_refused():
    data = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe\x81"  # an .xlsx renamed
    assert refusal(csvfile.read_rows, data).code == "encoding"


# --- layout --------------------------------------------------------------------------------------


def test_optional_columns_may_be_left_out_and_blank_rows_skipped():
    data = csv_bytes("A123456789,a@example.com", ",,,", "", "A223456781,b@example.com,,05-2654321")
    assert csvfile.read_rows(data) == [
        Row(1, "A123456789", "a@example.com", "", ""),
        Row(4, "A223456781", "b@example.com", "", "05-2654321"),
    ]


def test_cells_are_trimmed_and_ids_upper_cased():
    [row] = csvfile.read_rows(csv_bytes(" a123456789 , a@example.com ,0912345678 , "))
    assert row == Row(1, "A123456789", "a@example.com", "0912345678", "")


def test_mobile_that_excel_turned_into_a_number_gets_its_zero_back():
    [row] = csvfile.read_rows(csv_bytes("A123456789,a@example.com,912345678"))
    assert row.mobile == "0912345678"


def test_excel_padding_of_empty_columns_is_not_a_fifth_column():
    rows = csvfile.read_rows(csv_bytes("A123456789,a@example.com,,,", "A223456781,b@x.tw,,,,,"))
    assert len(rows) == 2


def test_more_than_four_columns_says_the_line():
    data = csv_bytes("A123456789,a@example.com", "A223456781,b@example.com,,,陳林秀英")
    refused = refusal(csvfile.read_rows, data)
    assert (refused.code, refused.params) == ("too_many_columns", {"line": 2})
    assert "第 2 列" in str(refused.message)  # zh-Hant, the site's default language


@pytest.mark.parametrize(
    "first_line",
    [
        "身分證號,電子郵件,行動電話,聯絡電話(區碼以#隔開,分機以#隔開)",
        "身份證號,電子郵件",
        "National ID,E-mail,Mobile,Phone",
        ",email",
    ],
)
def test_header_row_is_refused(first_line):
    data = csv_bytes(first_line, "Z987654321,Z987654321@eg.com.tw,0912345678,02-12345678#1234")
    refused = refusal(csvfile.read_rows, data)
    assert refused.code == "header"
    assert "標題列" in str(refused.message)


def test_big5_header_row_is_recognised():
    data = csv_bytes("身分證號,電子郵件,行動電話,聯絡電話", encoding="cp950")
    assert refusal(csvfile.read_rows, data).code == "header"


def test_an_address_with_email_in_it_is_not_a_header():
    [row] = csvfile.read_rows(csv_bytes("A123456789,email@example.com"))
    assert row.email == "email@example.com"


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b",,,\r\n", codecs.BOM_UTF8])
def test_empty_file_is_refused(data):
    assert refusal(csvfile.read_rows, data).code == "empty"


def test_max_rows_are_accepted():
    data = csv_bytes(*(f"A123456789,p{i}@example.com" for i in range(rules.MAX_ROWS)))
    assert len(csvfile.read_rows(data)) == rules.MAX_ROWS


def test_one_row_more_is_refused():
    data = csv_bytes(*(f"A123456789,p{i}@example.com" for i in range(rules.MAX_ROWS + 1)))
    refused = refusal(csvfile.read_rows, data)
    assert refused.code == "too_many_rows"
    assert "5000" in refused.message.replace(",", "")


def test_a_file_past_the_size_limit_is_refused_before_decoding():
    data = b"\xff" * (rules.MAX_FILE_BYTES + 1)  # would not even decode
    assert refusal(csvfile.read_rows, data).code == "too_large"


@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_a_refusal(data):
    try:
        rows = csvfile.read_rows(data)
    except FileRefused as refused:
        assert refused.message
    else:
        assert all(row.line >= 1 for row in rows)


@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=4),
        max_size=20,
    )
)
def test_what_csv_writes_reads_back(records):
    out = io.StringIO(newline="")
    csv.writer(out).writerows(records)
    try:
        rows = csvfile.read_rows(out.getvalue().encode("utf-8"))
    except FileRefused:
        return
    for row in rows:
        assert row.national_id == row.national_id.strip().upper()


# --- the result file -----------------------------------------------------------------------------


def test_result_file_is_utf8_with_bom_and_neutralises_formulas():
    content = csvfile.write_csv(["Line", "E-mail"], [[1, '=HYPERLINK("x")'], [2, "a@b.tw"]])
    assert content.startswith(codecs.BOM_UTF8)
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[:3] == ["Line,E-mail", '1,"\'=HYPERLINK(""x"")"', "2,a@b.tw"]
