"""What a registration password may be (identity.passwords): the seed's 6 to 12 characters,
not a common one, not built from the person's national ID, birthday or e-mail, with the
reason in both languages, on every path where a person sets a password."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from healthbank.identity import passwords, services
from healthbank.identity.models import Account
from healthbank.identity.services import IdentityError
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    WIFE_CARD,
    WIFE_ID,
    card_fields,
    card_proof,
    eservice_sign_in,
    registered,
    seed_personas,
    token_in,
)
from healthbank.people.models import InsuredUnit, Person

pytestmark = pytest.mark.django_db

EMAIL = "chen.zhiming@example.com"


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


@pytest.fixture
def chen() -> Person:
    return Person.objects.get(national_id=CHEN_ID)


def reasons(password: str, person: Person | None, emails=(EMAIL,)) -> list[str]:
    try:
        passwords.validate(password, person=person, emails=emails)
    except ValidationError as refused:
        return [error.code for error in refused.error_list]
    return []


def roc(born: dt.date) -> int:
    return born.year - 1911


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Health#2026", "Tea-time-88", "Zz9!kq#2", "我的密碼ab12", "19491001ab"],
)
def test_ordinary_passwords_pass(chen, password):
    assert reasons(password, chen) == []


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!x", "password_length"),
        ("Ab1!x" * 3, "password_length"),
        ("qwerty123", "password_too_common"),
        ("Password1", "password_too_common"),
        ("iloveyou", "password_too_common"),
        ("1qaz2wsx", "password_too_common"),
    ],
)
def test_the_seeds_length_and_common_passwords_are_refused(chen, password, code):
    assert reasons(password, chen) == [code]


@pytest.mark.parametrize(
    "password",
    ["A123456789", "a123456789!", "xy23456789", "Q!345678#", "A12-345-678"],
)
def test_passwords_built_from_the_national_id_are_refused(chen, password):
    assert "password_has_id" in reasons(password, chen)


@pytest.mark.parametrize(
    "form",
    [
        lambda b: f"{b:%Y%m%d}",  # 19660315
        lambda b: f"{b:%y%m%d}",  # 660315
        lambda b: f"{roc(b):03}{b:%m%d}",  # 0550315, as on an ROC form
        lambda b: f"{roc(b)}{b:%m%d}",  # 550315
        lambda b: f"{roc(b)}/{b:%m/%d}",  # 55/03/15
        lambda b: f"{b:%Y-%m-%d}",  # 1966-03-15
        lambda b: f"{b:%m%d%Y}",  # 03151966
    ],
)
def test_passwords_built_from_the_birthday_are_refused_in_western_and_roc_forms(chen, form):
    for password in (
        form(chen.birth_date),
        "Ab" + form(chen.birth_date),
        form(chen.birth_date) + "!",
    ):
        if 6 <= len(password) <= 12:
            assert "password_has_birthday" in reasons(password, chen), password


def test_the_roc_forms_are_of_the_persons_own_birthday(chen):
    born = chen.birth_date
    assert f"{roc(born):03}{born:%m%d}" in passwords.birthday_forms(born)
    assert passwords.birthday_forms(dt.date(1966, 3, 12)) >= {
        "19660312",
        "660312",
        "0550312",
        "550312",
    }
    assert passwords.birthday_forms(dt.date(2016, 10, 27)) >= {"1051027"}  # ROC 105


@pytest.mark.parametrize("password", ["chenzhiming", "Chen.Zhiming1", "zhiming", "ZHIMING#1"])
def test_passwords_built_from_the_email_are_refused(chen, password):
    assert "password_has_email" in reasons(password, chen)


def test_every_reason_is_given_at_once_in_both_languages(chen):
    password = f"{CHEN_ID}"[:6] + f"{chen.birth_date:%y%m%d}"
    said = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                passwords.validate(password, person=chen)
            said[language] = refused.value.messages
    codes = [e.code for e in refused.value.error_list]
    assert codes == ["password_has_id", "password_has_birthday"]
    assert "national ID" in said["en"][0] and "date of birth" in said["en"][1]
    assert "身分證號" in said["zh-hant"][0] and "出生日期" in said["zh-hant"][1]


# --- every path where a person sets a password -------------------------------------------


def _birthday(person: Person) -> str:
    """A password the seed's length allows, built from the person's ROC birthday."""
    return f"Ab{roc(person.birth_date):03}{person.birth_date:%m%d}"


def test_the_services_refuse_what_the_forms_refuse(chen):
    """Any caller of the services (not only the forms) is held to the same rules."""
    weak = _birthday(chen)
    with pytest.raises(IdentityError) as refused:
        services.apply_online(person=chen, password=weak, email=EMAIL)
    assert refused.value.code == "weak_password"
    assert "出生日期" in refused.value.message
    assert not Account.objects.filter(person=chen).exists()

    account = services.register_at_counter(person=chen, password=PASSWORD, staff_id=1)
    calls = [
        lambda: services.register_at_counter(person=chen, password=weak, staff_id=1),
        lambda: services.change_password(
            account=account, old_password=PASSWORD, new_password=weak, session="s"
        ),
    ]
    Account.objects.filter(pk=account.pk).update(status=Account.Status.PENDING)
    for call in calls:
        with pytest.raises(IdentityError) as refused:
            call()
        assert refused.value.code == "weak_password"
    account.user.refresh_from_db()
    assert account.user.check_password(PASSWORD)


def test_online_application(client):
    wife = Person.objects.get(national_id=WIFE_ID)
    household = wife.household
    client.post("/register/apply/", {"accept": "on"})
    client.post(
        "/register/apply/card/",
        {
            **card_fields(WIFE_CARD),
            "household_number": household.number,
            "county": household.village.township.county_id,
            "township": household.village.township_id,
            "village": household.village_id,
            "neighbourhood": household.neighbourhood,
        },
    )
    details = {
        "email": "lin.xiuying@example.com",
        "password": "Xiuying#1",
        "password_again": "Xiuying#1",
    }
    page = client.post("/register/apply/details/", details).content.decode()
    assert "不得由您的電子郵件地址組成" in page
    weak = _birthday(wife)
    weak_details = details | {"password": weak, "password_again": weak}
    page = client.post("/register/apply/details/", weak_details).content.decode()
    assert "出生日期" in page
    assert not Account.objects.filter(person=wife).exists()
    good = details | {"password": "Tea-time-88", "password_again": "Tea-time-88"}
    assert client.post("/register/apply/details/", good)["Location"] == "/register/apply/sent/"


def test_confirming_an_employer_registration(client, chen):
    unit = InsuredUnit.objects.create(code="987654321", name="健康科技", kind="employer")
    services.register_for_unit(person=chen, unit=unit, email=EMAIL)
    url = f"/register/confirm/{token_in(mail.outbox[-1])}/"
    weak = "Zhiming!9"
    client.cookies["django_language"] = "en"
    card = card_fields(CHEN_CARD)
    page = client.post(url, card | {"password": weak, "password_again": weak}).content.decode()
    assert "must not be built from your e-mail address" in page
    # The card reading is kept for the second try: the challenge was not spent.
    response = client.post(url, card | {"password": "Tea-time-88", "password_again": "Tea-time-88"})
    assert "identity/confirmed.html" in [t.name for t in response.templates]
    assert Account.objects.get(person=chen).status == Account.Status.ACTIVE


def test_resetting(client, chen):
    registered(CHEN_ID, email=EMAIL)
    services.request_password_reset(proof=card_proof(CHEN_CARD))
    url = f"/register/reset/{token_in(mail.outbox[-1])}/"
    weak = "A123456789"
    page = client.post(url, card_fields(CHEN_CARD) | {"password": weak, "password_again": weak})
    assert "不得包含您的身分證號" in page.content.decode()
    assert Account.objects.get(person=chen).user.check_password(PASSWORD)


def test_changing(client, chen):
    registered(CHEN_ID, email=EMAIL)
    client.post("/register/", {**card_fields(CHEN_CARD), "password": PASSWORD})
    weak = f"{chen.birth_date:%Y%m%d}"
    data = {"current_password": PASSWORD, "password": weak, "password_again": weak}
    page = client.post("/register/password/", data).content.decode()
    assert "出生日期" in page
    assert Account.objects.get(person=chen).user.check_password(PASSWORD)


def test_counter_registration_by_staff(client, chen, staff_login):
    staff_login(client, User.objects.create_superuser("counter", password=None))
    weak = "qwerty123"
    data = {
        "national_id": CHEN_ID,
        "document_checked": "on",
        "password": weak,
        "password_again": weak,
        "email": EMAIL,
    }
    page = client.post("/staff/identity/account/add/", data).content.decode()
    assert "最常見的密碼" in page
    weak = _birthday(chen)
    weak_data = data | {"password": weak, "password_again": weak}
    page = client.post("/staff/identity/account/add/", weak_data).content.decode()
    assert "出生日期" in page
    assert not Account.objects.filter(person=chen).exists()


def test_the_e_service_mobile_account(client):
    wife = Person.objects.get(national_id=WIFE_ID)
    eservice_sign_in(client, WIFE_ID)
    weak = f"{wife.birth_date:%y%m%d}Ab"
    data = {"password": weak, "password_again": weak, "email": "lin@example.com"}
    page = client.post("/eservice/mobile-account/", data).content.decode()
    assert "出生日期" in page
    assert Account.objects.get(person=wife).status == Account.Status.CERTIFICATE
