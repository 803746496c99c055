"""Batch registration (健保卡註冊申請整批資料上傳): rows accepted or refused with a reason,
whole files refused with nothing written, the result file mailed to the unit's contact."""

from __future__ import annotations

import codecs
import csv

import pytest
from django.core import mail
from django.utils import translation

from healthbank.core.tests.digits import OTHER_SCRIPTS, full_width, written_in
from healthbank.employers import rules, services
from healthbank.employers.csvfile import FileRefused
from healthbank.employers.models import Batch, BatchRow
from healthbank.employers.tests.helpers import (
    CHEN_ID,
    HUANG_ID,
    LIN_ID,
    NOBODY_ID,
    TODAY,
    WANG_ID,
    WIFE_ID,
    csv_bytes,
    file_name,
)
from healthbank.identity.models import Account, EmailLink
from healthbank.identity.services import register_at_counter, suspend
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db

Result = BatchRow.Result


def upload(unit, data: bytes, name: str | None = None) -> Batch:
    return services.upload_batch(
        unit=unit,
        file_name=name or file_name(unit),
        data=data,
        contact_name="承辦人",
        contact_email="hr@unit.example",
        today=TODAY,
    )


def register_at_counter_(national_id: str) -> Account:
    person = Person.objects.get(national_id=national_id)
    return register_at_counter(person=person, password="Secret-123", staff_id=1)


# Every reason a row is refused, next to rows that are accepted.
MIXED = [
    # Numbers as people write them (core.phones).
    (f"{CHEN_ID},chen@example.com,0912-345-678,(02) 1234-5678#123", Result.ACCEPTED),
    (f"{WIFE_ID},wife@example.com", Result.ACCEPTED),  # his dependant
    (",nobody@example.com", Result.ID_MISSING),
    ("A12345678,x@example.com", Result.ID_INVALID),
    ("A123456788,x@example.com", Result.ID_CHECKSUM),
    (f"{LIN_ID}", Result.EMAIL_MISSING),
    (f"{LIN_ID},not-an-address", Result.EMAIL_INVALID),
    (f"{WANG_ID},wang@example.com,0812345678", Result.MOBILE_INVALID),
    (f"{WANG_ID},wang@example.com,,2654321", Result.PHONE_INVALID),
    (f"{CHEN_ID},again@example.com", Result.DUPLICATE),
    (f"{HUANG_ID},huang@example.com", Result.NOT_INSURED),  # insured at another unit
    (f"{NOBODY_ID},nobody@example.com", Result.NOT_INSURED),  # nobody
    (f"{LIN_ID},lin@example.com", Result.ALREADY_REGISTERED),  # registered at a counter
    (f"{WANG_ID},wang@example.com,,05-2654321", Result.ACCEPTED),  # earlier rows of his bad
]


@pytest.fixture
def mixed_batch(unit, other_unit) -> Batch:
    register_at_counter_(LIN_ID)
    return upload(unit, csv_bytes(*(line for line, _ in MIXED)))


def test_each_row_gets_its_result(mixed_batch):
    rows = list(mixed_batch.rows.order_by("line"))
    assert [(row.line, row.result) for row in rows] == [
        (line, result) for line, (_, result) in enumerate(MIXED, start=1)
    ]
    assert (mixed_batch.row_count, mixed_batch.accepted_count, mixed_batch.refused_count) == (
        14,
        3,
        11,
    )
    assert rows[9].params == {"first_line": 1}
    with translation.override("en"):  # the message is rendered in the reader's language
        assert "line 1 of this file" in rows[9].message


def test_accepted_rows_are_registered_pending_by_the_unit(mixed_batch, unit):
    accounts = Account.objects.filter(channel=Account.Channel.EMPLOYER).select_related("person")
    assert {a.person.national_id for a in accounts} == {CHEN_ID, WIFE_ID, WANG_ID}
    chen = accounts.get(person__national_id=CHEN_ID)
    assert (chen.status, chen.unit, chen.email) == (
        Account.Status.PENDING,
        unit,
        "chen@example.com",
    )
    assert (chen.mobile, chen.phone) == ("0912345678", "0212345678#123")  # the stored form
    row = mixed_batch.rows.get(line=1)  # the upload's record keeps them as written
    assert (row.mobile, row.phone) == ("0912-345-678", "(02) 1234-5678#123")
    assert EmailLink.objects.filter(account=chen, purpose=EmailLink.Purpose.CONFIRM).count() == 1


def test_refused_rows_register_nobody(mixed_batch):
    assert not Account.objects.filter(person__national_id=HUANG_ID).exists()
    lin = Account.objects.get(person__national_id=LIN_ID)
    assert lin.channel == Account.Channel.COUNTER  # left as it was


def test_each_accepted_person_and_the_contact_are_mailed(mixed_batch):
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == ["chen@example.com", "hr@unit.example", "wang@example.com", "wife@example.com"]
    [contact] = [m for m in mail.outbox if m.to == ["hr@unit.example"]]
    assert "0000003881151123.csv" in contact.subject
    assert "Rows: 14. Accepted: 3. Not accepted: 11." in contact.body
    assert "共 14 筆，受理 3 筆，不受理 11 筆" in contact.body
    [(name, content, mimetype)] = contact.attachments
    assert (name, mimetype) == ("0000003881151123_result.csv", "text/csv")
    # Django hands text attachments to the message as text; the BOM stays at the start.
    assert content == services.csvfile.result_file(mixed_batch.rows.order_by("line")).decode()


def test_result_file_lists_every_row_with_result_and_reason(mixed_batch):
    content = services.csvfile.result_file(mixed_batch.rows.order_by("line"))
    assert content.startswith(codecs.BOM_UTF8)
    header, *lines = list(csv.reader(content.decode("utf-8-sig").splitlines()))
    assert [cell.split(" / ")[-1] for cell in header] == [
        "Line",
        "National ID",
        "E-mail",
        "Result",
        "Reason",
    ]
    assert len(lines) == len(MIXED)
    first, third = lines[0], lines[2]
    assert first[:3] == ["1", CHEN_ID, "chen@example.com"]
    assert first[3].endswith("Accepted") and "within 5 days" in first[4]
    assert third[:3] == ["3", "", "nobody@example.com"]
    assert third[3].endswith("Refused") and "Column A (national ID) is empty." in third[4]
    assert "not insured under your unit" in lines[10][4]


def test_suspended_accounts_count_as_registered(unit):
    account = register_at_counter_(CHEN_ID)
    suspend(account=account, reason="test", staff_id=1)
    batch = upload(unit, csv_bytes(f"{CHEN_ID},chen@example.com"))
    assert batch.rows.get().result == Result.ALREADY_REGISTERED


def test_a_pending_application_is_taken_over_by_the_unit(unit):
    upload(unit, csv_bytes(f"{CHEN_ID},old@example.com"))
    batch = upload(unit, csv_bytes(f"{CHEN_ID},new@example.com"))
    assert batch.rows.get().result == Result.ACCEPTED
    assert Account.objects.get(person__national_id=CHEN_ID).email == "new@example.com"


def test_withdrawn_enrolment_is_not_insured_here(unit):
    Person.objects.get(national_id=WIFE_ID).enrolments.update(status="withdrawn")
    batch = upload(unit, csv_bytes(f"{WIFE_ID},wife@example.com"))
    assert batch.rows.get().result == Result.NOT_INSURED


def test_raw_values_are_kept_as_decoded(unit):
    data = csv_bytes(f"{CHEN_ID},王小明@example.com", encoding="cp950")
    row = upload(unit, data).rows.get()
    assert (row.email, row.result) == ("王小明@example.com", Result.EMAIL_INVALID)


def test_big5_and_bomless_utf8_files_are_processed(unit):
    assert upload(unit, csv_bytes(f"{CHEN_ID},a@example.com", encoding="cp950")).accepted_count
    assert upload(unit, csv_bytes(f"{WIFE_ID},b@example.com")).accepted_count


# --- whole files refused -------------------------------------------------------------------------

GOOD_ROW = f"{CHEN_ID},chen@example.com"


def _name(unit, kind: str) -> str:
    return {
        "right": file_name(unit),
        "yesterday": file_name(unit, TODAY.replace(day=22)),
        "other_unit": "1234567891151123.csv",
        "xlsx": file_name(unit).replace(".csv", ".xlsx"),
    }[kind]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("yesterday", csv_bytes(GOOD_ROW), "wrong_name"),
        ("other_unit", csv_bytes(GOOD_ROW), "wrong_name"),
        ("xlsx", csv_bytes(GOOD_ROW), "not_csv"),
        ("right", csv_bytes(GOOD_ROW, encoding="utf-16"), "encoding"),
        ("right", csv_bytes(GOOD_ROW, f"{WIFE_ID},w@example.com,,,extra"), "too_many_columns"),
        ("right", csv_bytes("身分證號,電子郵件,行動電話,聯絡電話", GOOD_ROW), "header"),
        ("right", b"", "empty"),
        (
            "right",
            csv_bytes(GOOD_ROW, *(f"{WIFE_ID},p{i}@example.com" for i in range(100_000))),
            "too_many_rows",
        ),
    ],
    ids=["yesterday", "other-unit", "xlsx", "utf-16", "columns", "header", "empty", "100000"],
)
def test_refused_files_change_nothing(unit, name, data, code):
    with pytest.raises(FileRefused) as refused:
        upload(unit, data, _name(unit, name))
    assert refused.value.code == code
    assert not Batch.objects.exists()
    assert not BatchRow.objects.exists()
    assert not Account.objects.exists()
    assert mail.outbox == []


def test_max_rows_constant_is_the_documented_one():
    assert rules.MAX_ROWS == 5_000


# --- the demo's unit sign-in ---------------------------------------------------------------------


def test_demo_unit_login_is_chen_zhimings_unit(personas):
    code, password = services.ensure_demo_unit_login()
    chen = Person.objects.get(national_id=CHEN_ID)
    assert code == chen.enrolments.get(role="insured", status="active").unit.code
    assert services.authenticate_unit(code=code, password=password) is not None
    assert services.ensure_demo_unit_login() == (code, password)  # idempotent


def test_demo_unit_login_keeps_an_existing_password(unit):
    services.ensure_demo_unit_login()
    assert unit.login.user.check_password("unit-Passw0rd!")


def test_no_demo_unit_login_before_seeding(db):
    assert services.ensure_demo_unit_login() is None


def test_full_width_ids_and_numbers_typed_in_excel_are_read_as_ascii(unit):
    line = f"{full_width(CHEN_ID.lower())},chen@example.com,{full_width('0912345678')}"
    row = upload(unit, csv_bytes(line, encoding="cp950")).rows.get()  # Big5 has full width
    assert (row.result, row.national_id, row.mobile) == (Result.ACCEPTED, CHEN_ID, "0912345678")


@pytest.mark.parametrize("script", list(OTHER_SCRIPTS))
def test_other_scripts_digits_are_refused_as_invalid(unit, script):
    batch = upload(
        unit,
        csv_bytes(
            f"{written_in(CHEN_ID, script)},chen@example.com",
            f"{WIFE_ID},wife@example.com,09{written_in('12345678', script)}",
        ),
    )
    results = list(batch.rows.order_by("line").values_list("result", flat=True))
    assert results == [Result.ID_INVALID, Result.MOBILE_INVALID]
    assert not Account.objects.exists()
