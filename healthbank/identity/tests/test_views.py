"""The registration site's and sign-in pages' views: what a person sees for good and bad
input, in both languages, and that signed-in pages only ever show the signed-in person."""

from __future__ import annotations

import re

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.identity import services
from healthbank.identity.models import Account, EmailLink
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    WIFE_CARD,
    WIFE_ID,
    card_fields,
    card_proof,
    registered,
    seed_personas,
    token_in,
)
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


def _captcha(client, url: str, prefix: str) -> dict:
    """Open the page and answer its image code as a person reading the picture would."""
    html = client.get(url).content.decode()
    key = re.search(rf'name="{prefix}-captcha_0" value="(\w+)"', html).group(1)
    response = CaptchaStore.objects.get(hashkey=key).response
    return {f"{prefix}-captcha_0": key, f"{prefix}-captcha_1": response}


def _sign_in_with_card(client, card_number: str = CHEN_CARD, password: str = PASSWORD):
    fields = {f"card-{k}": v for k, v in card_fields(card_number).items()}
    data = {"tab": "card", "card-password": password, **fields}
    data |= _captcha(client, "/login/?tab=card", "card")
    return client.post("/login/", data)


@pytest.mark.parametrize(
    "url",
    [
        "/register/",
        "/register/apply/",
        "/register/resend/",
        "/register/delete/",
        "/register/forgot/",
        "/login/",
        "/login/?tab=card",
        "/login/?tab=certificate",
    ],
)
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_every_public_page_opens_in_both_languages(client, url, language):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    expected = "健保卡" if language == "zh-hant" else "NHI card"
    assert expected in response.content.decode()


def test_the_application_cannot_skip_the_rules(client):
    assert client.get("/register/apply/card/")["Location"] == "/register/apply/"
    response = client.post("/register/apply/", {"csrfmiddlewaretoken": "unticked box"})
    assert "請勾選" in response.content.decode()


def test_application_card_step_gives_field_errors_and_keeps_the_card_reading(client):
    client.post("/register/apply/", {"accept": "on"})
    response = client.post(
        "/register/apply/card/",
        {**card_fields(CHEN_CARD), "household_number": "123", "neighbourhood": "0"},
    )
    form = response.context["form"]
    assert set(form.errors) >= {"household_number", "county", "township", "village"}
    assert "neighbourhood" in form.errors
    assert Account.objects.count() == 0


def _household(national_id: str) -> dict:
    """The registered address as a person picks it in the cascading selects."""
    household = (
        Person.objects.select_related("household__village__township")
        .get(national_id=national_id)
        .household
    )
    return {
        "household_number": household.number.lower(),  # typed in lower case
        "county": household.village.township.county_id,
        "township": household.village.township_id,
        "village": household.village_id,
        "neighbourhood": household.neighbourhood,
    }


def test_online_application_end_to_end_through_the_views(client):
    person = Person.objects.get(national_id=WIFE_ID)
    client.post("/register/apply/", {"accept": "on"})
    response = client.post(
        "/register/apply/card/", {**card_fields(WIFE_CARD), **_household(WIFE_ID)}
    )
    assert response.status_code == 302, response.context["form"].errors
    details = {
        "password": "Lin#2026x",
        "password_again": "Lin#2026x",
        "email": "lin@example.com",
        "mobile": "0912345678",
        "phone": "02-23456789#12",
    }
    bad = client.post("/register/apply/details/", details | {"mobile": "12345"})
    assert "mobile" in bad.context["form"].errors
    response = client.post("/register/apply/details/", details)
    assert response["Location"] == "/register/apply/sent/"
    sent = client.get("/register/apply/sent/").content.decode()
    assert "lin*****@example.com" in sent
    account = Account.objects.get(person=person)
    assert account.status == Account.Status.PENDING
    assert len(mail.outbox) == 1


def test_the_details_step_needs_a_recent_card_reading(client):
    response = client.get("/register/apply/details/")
    assert response["Location"] == "/register/apply/card/"


def test_confirm_page_refuses_tampered_and_used_links(client):
    registered()
    response = client.get("/register/confirm/not-a-real-token/")
    assert response.status_code == 410
    assert "連結無效" in response.content.decode()


def test_card_login_starts_a_session_and_shows_the_previous_sign_in(client):
    registered()
    response = _sign_in_with_card(client)
    assert response["Location"] == reverse("bank:home")
    home = client.get("/bank/").content.decode()
    assert "陳志明" in home
    assert "第一次登入" in home  # confirming by e-mail is not a sign-in
    client.post("/logout/")
    _sign_in_with_card(client)
    home = client.get("/bank/").content.decode()
    assert "上次登入" in home and "健保卡" in home


def test_unknown_id_and_wrong_password_read_the_same(client):
    registered()
    client.get("/login/")  # a registered card, a wrong password
    wrong = client.post(
        "/login/",
        {
            "tab": "password",
            "password-national_id": CHEN_ID,
            "password-card_number": CHEN_CARD,
            "password-password": "wrong-one",
        }
        | _captcha(client, "/login/", "password"),
    )
    unknown = client.post(
        "/login/",
        {
            "tab": "password",
            "password-national_id": "K223456780",
            "password-card_number": "000090000010",
            "password-password": "wrong-one",
        }
        | _captcha(client, "/login/", "password"),
    )
    assert wrong.context["forms"]["password"].non_field_errors() == (
        unknown.context["forms"]["password"].non_field_errors()
    )


def _sign_in_with_id(client, password: str, national_id: str = CHEN_ID, card: str = CHEN_CARD):
    data = {
        "tab": "password",
        "password-national_id": national_id,
        "password-card_number": card,
        "password-password": password,
    }
    return client.post("/login/", data | _captcha(client, "/login/", "password"))


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_a_locked_account_reads_the_same_for_the_right_and_a_wrong_password(
    client, settings, language
):
    registered()
    client.cookies["django_language"] = language
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        _sign_in_with_id(client, "wrong-one")

    right, wrong = _sign_in_with_id(client, PASSWORD), _sign_in_with_id(client, "wrong-one")

    errors = [list(r.context["forms"]["password"].non_field_errors()) for r in (right, wrong)]
    assert right.status_code == wrong.status_code == 200
    assert errors[0] == errors[1]
    assert ("Forgot password" if language == "en" else "忘記註冊密碼") in errors[0][0]
    assert "_auth_user_id" not in client.session
    # The card in the reader proves who is there: the page says the account is locked.
    card = list(_sign_in_with_card(client).context["forms"]["card"].non_field_errors())
    assert card != errors[0]
    assert ("too many times" if language == "en" else "連續錯誤次數過多") in card[0]


def test_a_wrong_image_code_is_refused_before_the_password_is_tried(client):
    account = registered()
    response = client.post(
        "/login/",
        {
            "tab": "password",
            "password-national_id": CHEN_ID,
            "password-card_number": CHEN_CARD,
            "password-password": "wrong-one",
            "password-captcha_0": "nothing",
            "password-captcha_1": "nothing",
        },
    )
    assert "captcha" in response.context["forms"]["password"].errors
    account.refresh_from_db()
    assert account.failed_logins == 0


def test_next_only_redirects_within_the_site(client):
    registered()
    fields = {f"card-{k}": v for k, v in card_fields(CHEN_CARD).items()}
    data = {"tab": "card", "card-password": PASSWORD, "next": "https://evil.example/", **fields}
    response = client.post("/login/", data | _captcha(client, "/login/?tab=card", "card"))
    assert response["Location"] == "/bank/"


def test_portal_and_account_pages_need_a_signed_in_person(client):
    for url in ("/bank/", "/bank/session/", "/register/password/", "/register/account/"):
        response = client.get(url)
        assert response.status_code == 302, url
    staff = get_user_model().objects.create_superuser("clerk", password="a clerk password")
    client.force_login(staff)
    assert client.get("/bank/").status_code == 404  # staff have no personal portal


def test_pages_of_a_session_show_only_its_own_person(client):
    registered()
    registered(WIFE_ID, email="lin@example.com")
    _sign_in_with_card(client, WIFE_CARD)
    for url in ("/bank/", "/register/", "/register/account/"):
        page = client.get(url).content.decode()
        assert "陳志明" not in page and "chen@example.com" not in page, url
    assert "陳林秀英" in client.get("/bank/").content.decode()


def test_change_password_asks_for_the_current_one(client):
    account = registered()
    _sign_in_with_card(client)
    response = client.post(
        "/register/password/",
        {"current_password": "wrong", "password": "New#pass1", "password_again": "New#pass1"},
    )
    assert "current_password" in response.context["form"].errors
    response = client.post(
        "/register/password/",
        {"current_password": PASSWORD, "password": "New#pass1", "password_again": "New#pass1"},
    )
    assert response["Location"] == "/register/"
    account.user.refresh_from_db()
    assert account.user.check_password("New#pass1")
    assert client.get("/bank/").status_code == 200  # the session survives its own change


def test_update_account_data_rechecks_the_password(client):
    account = registered()
    _sign_in_with_card(client)
    data = {"email": "new@example.com", "mobile": "0987654321", "current_password": "nope"}
    assert "current_password" in client.post("/register/account/", data).context["form"].errors
    client.post("/register/account/", data | {"current_password": PASSWORD})
    account.refresh_from_db()
    assert (account.email, account.mobile) == ("new@example.com", "0987654321")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_UPDATED).get()
    assert event.detail == {"fields": ["email", "mobile"]}


def test_idle_session_is_signed_out(client, settings):
    registered()
    _sign_in_with_card(client)
    assert client.get("/bank/session/?idle-check=1").json()["seconds_left"] > 0
    session = client.session
    session["last_seen"] -= settings.SESSION_IDLE_SECONDS + 1
    session.save()
    response = client.get("/bank/")
    assert response["Location"] == reverse("identity:login")
    assert client.get("/bank/").status_code == 302


def test_divisions_for_the_cascading_selects(client):
    townships = client.get("/register/divisions/?county=63000").json()["options"]
    assert ["63000010", "松山區"] in townships
    client.cookies["django_language"] = "en"
    english = client.get("/register/divisions/?county=63000").json()["options"]
    assert ["63000010", "Songshan District"] in english
    assert client.get("/register/divisions/").status_code == 400


def test_challenges_are_only_handed_out_by_post(client):
    assert client.get("/register/challenge/").status_code == 405
    first = client.post("/register/challenge/").json()["challenge"]
    second = client.post("/register/challenge/").json()["challenge"]
    assert first != second and len(first) >= 40


def test_mailbox_is_a_development_page_only(client, settings):
    assert client.get("/dev/mailbox/").status_code == 200
    settings.DEV_MAILBOX = False
    assert client.get("/dev/mailbox/").status_code == 404


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hant", "註冊密碼長度必須為6-12碼"),
        ("en", "The password must be 6 to 12 characters long."),
    ],
)
def test_field_errors_speak_the_readers_language(client, language, expected):
    client.cookies["django_language"] = language
    client.post("/register/apply/", {"accept": "on"})
    client.post(
        "/register/apply/card/",
        {**card_fields(CHEN_CARD), **_household(CHEN_ID)},
    )
    response = client.post(
        "/register/apply/details/",
        {"password": "abc", "password_again": "abc", "email": "not-an-address"},
    )
    errors = response.context["form"].errors
    assert expected in errors["password"][0]
    assert "email" in errors


def test_another_persons_session_cannot_see_or_use_someone_elses_emailed_link(client):
    chen = registered()
    registered(WIFE_ID, email="lin@example.com")
    _sign_in_with_card(client, WIFE_CARD)
    services.request_password_reset(proof=card_proof(CHEN_CARD))
    token = token_in(mail.outbox[-1])

    page = client.get(f"/register/reset/{token}/").content.decode()
    assert "陳志明" not in page and "chen@example.com" not in page
    response = client.post(
        f"/register/reset/{token}/",
        {**card_fields(WIFE_CARD), "password": "Other#123", "password_again": "Other#123"},
    )
    assert "此健保卡不是您本人的" in response.content.decode()
    chen.user.refresh_from_db()
    assert chen.user.check_password(PASSWORD)


# Bad input on each form: a message in the reader's language, and nothing written.
BAD_INPUT = [
    (
        "/register/resend/",
        {},
        "請先插入健保卡並按「讀取」。",
        "Insert your NHI card and press Read first.",
    ),
    (
        "/register/delete/",
        {},
        "請先插入健保卡並按「讀取」。",
        "Insert your NHI card and press Read first.",
    ),
    (
        "/register/forgot/",
        {"mode": "change", "mobile": "12345"},
        "請輸入新的電子郵件信箱。",
        "Enter the new e-mail address.",
    ),
    (
        "/register/apply/card/",
        {"household_number": "12", "neighbourhood": "1"},
        "戶號",
        "A household number is a letter and seven digits",
    ),
]


@pytest.mark.parametrize(("url", "data", "chinese", "english"), BAD_INPUT)
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_bad_input_is_explained_in_the_readers_language_and_writes_nothing(
    client, url, data, chinese, english, language
):
    registered()
    client.cookies["django_language"] = language
    client.post("/register/apply/", {"accept": "on"})
    before = (Account.objects.count(), EmailLink.objects.count(), AuditEvent.objects.count())
    outbox = len(mail.outbox)

    page = client.post(url, data).content.decode()

    assert (chinese if language == "zh-hant" else english) in page
    after = (Account.objects.count(), EmailLink.objects.count(), AuditEvent.objects.count())
    assert after == before and len(mail.outbox) == outbox
