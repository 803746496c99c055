"""行動電話認證 (seed 004) through POST /api/v1/devices/verify-phone: card number's last four
digits, mobile number and national ID, checked with the carrier, then the password."""

from __future__ import annotations

import pytest
from django.conf import settings

from healthbank.api.tests.test_api import HTC, IPHONE, login, post
from healthbank.audit.models import AuditEvent
from healthbank.identity.models import Account, DeviceBinding, DeviceVerifyFailure
from healthbank.identity.tests.cardhelpers import (
    CHEN_ID,
    PASSWORD,
    registered,
    seed_personas,
)

pytestmark = pytest.mark.django_db

CHEN_MOBILE = "0912000001"  # 陳志明's own monthly plan (synth/personas.py)
HUANG_ID, HUANG_PREPAID = "B123456780", "0912000007"


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


@pytest.fixture
def chen() -> Account:
    return registered()


def verify_phone(
    client,
    *,
    national_id=CHEN_ID,
    mobile=CHEN_MOBILE,
    card_last4="0001",
    password=PASSWORD,
    device=IPHONE,
):
    body = {
        "card_last4": card_last4,
        "mobile": mobile,
        "national_id": national_id,
        "password": password,
        **device,
    }
    return post(client, "/devices/verify-phone", body)


def test_own_monthly_number_binds_the_device_and_the_app_can_sign_in(client, chen):
    response = verify_phone(client, mobile="0912-000-001")
    assert response.status_code == 201, response.json()
    assert response.json()["account"] == "A12345****"
    binding = chen.device_bindings.get()
    assert binding.active and binding.device.identifier == IPHONE["identifier"]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DEVICE_VERIFIED, person=chen.person, detail__via="phone"
    ).exists()
    signed_in = login(client, response.json()["device_credential"])
    assert signed_in.status_code == 200, signed_in.json()


def test_phone_verification_replaces_the_active_device(client, chen):
    verify_phone(client)
    verify_phone(client, device=HTC)
    assert list(
        chen.device_bindings.filter(active=True).values_list("device__model", flat=True)
    ) == ["htc_HTC_M8x"]


@pytest.mark.parametrize(
    "national_id,mobile",
    [
        (HUANG_ID, HUANG_PREPAID),  # prepaid card
        (CHEN_ID, "0912000008"),  # someone else's number (王建志's)
        (CHEN_ID, "0912000009"),  # a company number
        (CHEN_ID, "0987654321"),  # not a subscriber at all
    ],
)
def test_numbers_the_carrier_does_not_confirm_are_refused_with_the_seeds_advice(
    client, national_id, mobile
):
    account = registered(national_id, email="x@example.com")
    card_last4 = account.person.cards.get(status="valid").number[-4:]
    response = verify_phone(client, national_id=national_id, mobile=mobile, card_last4=card_last4)
    assert (response.status_code, response.json()["code"]) == (422, "phone_refused")
    assert "裝置碼認證" in response.json()["message"]
    assert not DeviceBinding.objects.exists()
    client.cookies["django_language"] = "en"
    response = verify_phone(client, national_id=national_id, mobile=mobile, card_last4=card_last4)
    assert "use device-code verification instead" in response.json()["message"]


def test_wrong_card_digits_are_refused_like_a_wrong_sign_in(client, chen):
    response = verify_phone(client, card_last4="9999")
    assert (response.status_code, response.json()["code"]) == (401, "invalid_login")
    assert not DeviceBinding.objects.exists()
    assert DeviceVerifyFailure.objects.count() == 1


def test_wrong_password_counts_toward_the_lockout(client, chen):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = verify_phone(client, password="Wrong-1234")
    assert (response.status_code, response.json()["code"]) == (401, "invalid_login")
    chen.refresh_from_db()
    assert chen.is_locked
    # Card digits and a phone number prove nothing held: the right password is answered as a
    # wrong one, so guessing on cannot find it.
    right, wrong = verify_phone(client), verify_phone(client, password="Wrong-1234")
    assert right.status_code == wrong.status_code == 401
    assert right.json() == wrong.json() and right.json()["code"] == "invalid_login"
    assert not DeviceBinding.objects.exists()


def test_the_carrier_is_not_asked_before_the_password_is_right(client):
    """Only the account holder may learn that a number is not theirs."""
    account = registered(HUANG_ID, email="x@example.com")
    card_last4 = account.person.cards.get(status="valid").number[-4:]
    response = verify_phone(
        client,
        national_id=HUANG_ID,
        mobile=HUANG_PREPAID,
        card_last4=card_last4,
        password="Wrong-1234",
    )
    assert response.json()["code"] == "invalid_login"


def test_an_unregistered_person_is_refused_without_saying_so(client):
    response = verify_phone(client)  # 陳志明 has not registered in this test
    assert (response.status_code, response.json()["code"]) == (401, "invalid_login")


def test_a_missing_device_identifier_is_refused(client, chen):
    response = verify_phone(client, device={"platform": "ios", "identifier": " "})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")


def test_phone_verification_is_throttled_per_device(client, chen):
    from healthbank.identity import rules

    for _attempt in range(rules.DEVICE_VERIFY_FAILURES_PER_DEVICE):
        verify_phone(client, card_last4="9999")
    response = verify_phone(client)
    assert (response.status_code, response.json()["code"]) == (429, "throttled")
    assert not DeviceBinding.objects.exists()


@pytest.mark.parametrize(
    "field,value,code,english",
    [
        ("mobile", "912000001", "invalid_mobile", "10 digits starting with 09"),
        ("mobile", "0912-000-00x", "invalid_mobile", "10 digits starting with 09"),
        ("card_last4", "12a4", "invalid_card_digits", "last 4 digits of the card number"),
        ("card_last4", "123", "invalid_card_digits", "last 4 digits of the card number"),
    ],
)
def test_malformed_details_are_explained_and_nothing_is_counted(
    client, chen, field, value, code, english
):
    response = verify_phone(client, **{field: value})
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert "請" in response.json()["message"]
    client.cookies["django_language"] = "en"
    assert english in verify_phone(client, **{field: value}).json()["message"]
    chen.refresh_from_db()
    assert chen.failed_logins == 0 and not DeviceVerifyFailure.objects.exists()
    assert not DeviceBinding.objects.exists()


def test_an_international_form_of_the_number_is_the_same_number(client, chen):
    assert verify_phone(client, mobile="+886 912 000 001").status_code == 201
