"""Identifiers and numbers typed on the registration site, the sign-in page, the counter and
the app: full-width ones (typed with a Chinese input method) work as their ASCII forms;
Arabic-Indic, Devanagari and other scripts' digits are refused as invalid."""

from __future__ import annotations

import re

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth.models import User

from healthbank.core.tests.digits import OTHER_SCRIPTS, full_width, written_in
from healthbank.identity import devices
from healthbank.identity.devices import DeviceError
from healthbank.identity.models import Account
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    WIFE_CARD,
    WIFE_ID,
    card_fields,
    registered,
    seed_personas,
)
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db

SCRIPTS = list(OTHER_SCRIPTS)
IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


def _general_sign_in(client, national_id: str, card_number: str):
    html = client.get("/login/").content.decode()
    key = re.search(r'name="password-captcha_0" value="(\w+)"', html).group(1)
    return client.post(
        "/login/",
        {
            "tab": "password",
            "password-national_id": national_id,
            "password-card_number": card_number,
            "password-password": PASSWORD,
            "password-captcha_0": key,
            "password-captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        },
    )


# --- 一般登入: national ID and card number ----------------------------------------------------


@pytest.fixture
def chen() -> Account:
    account = registered()  # confirmed with the card: ID + card number is enough
    return account


def test_a_full_width_id_and_card_number_sign_in(client, chen):
    response = _general_sign_in(client, full_width(CHEN_ID.lower()), full_width("0000 9000 0001"))
    assert response["Location"] == "/bank/"


@pytest.mark.parametrize("script", SCRIPTS)
def test_other_scripts_digits_in_the_id_or_card_number_are_refused(client, chen, script):
    for national_id, card in (
        (written_in(CHEN_ID, script), CHEN_CARD),
        (CHEN_ID, written_in(CHEN_CARD, script)),
    ):
        response = _general_sign_in(client, national_id, card)
        assert response.status_code == 200
        form = response.context["forms"]["password"]
        assert form.errors.keys() & {"national_id", "card_number"}
    assert "_auth_user_id" not in client.session
    chen.refresh_from_db()
    assert chen.failed_logins == 0  # refused as malformed: no password was tried


# --- the registration site: household number, phones ------------------------------------


def _details(client, **fields):
    wife = Person.objects.get(national_id=WIFE_ID)
    household = wife.household
    client.post("/register/apply/", {"accept": "on"})
    card = client.post(
        "/register/apply/card/",
        {
            **card_fields(WIFE_CARD),
            "household_number": full_width(household.number),
            "county": household.village.township.county_id,
            "township": household.village.township_id,
            "village": household.village_id,
            "neighbourhood": household.neighbourhood,
        },
    )
    assert card["Location"] == "/register/apply/details/", "full-width household number"
    data = {"email": "lin@example.com", "password": "Tea-time-88", "password_again": "Tea-time-88"}
    return client.post("/register/apply/details/", data | fields)


def test_full_width_phone_numbers_are_stored_in_ascii(client):
    response = _details(client, mobile=full_width("0912345678"), phone=full_width("02-23456789#12"))
    assert response["Location"] == "/register/apply/sent/"
    account = Account.objects.get(person__national_id=WIFE_ID)
    assert (account.mobile, account.phone) == ("0912345678", "0223456789#12")


@pytest.mark.parametrize("script", SCRIPTS)
def test_other_scripts_digits_in_phone_numbers_are_refused(client, script):
    # The leading 09 and 0 typed in ASCII: only \d would let the rest through.
    response = _details(
        client,
        mobile="09" + written_in("12345678", script),
        phone="0" + written_in("2-23456789", script),
    )
    assert set(response.context["form"].errors) == {"mobile", "phone"}
    assert not Account.objects.filter(person__national_id=WIFE_ID).exists()


@pytest.mark.parametrize("script", SCRIPTS)
def test_other_scripts_digits_in_the_household_number_are_refused(client, script):
    household = Person.objects.get(national_id=WIFE_ID).household
    client.post("/register/apply/", {"accept": "on"})
    response = client.post(
        "/register/apply/card/",
        {
            **card_fields(WIFE_CARD),
            "household_number": written_in(household.number, script),
            "county": household.village.township.county_id,
            "township": household.village.township_id,
            "village": household.village_id,
            "neighbourhood": household.neighbourhood,
        },
    )
    assert "household_number" in response.context["form"].errors


# --- the counter (staff) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "registers"), [("full-width", True)] + [(s, False) for s in SCRIPTS]
)
def test_counter_registration_normalises_full_width_and_refuses_other_digits(
    client, script, registers, staff_login
):
    staff_login(client, User.objects.create_superuser("counter", password=None))
    typed = full_width if script == "full-width" else lambda text: written_in(text, script)
    data = {
        "national_id": typed(WIFE_ID),
        "document_checked": "on",
        "password": "Tea-time-88",
        "password_again": "Tea-time-88",
        "mobile": "09" + typed("12345678"),
    }
    response = client.post("/staff/identity/account/add/", data)
    account = Account.objects.filter(person__national_id=WIFE_ID).first()
    if registers:
        assert response.status_code == 302 and account.mobile == "0912345678"
    else:
        errors = response.context["form"].errors.as_data()
        assert set(errors) == {"national_id", "mobile"}
        assert errors["national_id"][0].code == "format"  # not "no such person"
        assert account is None


# --- typed codes and the app's phone verification ----------------------------------------


def test_a_full_width_device_code_verifies(chen):
    code, _row = devices.issue_code(account=chen)
    typed = full_width(devices.grouped(code).lower())
    assert devices.verify_device(code=typed, **IPHONE).account == chen


@pytest.mark.parametrize("script", SCRIPTS)
def test_other_scripts_digits_of_the_card_are_invalid_card_digits(chen, script):
    with pytest.raises(DeviceError) as refused:
        devices.verify_by_phone(
            card_last4=written_in("0001", script),
            mobile="0912000001",
            national_id=CHEN_ID,
            password=PASSWORD,
            **IPHONE,
        )
    assert refused.value.code == "invalid_card_digits"
    with pytest.raises(DeviceError) as refused:
        devices.verify_by_phone(
            card_last4="0001",
            mobile="09" + written_in("12000001", script),
            national_id=CHEN_ID,
            password=PASSWORD,
            **IPHONE,
        )
    assert refused.value.code == "invalid_mobile"


def test_full_width_phone_verification_binds(chen):
    binding = devices.verify_by_phone(
        card_last4=full_width("0001"),
        mobile=full_width("0912-000-001"),
        national_id=full_width(CHEN_ID),
        password=PASSWORD,
        **IPHONE,
    )
    assert binding.account == chen and binding.active
