"""The insured units' pages: sign-in, upload, history, details, result file; who may see
them (the unit; not another unit, a person or staff)."""

from __future__ import annotations

import codecs

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from healthbank.employers import services
from healthbank.employers.models import Batch, BatchRow
from healthbank.employers.tests.helpers import (
    CHEN_ID,
    NOBODY_ID,
    PASSWORD,
    TODAY,
    WIFE_ID,
    csv_bytes,
    english_client,
    file_name,
)
from healthbank.identity.models import Account
from healthbank.identity.services import register_at_counter
from healthbank.people.models import InsuredUnit, Person

pytestmark = pytest.mark.django_db

LOGIN = reverse("employers:login")
NEW = reverse("employers:batch_new")
HISTORY = reverse("employers:batches")
WRONG = "The unit code or password is wrong."


def batch_urls(batch: Batch) -> list[str]:
    return [
        reverse("employers:batch", kwargs={"batch_id": batch.pk}),
        reverse("employers:batch_result", kwargs={"batch_id": batch.pk}),
    ]


def captcha_fields() -> dict[str, str]:
    """A fresh image code and its answer, as a person would read it off the image."""
    key = CaptchaStore.generate_key()
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def sign_in(client, code: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"code": code, "password": password, **captcha_fields(), **extra})


def make_batch(unit, *lines: str) -> Batch:
    return services.upload_batch(
        unit=unit,
        file_name=file_name(unit),
        data=csv_bytes(*lines),
        contact_name="承辦人",
        contact_email="hr@unit.example",
        today=TODAY,
    )


# --- sign-in -------------------------------------------------------------------------------------


def test_login_page_shows_an_image_code(unit):
    response = english_client().get(LOGIN)
    assert response.status_code == 200
    assert b"/captcha/image/" in response.content
    assert b"Insured unit code" in response.content


def test_unit_signs_in_with_code_password_and_image_code(unit):
    client = english_client()
    response = sign_in(client, unit.code)
    assert response.status_code == 302 and response.url == NEW
    assert client.get(NEW).status_code == 200


def test_password_is_hashed_with_argon2(unit):
    assert unit.login.user.password.startswith("argon2")


def test_sign_in_goes_back_to_the_page_asked_for(unit):
    client = english_client()
    asked = client.get(HISTORY)
    assert asked.status_code == 302 and asked.url.startswith(LOGIN)
    response = sign_in(client, unit.code, next=HISTORY)
    assert response.url == HISTORY
    assert sign_in(english_client(), unit.code, next="https://evil.example/").url == NEW


@pytest.mark.parametrize("case", ["wrong password", "unknown code", "unit without login"])
def test_failed_sign_in_says_the_same_whatever_is_wrong(unit, other_unit, case):
    code, password = {
        "wrong password": (unit.code, "not-the-password"),
        "unknown code": ("999999999", PASSWORD),
        "unit without login": (InsuredUnit.objects.filter(login=None).first().code, PASSWORD),
    }[case]
    client = english_client()
    response = sign_in(client, code, password)
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert response.wsgi_request.user.is_anonymous
    assert client.get(NEW).status_code == 302


def test_wrong_image_code_refuses(unit):
    client = english_client()
    fields = captcha_fields() | {"captcha_1": "wrong"}
    response = client.post(LOGIN, {"code": unit.code, "password": PASSWORD, **fields})
    assert response.status_code == 200
    assert client.get(NEW).status_code == 302


def test_logout_is_a_post(unit_client):
    assert unit_client.get(reverse("employers:logout")).status_code == 405
    response = unit_client.post(reverse("employers:logout"))
    assert response.url == LOGIN
    assert unit_client.get(NEW).status_code == 302


# --- who may see what ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_unit_sign_in(unit):
    batch = make_batch(unit, f"{CHEN_ID},chen@example.com")
    for url in [NEW, HISTORY, *batch_urls(batch)]:
        response = english_client().get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url


def test_another_units_batch_is_not_found(unit, other_unit_client):
    batch = make_batch(unit, f"{CHEN_ID},chen@example.com")
    for url in batch_urls(batch):
        assert other_unit_client.get(url).status_code == 404, url
    history = other_unit_client.get(HISTORY)
    assert batch.file_name not in history.content.decode()


def test_a_persons_session_gets_404(unit):
    person = Person.objects.get(national_id=WIFE_ID)
    account = register_at_counter(person=person, password="Secret-123", staff_id=1)
    client = english_client()
    client.force_login(account.user)
    batch = make_batch(unit, f"{CHEN_ID},chen@example.com")
    for url in [NEW, HISTORY, *batch_urls(batch)]:
        assert client.get(url).status_code == 404, url


def test_a_staff_session_gets_404(unit):
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    client = english_client()
    client.force_login(staff)
    assert client.get(HISTORY).status_code == 404


def test_a_unit_session_has_no_personal_portal(unit_client):
    assert unit_client.get(reverse("bank:home")).status_code == 404


# --- upload --------------------------------------------------------------------------------------


def test_upload_page_shows_unit_and_prefilled_contact(unit_client, unit, today):
    page = unit_client.get(NEW).content.decode()
    assert unit.code in page and unit.name in page
    assert 'value="承辦人"' in page and 'value="hr@unit.example"' in page
    assert 'accept=".csv"' in page
    assert file_name(unit) in page


def post_file(client, name: str, data: bytes, **fields):
    form = {"contact_name": "王承辦", "contact_email": "wang@unit.example"} | fields
    return client.post(NEW, {**form, "file": SimpleUploadedFile(name, data, "text/csv")})


def test_upload_registers_and_shows_the_batch(unit_client, unit, today):
    data = csv_bytes(f"{CHEN_ID},chen@example.com", f"{NOBODY_ID},x@example.com")
    response = post_file(unit_client, file_name(unit), data)
    batch = Batch.objects.get()
    assert response.status_code == 302 and response.url == batch_urls(batch)[0]
    assert (batch.contact_name, batch.contact_email) == ("王承辦", "wang@unit.example")
    assert batch.uploaded_by == unit.login.user
    assert Account.objects.get().person.national_id == CHEN_ID
    assert sorted(m.to[0] for m in mail.outbox) == ["chen@example.com", "wang@unit.example"]
    page = unit_client.get(response.url).content.decode()
    assert "Accepted: 1; not accepted: 1." in page
    assert "not insured under your unit" in page


def test_refused_file_says_why_and_writes_nothing(unit_client, unit, today):
    response = post_file(unit_client, "1234567891151123.csv", csv_bytes(f"{CHEN_ID},a@b.tw"))
    assert response.status_code == 200
    assert file_name(unit) in response.content.decode()  # the name expected
    header = csv_bytes("身分證號,電子郵件", f"{CHEN_ID},a@b.tw", encoding="cp950")
    response = post_file(unit_client, file_name(unit), header)
    assert "Do not upload the header row" in response.content.decode()
    assert not Batch.objects.exists() and not Account.objects.exists() and not mail.outbox


def test_upload_needs_a_contact_email(unit_client, unit, today):
    response = post_file(
        unit_client, file_name(unit), csv_bytes(f"{CHEN_ID},a@b.tw"), contact_email=""
    )
    assert response.status_code == 200 and not Batch.objects.exists()


def test_a_contact_name_that_is_not_utf8_is_refused_not_stored_with_replacements(
    unit_client, unit, today
):
    """The form as a browser posts it (multipart), with the contact typed in Big5."""
    boundary = "form-boundary"
    parts = [
        ('name="contact_name"', "王承辦".encode("cp950")),
        ('name="contact_email"', b"wang@unit.example"),
        (
            f'name="file"; filename="{file_name(unit)}"\r\nContent-Type: text/csv',
            csv_bytes(f"{CHEN_ID},chen@example.com"),
        ),
    ]
    body = (
        b"".join(
            f"--{boundary}\r\nContent-Disposition: form-data; {head}\r\n\r\n".encode()
            + content
            + b"\r\n"
            for head, content in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    response = unit_client.generic(
        "POST", NEW, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400 and "not valid UTF-8" in response.content.decode()
    assert not Batch.objects.exists() and not Account.objects.exists() and not mail.outbox
    unit.refresh_from_db()
    assert unit.contact_name == "承辦人"


# --- history, details, result file ---------------------------------------------------------------


def test_history_lists_the_units_uploads_newest_first(unit_client, unit):
    first = make_batch(unit, f"{CHEN_ID},chen@example.com")
    second = make_batch(unit, f"{WIFE_ID},wife@example.com", "A123,x")
    page = unit_client.get(HISTORY).content.decode()
    assert page.index(batch_urls(second)[0]) < page.index(batch_urls(first)[0])
    assert batch_urls(first)[1] in page


def test_result_file_download(unit_client, unit):
    batch = make_batch(unit, f"{CHEN_ID},chen@example.com", "A123,x")
    response = unit_client.get(batch_urls(batch)[1])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert batch.result_file_name in response["Content-Disposition"]
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[1].startswith(f"1,{CHEN_ID},chen@example.com,")


def _many_batches(unit, count: int) -> None:
    for i in range(count):
        batch = Batch.objects.create(
            unit=unit, file_name=f"{i}.csv", contact_name="x", contact_email="x@example.com"
        )
        BatchRow.objects.create(
            batch=batch,
            line=1,
            national_id=CHEN_ID,
            email="a@b.tw",
            mobile="",
            phone="",
            result="accepted",
        )


@pytest.mark.parametrize("count", [1, 40])
def test_history_is_a_few_queries_however_many_uploads(
    unit_client, unit, count, django_assert_num_queries
):
    _many_batches(unit, count)
    # session, user (with its personal account: none), the unit's sign-in with its unit,
    # count, page
    with django_assert_num_queries(5):
        response = unit_client.get(HISTORY)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 300])
def test_details_are_a_few_queries_however_many_rows(
    unit_client, unit, rows, django_assert_num_queries
):
    batch = Batch.objects.create(
        unit=unit, file_name="x.csv", contact_name="x", contact_email="x@example.com"
    )
    BatchRow.objects.bulk_create(
        BatchRow(
            batch=batch,
            line=line,
            national_id=CHEN_ID,
            email="a@b.tw",
            mobile="",
            phone="",
            result="duplicate",
            params={"first_line": 1},
        )
        for line in range(1, rows + 1)
    )
    # session, user (with its personal account: none), the unit's sign-in with its unit,
    # the batch, count, page of rows
    with django_assert_num_queries(6):
        response = unit_client.get(batch_urls(batch)[0])
    assert response.status_code == 200
    assert "line 1 of this file" in response.content.decode()


def test_a_signed_in_unit_skips_the_sign_in_page(unit_client):
    assert unit_client.get(LOGIN).url == NEW
