"""Oversized and malformed requests (issue 18, item 12): each is answered with a 4xx, the
site's error page in the person's language or an API's {code, message}, and logged at
warning level at most; never a 500, never an error-level record with a traceback."""

from __future__ import annotations

import http.client
import logging
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from healthbank.api import tokens
from healthbank.identity import devices
from healthbank.identity.tests.cardhelpers import registered, seed_personas
from healthbank.ingest import services as ingest
from healthbank.ingest.models import Credential
from healthbank.people.models import Village
from healthbank.records.models import Provider

pytestmark = pytest.mark.django_db

LOGIN = "/login/"  # a public form of the site
BOUNDARY = "hb-boundary"
LONG_NAME = "a" * 100_000


def multipart(*parts: tuple[bytes, bytes]) -> bytes:
    """A multipart body of (part header, content) pairs, as a client would send it."""
    body = b""
    for header, content in parts:
        body += f"--{BOUNDARY}\r\n".encode() + header + b"\r\n\r\n" + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def file_part(name: str, file_name: str, content: bytes = b"x") -> tuple[bytes, bytes]:
    header = f'Content-Disposition: form-data; name="{name}"; filename="{file_name}"'
    return header.encode(), content


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"

# name: (body, content type, status, what the page says in zh-Hant, in English)
CASES = {
    "a 100,000-character file name": (
        multipart(file_part("file", LONG_NAME)), MULTIPART, 400, "無法讀取", "could not be read",
    ),
    "a multipart body without a boundary": (
        b"--x\r\n\r\nhello\r\n--x--", "multipart/form-data", 400, "無法讀取", "could not be read",
    ),
    "a body over DATA_UPLOAD_MAX_MEMORY_SIZE": (
        b"title=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), URLENCODED, 413,
        "太大", "too large",
    ),
    "too many fields": (
        "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)).encode(),
        URLENCODED, 400, "欄位太多", "too many fields",
    ),
    "too many files": (
        multipart(*(file_part(f"f{n}", "a.txt") for n in range(
            settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1))),
        MULTIPART, 400, "檔案太多", "too many files",
    ),
}  # fmt: skip


def errors(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("case", CASES)
def test_the_site_answers_with_its_error_page_in_both_languages(case, caplog):
    body, content_type, status, chinese, english = CASES[case]
    for language, expected in (("zh-hant", chinese), ("en", english)):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        caplog.clear()

        response = client.generic("POST", LOGIN, body, content_type=content_type)

        assert response.status_code == status, case
        page = response.content.decode()
        assert expected in page.split('<main id="main">')[1].lower(), (language, page)
        assert response["Content-Language"] == language
        assert errors(caplog) == []
        assert [r.levelname for r in caplog.records if "Refused" in r.getMessage()] == ["WARNING"]


def test_too_many_fields_in_a_query_string_is_a_400(client, caplog):
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.get(f"{LOGIN}?{query}")
    assert response.status_code == 400 and "欄位太多" in response.content.decode()
    assert errors(caplog) == []


def test_a_query_string_that_is_not_utf8_is_refused(client, caplog):
    page = client.get(f"{LOGIN}?next=%FF%FE")
    assert page.status_code == 400 and "無法辨識" in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "not valid UTF-8" in client.get(f"{LOGIN}?next=%FF%FE").content.decode()
    assert error(client.get("/api/v1/vcard/sites?q=%E9")) == (400, "invalid_encoding")
    assert client.get("/api/v1/vcard/sites?q=%E5%B1%85").status_code == 200  # 居, in UTF-8
    assert errors(caplog) == []


def test_debug_mode_answers_the_same_never_with_a_traceback(client, settings, caplog):
    """The demo runs with DEBUG on, where Django and ninja answer with a debug page."""
    settings.DEBUG = True
    body, content_type, *_ = CASES["a body over DATA_UPLOAD_MAX_MEMORY_SIZE"]
    page = client.generic("POST", LOGIN, body, content_type=content_type)
    assert page.status_code == 413 and "太大" in page.content.decode()
    huge = b'{"national_id": "' + b"A" * 50 * 1024**2 + b'"}'
    api = client.generic("POST", "/api/v1/auth/login", huge, content_type="application/json")
    assert error(api) == (413, "too_large")
    assert errors(caplog) == []


def error(response) -> tuple[int, str]:
    """The API's documented error shape, exactly {code, message}."""
    body = response.json()
    assert set(body) == {"code", "message"} and body["message"], body
    return response.status_code, body["code"]


def test_the_app_api_answers_a_50_mb_or_malformed_json_body_with_its_error_shape(client, caplog):
    def post(body: bytes):
        return client.generic("POST", "/api/v1/auth/login", body, content_type="application/json")

    huge = b'{"national_id": "' + b"A" * 50 * 1024**2 + b'"}'
    assert error(post(huge)) == (413, "too_large")
    assert error(post(b'{"national_id": ')) == (400, "invalid_json")
    assert error(post(b"\x00")) == (400, "invalid_json")
    assert error(post(b'{"national_id": "\xff\xfe"}')) == (400, "invalid_encoding")
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    answer = english.generic("POST", "/api/v1/auth/login", b"{", content_type="application/json")
    assert "not valid JSON" in answer.json()["message"]
    assert "JSON" in post(b"{").json()["message"]  # zh-Hant: 不是有效的 JSON
    assert errors(caplog) == []


def test_the_app_api_answers_broken_multipart_forms_with_its_error_shape(client, caplog):
    seed_personas()
    code, _row = devices.issue_code(account=registered())
    binding = devices.verify_device(code=code, platform="ios", model="x", identifier="hostile")
    bearer = {"Authorization": f"Bearer {tokens.issue_pair(binding)['access_token']}"}

    def post(body: bytes, content_type: str = MULTIPART):
        return client.generic(
            "POST", "/api/v1/vcard/applications", body, content_type=content_type, headers=bearer
        )

    for case, (body, content_type, status, _zh, _en) in CASES.items():
        expected = {400: ("malformed", "too_many_fields", "too_many_files"), 413: ("too_large",)}
        answered, refusal = error(post(body, content_type))
        assert answered == status and refusal in expected[status], case
    lost = multipart((b'Content-Disposition: form-data; name="email"', b"\xff@example.com"))
    assert error(post(lost)) == (400, "invalid_encoding")
    assert errors(caplog) == []


def provider_credential() -> str:
    """A hospital's upload credential (Bearer token)."""
    village = Village.objects.order_by("code").first()
    provider = Provider.objects.create(
        code="3501019999",
        name="測試醫院",
        kind=Provider.Kind.DISTRICT_HOSPITAL,
        county=village.township.county,
        township=village.township,
        address="中山路1號",
    )
    return ingest.issue_credential(credential=Credential(provider=provider, scopes=[]))


def test_the_providers_api_gets_the_same_answers(client, caplog):
    """One mechanism for both APIs: what the upload view raises while reading the form."""
    bearer = {"Authorization": f"Bearer {provider_credential()}"}
    for body, content_type in (
        (b"abc", "multipart/form-data"),
        (multipart(file_part("file", LONG_NAME)), MULTIPART),
    ):
        response = client.generic(
            "POST", "/providers/api/v1/batches", body, content_type=content_type, headers=bearer
        )
        assert error(response) == (400, "malformed")
    query = client.get("/providers/api/v1/batches?name=%ff", headers=bearer)
    assert error(query) == (400, "invalid_encoding")
    assert errors(caplog) == []


def _post_over_http(url: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", path, body, {"Content-Type": MULTIPART, **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_100000_character_file_name_over_a_real_http_server(live_server, caplog):
    caplog.set_level(logging.INFO)
    body = multipart(file_part("file", LONG_NAME, b"hello"))

    status, page = _post_over_http(live_server.url, LOGIN, body, {})
    assert status == 400 and "無法讀取".encode() in page

    token = provider_credential()
    status, answer = _post_over_http(
        live_server.url, "/providers/api/v1/batches", body, {"Authorization": f"Bearer {token}"}
    )
    assert status == 400 and b'"code": "malformed"' in answer
    assert errors(caplog) == []
    assert any("Refused POST /login/" in r.getMessage() for r in caplog.records)
