"""The NHI Express JSON API (/api/v1): every endpoint's success and refusals, with the
owner (陳志明), his wife (another account) and a caller without a token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from healthbank.api.models import ApiToken
from healthbank.audit.models import AuditEvent
from healthbank.core.tests.digits import OTHER_SCRIPTS, full_width, written_in
from healthbank.downloads.models import PackageRequest
from healthbank.identity import devices
from healthbank.identity.models import Account, DeviceCode
from healthbank.identity.tests.cardhelpers import (
    CHEN_ID,
    PASSWORD,
    WIFE_ID,
    registered,
    seed_personas,
)
from healthbank.records.models import LabResult, Visit

pytestmark = pytest.mark.django_db

IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}
HTC = {"platform": "android", "model": "htc_HTC_M8x", "identifier": "FA4AHWM00296,9110dbee4e"}


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


@pytest.fixture
def chen() -> Account:
    return registered()


@pytest.fixture
def wife() -> Account:
    return registered(WIFE_ID, email="lin@example.com")


def post(client, path, body=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        f"/api/v1{path}", body or {}, content_type="application/json", headers=headers
    )


def get(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", headers=headers)


def verify(client, account, device=IPHONE) -> str:
    code, _row = devices.issue_code(account=account)
    response = post(client, "/devices/verify", {"code": code, **device})
    assert response.status_code == 201, response.json()
    return response.json()["device_credential"]


def login(client, credential, device=IPHONE, national_id=CHEN_ID, password=PASSWORD):
    return post(
        client,
        "/auth/login",
        {
            "national_id": national_id,
            "password": password,
            "identifier": device["identifier"],
            "device_credential": credential,
        },
    )


@pytest.fixture
def tokens(client, chen) -> dict:
    response = login(client, verify(client, chen))
    assert response.status_code == 200, response.json()
    return response.json()


# --- device verification ---------------------------------------------------------------


def test_verify_returns_a_credential_stored_only_as_a_hash(client, chen):
    code, _row = devices.issue_code(account=chen)
    response = post(client, "/devices/verify", {"code": code, **IPHONE})
    assert response.status_code == 201
    body = response.json()
    assert body["account"] == "A12345****"
    stored = chen.device_bindings.get().api_credentials.get()
    assert body["device_credential"] not in stored.secret_hash
    assert len(stored.secret_hash) == 64


def test_verify_refuses_a_reused_code(client, chen):
    code, _row = devices.issue_code(account=chen)
    post(client, "/devices/verify", {"code": code, **IPHONE})
    response = post(client, "/devices/verify", {"code": code, **HTC})
    assert response.status_code == 409
    assert response.json()["code"] == "used"
    assert response.json()["message"]


def test_verify_refuses_an_expired_code(client, chen):
    code, _row = devices.issue_code(account=chen)
    DeviceCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = post(client, "/devices/verify", {"code": code, **IPHONE})
    assert (response.status_code, response.json()["code"]) == (410, "expired")


def test_verify_refuses_an_unknown_code_and_a_missing_field(client, chen):
    response = post(client, "/devices/verify", {"code": "ZZZZZZZZ", **IPHONE})
    assert (response.status_code, response.json()["code"]) == (404, "unknown")
    response = post(client, "/devices/verify", {"code": "ZZZZZZZZ"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")


def test_verify_is_throttled_after_many_wrong_codes(client, chen):
    from healthbank.identity import rules

    for _attempt in range(rules.DEVICE_VERIFY_FAILURES_PER_DEVICE):
        post(client, "/devices/verify", {"code": "ZZZZZZZZ", **IPHONE})
    code, _row = devices.issue_code(account=chen)
    response = post(client, "/devices/verify", {"code": code, **IPHONE})
    assert (response.status_code, response.json()["code"]) == (429, "throttled")


@pytest.mark.parametrize(
    "path,body",
    [
        ("/devices/verify", {"code": "A\x00", "platform": "ios", "identifier": "a\x00"}),
        (
            "/auth/login",
            {"national_id": "A\x00", "password": "x", "identifier": "a", "device_credential": "x"},
        ),
        ("/auth/refresh", {"refresh_token": "x\x00"}),
    ],
)
def test_nul_characters_are_refused_as_invalid(client, path, body):
    response = post(client, path, body)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")


# --- sign-in ---------------------------------------------------------------------------


def test_login_from_the_active_device_gives_a_token_pair(client, chen):
    response = login(client, verify(client, chen))
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == settings.API_ACCESS_TOKEN_MINUTES * 60
    assert ApiToken.objects.filter(binding__account=chen).count() == 2
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).latest("pk")
    assert event.person_id == chen.person_id


def test_login_refused_without_the_device_credential(client, chen):
    verify(client, chen)
    response = login(client, "not-the-credential")
    assert (response.status_code, response.json()["code"]) == (403, "device_not_verified")
    chen.refresh_from_db()
    assert chen.failed_logins == 0  # no password was tried


def test_login_refused_from_an_inactive_device(client, chen):
    credential = verify(client, chen)
    verify(client, chen, HTC)  # the newer device becomes the only active one
    response = login(client, credential)
    assert (response.status_code, response.json()["code"]) == (403, "device_not_verified")


def test_login_refused_for_another_persons_id(client, chen, wife):
    credential = verify(client, chen)
    response = login(client, credential, national_id=WIFE_ID)
    assert (response.status_code, response.json()["code"]) == (403, "device_not_verified")


def test_wrong_passwords_count_toward_the_lockout(client, chen):
    credential = verify(client, chen)
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = login(client, credential, password="Wrong#2026")
        assert (response.status_code, response.json()["code"]) == (401, "invalid_login")
    chen.refresh_from_db()
    assert chen.is_locked
    # The verified device may be told the account is locked, whatever the password.
    for password in (PASSWORD, "Wrong#2026"):
        response = login(client, credential, password=password)
        assert (response.status_code, response.json()["code"]) == (403, "locked")
    chen.refresh_from_db()
    assert chen.failed_logins == settings.LOGIN_FAILURE_LIMIT  # no longer counted


def test_login_with_a_full_width_national_id(client, chen):
    credential = verify(client, chen)
    response = login(client, credential, national_id=full_width(CHEN_ID.lower()))
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("script", list(OTHER_SCRIPTS))
def test_login_with_other_scripts_digits_in_the_id_is_nobodys(client, chen, script):
    credential = verify(client, chen)
    response = login(client, credential, national_id=written_in(CHEN_ID, script))
    assert (response.status_code, response.json()["code"]) == (403, "device_not_verified")
    chen.refresh_from_db()
    assert chen.failed_logins == 0


def test_login_refused_for_a_suspended_account(client, chen):
    credential = verify(client, chen)
    Account.objects.filter(pk=chen.pk).update(status=Account.Status.SUSPENDED)
    response = login(client, credential)
    assert (response.status_code, response.json()["code"]) == (403, "suspended")


# --- tokens ----------------------------------------------------------------------------


def test_requests_without_a_good_token_are_refused(client, tokens):
    assert get(client, "/devices").json()["code"] == "token_invalid"
    response = get(client, "/devices", token="made-up")
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")


def test_an_expired_access_token_is_refused(client, tokens):
    ApiToken.objects.filter(kind="access").update(expires_at=timezone.now())
    response = get(client, "/devices", token=tokens["access_token"])
    assert (response.status_code, response.json()["code"]) == (401, "token_expired")


def test_disabling_the_device_ends_its_tokens_at_once(client, chen, tokens):
    binding = chen.device_bindings.get()
    devices.disable(account=chen, binding_id=binding.pk)
    response = get(client, "/devices", token=tokens["access_token"])
    assert (response.status_code, response.json()["code"]) == (401, "device_inactive")
    response = post(client, "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert response.json()["code"] == "device_inactive"


def test_refresh_rotates_the_pair(client, tokens):
    response = post(client, "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    fresh = response.json()
    assert get(client, "/devices", token=fresh["access_token"]).status_code == 200
    again = post(client, "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert (again.status_code, again.json()["code"]) == (401, "token_invalid")
    old = get(client, "/devices", token=tokens["access_token"])
    assert old.json()["code"] == "token_invalid"


def test_an_access_token_is_not_a_refresh_token(client, tokens):
    response = post(client, "/auth/refresh", {"refresh_token": tokens["access_token"]})
    assert response.json()["code"] == "token_invalid"


def test_logout_revokes_the_pair(client, tokens):
    assert post(client, "/auth/logout", token=tokens["access_token"]).status_code == 204
    response = get(client, "/devices", token=tokens["access_token"])
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")
    response = post(client, "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert response.json()["code"] == "token_invalid"


# --- devices, today's data, records ------------------------------------------------------


def test_device_list_is_the_accounts_devices(client, chen, wife, tokens):
    verify(client, wife, HTC)
    response = get(client, "/devices", token=tokens["access_token"])
    assert response.status_code == 200
    (device,) = response.json()
    assert device["this_device"] and device["active"]
    assert device["platform"] == "ios"
    assert IPHONE["identifier"] not in device["identifier"]


def test_today_request_and_status(client, chen, tokens):
    response = post(client, "/today", token=tokens["access_token"])
    assert response.status_code == 202
    request_id = response.json()["request_id"]
    assert response.json()["status"] == "pending"
    package = PackageRequest.objects.get(pk=request_id)
    assert package.person_id == chen.person_id
    response = get(client, f"/today/{request_id}", token=tokens["access_token"])
    assert (response.status_code, response.json()["status"]) == (200, "pending")


def test_too_many_today_requests_are_refused(client, tokens):
    for _attempt in range(settings.DOWNLOAD_MAX_IN_FLIGHT):
        post(client, "/today", token=tokens["access_token"])
    response = post(client, "/today", token=tokens["access_token"])
    assert (response.status_code, response.json()["code"]) == (409, "too_many")


def test_another_persons_today_request_is_not_found(client, wife, tokens):
    theirs = PackageRequest.objects.create(
        person=wife.person,
        requested_by=wife.person,
        requested_at=timezone.now(),
        categories=[],
        serial=1,
        file_name="x.zip",
    )
    response = get(client, f"/today/{theirs.pk}", token=tokens["access_token"])
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_categories(client, tokens):
    response = get(client, "/categories", token=tokens["access_token"])
    codes = [category["code"] for category in response.json()]
    assert "outpatient" in codes and "labs" in codes


def test_records_are_only_the_persons_rows(client, chen, tokens):
    response = get(client, "/records/outpatient", token=tokens["access_token"])
    assert response.status_code == 200
    rows = response.json()
    mine = Visit.objects.filter(person=chen.person, kind__in=("western", "pharmacy"))
    assert rows and len(rows) <= mine.count()
    assert {(row["date"], row["points"]) for row in rows} <= {
        (visit.visit_date.isoformat(), visit.points) for visit in mine
    }
    labs = get(client, "/records/labs", token=tokens["access_token"]).json()
    assert len(labs) <= LabResult.objects.filter(person=chen.person).count()
    assert all(row["item"] for row in labs)


def test_records_of_an_unknown_category_are_not_found(client, tokens):
    response = get(client, "/records/nonsense", token=tokens["access_token"])
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_openapi_document_lists_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/devices/verify",
        "/api/v1/devices/verify-phone",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/devices",
        "/api/v1/today",
        "/api/v1/today/{request_id}",
        "/api/v1/categories",
        "/api/v1/records/{category}",
        "/api/v1/records/{category}/{record_id}",
    ):
        assert path in paths


def test_a_refusal_is_explained_in_chinese_unless_english_is_chosen(client, chen):
    code, _row = devices.issue_code(account=chen)
    post(client, "/devices/verify", {"code": code, **IPHONE})
    body = post(client, "/devices/verify", {"code": code, **HTC}).json()
    assert body["message"].startswith("此裝置認證碼已使用過")
    client.cookies["django_language"] = "en"
    body = post(client, "/devices/verify", {"code": code, **HTC}).json()
    assert body["message"].startswith("This device verification code has already been used")
