"""The personal NHI e-services (個人健保資料網路服務作業, /eservice/): citizen-certificate sign-in,
the mobile device account application (行動裝置帳號申請) in each account state, and the
device pages served there, with 陳林秀英 (certificate only), 陳志明 (registered with the card)
and each one's devices kept from the other."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.identity import devices, services
from healthbank.identity.eservice_menu import SERVICES
from healthbank.identity.models import Account, DeviceBinding, DeviceCode
from healthbank.identity.services import IdentityError
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    WIFE_ID,
    card_fields,
    eservice_login_fields,
    registered,
    seed_personas,
)
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}
HTC = {"platform": "android", "model": "htc_HTC_M8x", "identifier": "FA4AHWM00296,9110dbee4e"}
APP_PASSWORD = "Phone#2026"  # noqa: S105 - the mobile account password chosen in the tests
CODE_SHOWN = re.compile(r'class="device-code-text"[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})<')


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


@pytest.fixture
def chen() -> Account:
    return registered()


def _sign_in(client, national_id: str = WIFE_ID, next_url: str = ""):
    """Sign in on /eservice/login/ with the person's citizen certificate card and PIN."""
    data = eservice_login_fields(national_id) | {"next": next_url}  # no image code (imagecode)
    return client.post("/eservice/login/", data)


def _account(national_id: str = WIFE_ID) -> Account:
    return Account.objects.select_related("user").get(person__national_id=national_id)


def _apply(client, password: str = APP_PASSWORD, again: str | None = None, **extra):
    data = {"password": password, "password_again": again or password, "email": "lin@example.com"}
    return client.post("/eservice/mobile-account/", data | extra)


def _applied(client, national_id: str = WIFE_ID) -> Account:
    """Signed in with the certificate and applied for the mobile device account."""
    assert _sign_in(client, national_id)["Location"] == "/eservice/"
    assert _apply(client)["Location"] == "/eservice/device/"
    return _account(national_id)


def _api(client, path: str, body: dict):
    return client.post(f"/api/v1{path}", body, content_type="application/json")


# --- sign-in -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "個人健保資料網路服務作業"), ("en", "Personal NHI e-services")],
)
def test_sign_in_page_opens_in_both_languages(client, language, expected):
    client.cookies["django_language"] = language
    page = client.get("/eservice/login/").content.decode()
    assert expected in page and 'data-kind="certificate"' in page and "data-pin" in page


def test_certificate_sign_in_opens_the_list_of_services(client):
    response = _sign_in(client)
    assert response["Location"] == "/eservice/"
    account = _account()
    assert (account.status, account.channel) == (Account.Status.CERTIFICATE, "certificate")
    login = AuditEvent.objects.get(action=Action.LOGIN)
    assert (login.person, login.method) == (account.person, "certificate")
    page = client.get("/eservice/").content.decode()
    for link in ("/eservice/mobile-account/", "/eservice/device/", "/eservice/devices/"):
        assert f'href="{link}"' in page
    assert "行動裝置帳號申請" in page and "行動裝置認證" in page and "行動裝置管理作業" in page
    assert 'action="/eservice/logout/"' in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "請先插入自然人憑證"), ("en", "Insert your citizen digital certificate card")],
)
def test_sign_in_without_reading_the_certificate_is_refused(client, language, expected):
    client.cookies["django_language"] = language
    response = client.post("/eservice/login/", {"method": "certificate"})
    assert response.status_code == 200 and expected in response.content.decode()
    assert not Account.objects.exists()
    assert "_auth_user_id" not in client.session


def test_signed_out_people_go_to_the_sign_in_and_come_back(client):
    for url in (
        "/eservice/",
        "/eservice/mobile-account/",
        "/eservice/device/",
        "/eservice/devices/",
    ):
        assert client.get(url)["Location"] == f"/eservice/login/?next={url}", url
    response = _sign_in(client, next_url="/eservice/mobile-account/")
    assert response["Location"] == "/eservice/mobile-account/"
    client.post("/eservice/logout/")
    assert _sign_in(client, next_url="https://evil.example/")["Location"] == "/eservice/"


def test_a_general_sign_in_session_is_sent_to_the_e_services_sign_in(client, chen):
    binding = devices.verify_device(code=devices.issue_code(account=chen)[0], **IPHONE)
    client.force_login(chen.user)
    session = client.session
    session["login_method"] = "password"  # 一般登入 (ID + card number + password + image code)
    session.save()
    for url in ("/eservice/", "/eservice/device/", "/eservice/devices/"):
        assert client.get(url)["Location"].startswith("/eservice/login/"), url
    response = client.post(f"/eservice/devices/{binding.pk}/disable/")
    assert response["Location"].startswith("/eservice/login/")
    response = client.post("/eservice/device/", {"password": PASSWORD})
    assert response["Location"].startswith("/eservice/login/")
    binding.refresh_from_db()
    assert binding.active and DeviceCode.objects.filter(used_at=None).count() == 0
    page = client.get("/eservice/login/").content.decode()
    assert "請以健保卡及註冊密碼，或自然人憑證登入" in page


def test_nhi_card_and_registration_password_open_the_e_services(client, chen):
    data = eservice_login_fields(CHEN_ID, password=PASSWORD)
    assert client.post("/eservice/login/", data)["Location"] == "/eservice/"
    assert client.session["login_method"] == "card"
    login = AuditEvent.objects.filter(action=Action.LOGIN).latest("pk")
    assert (login.person, login.method) == (chen.person, "card")
    page = client.get("/eservice/").content.decode()
    assert "中英文投保證明" in page and 'href="/eservice/certificates/insurance/"' in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "登入資料有誤"), ("en", "The sign-in details are wrong")],
)
def test_a_wrong_registration_password_is_refused_and_counted(client, chen, language, expected):
    client.cookies["django_language"] = language
    data = eservice_login_fields(CHEN_ID, password="Wrong#2026")
    response = client.post("/eservice/login/", data)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert expected in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, method="card").count() == 1


def test_a_registered_card_session_opens_the_e_services_too(client, chen):
    client.post("/register/", {**card_fields(CHEN_CARD), "password": PASSWORD})
    assert client.session["login_method"] == "card"
    assert client.get("/eservice/").status_code == 200


def test_sign_out_ends_the_session(client):
    _sign_in(client)
    response = client.post("/eservice/logout/")
    assert response["Location"] == "/eservice/login/"
    assert client.get("/eservice/")["Location"].startswith("/eservice/login/")
    assert AuditEvent.objects.filter(action=Action.LOGOUT).count() == 1


# --- 行動裝置帳號申請 ---------------------------------------------------------------------------


def test_applying_makes_the_account_active_at_once_and_the_app_sign_in_work(client):
    _sign_in(client)
    form = client.get("/eservice/mobile-account/").content.decode()
    assert 'name="password"' in form and 'name="password_again"' in form
    assert 'data-strength-for="id_password"' in form and 'name="email"' in form
    response = _apply(client)
    assert response["Location"] == "/eservice/device/"
    account = _account()
    assert (account.status, account.channel) == (Account.Status.ACTIVE, "certificate")
    assert account.confirmed_at is not None and account.email == "lin@example.com"
    assert account.user.check_password(APP_PASSWORD)
    applied = AuditEvent.objects.get(action=Action.REGISTRATION_APPLIED)
    assert (applied.person, applied.method, applied.detail) == (
        account.person,
        "certificate",
        {"mobile_account": True},
    )
    assert APP_PASSWORD not in str(applied.detail)
    (message,) = mail.outbox
    assert message.to == ["lin@example.com"] and "行動裝置帳號申請完成" in message.subject
    assert "/eservice/device/" in message.body and APP_PASSWORD not in message.body

    # The session lives on through the password change; a code for the phone, then the app.
    page = client.post("/eservice/device/", {"password": APP_PASSWORD}).content.decode()
    code = CODE_SHOWN.search(page).group(1)
    app = type(client)()
    verified = _api(app, "/devices/verify", {"code": code, **IPHONE})
    assert verified.status_code == 201, verified.json()
    login = _api(
        app,
        "/auth/login",
        {
            "national_id": WIFE_ID,
            "password": APP_PASSWORD,
            "identifier": IPHONE["identifier"],
            "device_credential": verified.json()["device_credential"],
        },
    )
    assert login.status_code == 200, login.json()
    assert login.json()["access_token"]


@pytest.mark.parametrize(
    ("fields", "zh", "en"),
    [
        ({"password": "Ab#1"}, "註冊密碼長度必須為6-12碼", "must be 6 to 12 characters"),
        ({"password": "Abcdef#12345678"}, "註冊密碼長度必須為6-12碼", "must be 6 to 12 characters"),
        ({"again": "Phone#2027"}, "兩次輸入的密碼不一致", "The two passwords are not the same"),
        (
            {"password": f"x{WIFE_ID.lower()}"},
            "不得包含您的身分證號",
            "must not contain your national",
        ),
        ({"email": "not-an-address"}, "請輸入有效的電子郵件地址", "Enter a valid email address"),
        ({"email": ""}, "這個欄位是必須的", "This field is required"),
    ],
)
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_bad_application_is_explained_and_nothing_is_written(client, fields, zh, en, language):
    _sign_in(client)
    client.cookies["django_language"] = language
    fields = dict(fields)  # the parameters are shared by both languages
    password = fields.pop("password", APP_PASSWORD)
    again = fields.pop("again", password)
    response = _apply(client, password, again, **fields)
    assert response.status_code == 200
    assert (zh if language == "zh-hant" else en) in response.content.decode()
    account = _account()
    assert account.status == Account.Status.CERTIFICATE and account.email == ""
    assert not account.user.has_usable_password()
    assert not mail.outbox
    assert not AuditEvent.objects.filter(action=Action.REGISTRATION_APPLIED).exists()


def test_a_registered_person_already_has_the_app_account(client, chen):
    _sign_in(client, CHEN_ID)
    page = client.get("/eservice/mobile-account/").content.decode()
    assert "您已有「健保快易通」APP 可使用的帳號" in page and 'href="/eservice/device/"' in page
    assert 'name="password_again"' not in page
    _apply(client)
    chen.refresh_from_db()
    assert chen.user.check_password(PASSWORD) and not chen.user.check_password(APP_PASSWORD)
    client.cookies["django_language"] = "en"
    assert "You already have an account" in client.get("/eservice/mobile-account/").content.decode()


def test_a_pending_application_is_confirmed_by_e_mail_first(client):
    person = Person.objects.get(national_id=WIFE_ID)
    services.apply_online(person=person, password=PASSWORD, email="lin@example.com")
    _sign_in(client)
    page = client.get("/eservice/mobile-account/").content.decode()
    assert "您的註冊尚未完成認證" in page and 'href="/register/resend/"' in page
    _apply(client)
    assert _account().status == Account.Status.PENDING
    assert client.get("/eservice/device/")["Location"] == "/eservice/mobile-account/"


@pytest.mark.parametrize("language", ["zh-hant", "en"])
@pytest.mark.parametrize(
    ("state", "zh", "en"),
    [
        ("suspended", "已由健保署註冊停用", "suspended by NHIA"),
        ("locked", "連續錯誤次數過多", "entered wrongly too many times"),
    ],
)
def test_a_suspended_or_locked_account_is_signed_out_and_told_why(client, state, zh, en, language):
    _sign_in(client)
    client.cookies["django_language"] = language
    account = _account()
    if state == "suspended":  # the suspension deletes the session: signed out, no trace
        services.suspend(account=account, reason="counter", staff_id=1)
        response = client.get("/eservice/mobile-account/")
        assert response["Location"] == "/eservice/login/?next=/eservice/mobile-account/"
        page = _sign_in(client).content.decode()  # the sign-in says why
    else:  # however it came to be locked, the next request checks and says why
        Account.objects.filter(pk=account.pk).update(locked_at=timezone.now())
        response = client.get("/eservice/mobile-account/", follow=True)
        assert response.redirect_chain == [("/eservice/login/", 302)]
        page = response.content.decode()
    assert (zh if language == "zh-hant" else en) in page and 'name="password_again"' not in page
    _apply(client)
    assert not _account().user.has_usable_password()


@pytest.mark.parametrize("state", ["active", "pending", "suspended", "locked"])
def test_the_service_applies_only_for_a_certificate_only_account(state):
    person = Person.objects.get(national_id=WIFE_ID)
    if state == "pending":
        account = services.apply_online(person=person, password=PASSWORD, email="lin@example.com")
    else:
        account = services.register_at_counter(person=person, password=PASSWORD, staff_id=1)
    if state == "suspended":
        services.suspend(account=account, reason="counter", staff_id=1)
    if state == "locked":
        Account.objects.filter(pk=account.pk).update(locked_at=timezone.now())
    expected = {"active": "mobile_account_exists"}.get(state, state)
    with pytest.raises(IdentityError) as refused:
        services.apply_mobile_account(account=account, password=APP_PASSWORD, email="a@b.tw")
    assert refused.value.code == expected
    account = _account()
    assert account.user.check_password(PASSWORD) and account.email != "a@b.tw"


# --- the device pages on the e-services ----------------------------------------------------


def test_a_certificate_only_account_applies_before_the_device_pages(client):
    _sign_in(client)
    for url in ("/eservice/device/", "/eservice/devices/"):
        assert client.get(url)["Location"] == "/eservice/mobile-account/", url
    assert client.post("/eservice/device/", {"password": ""})["Location"] == (
        "/eservice/mobile-account/"
    )
    assert not DeviceCode.objects.exists()
    assert (
        "請先完成「行動裝置帳號申請」" in client.get("/eservice/mobile-account/").content.decode()
    )


def test_code_page_asks_again_and_links_back_to_the_e_services(client):
    account = _applied(client)
    page = client.get("/eservice/device/").content.decode()
    assert 'href="/eservice/"' in page and 'href="/register/"' not in page
    page = client.post("/eservice/device/", {"password": "not-my-password"}).content.decode()
    assert "註冊密碼錯誤" in page and not CODE_SHOWN.search(page)
    assert not DeviceCode.objects.exists()
    account.refresh_from_db()
    assert account.failed_logins == 0  # counted for the session, not toward the lockout
    failed = AuditEvent.objects.get(action=Action.REAUTH_FAILED)
    assert (failed.person, failed.method) == (account.person, "certificate")
    page = client.post("/eservice/device/", {"password": APP_PASSWORD}).content.decode()
    assert "<svg" in page and CODE_SHOWN.search(page)
    assert DeviceCode.objects.filter(account=account).count() == 1


def test_management_page_enables_with_the_password_and_disables(client):
    account = _applied(client)
    iphone = devices.verify_device(code=devices.issue_code(account=account)[0], **IPHONE)
    htc = devices.verify_device(code=devices.issue_code(account=account)[0], **HTC)
    page = client.get("/eservice/devices/").content.decode()
    assert f'action="/eservice/devices/{iphone.pk}/enable/"' in page
    assert f'action="/eservice/devices/{htc.pk}/disable/"' in page
    assert 'href="/eservice/device/"' in page and 'href="/eservice/"' in page

    response = client.post(f"/eservice/devices/{iphone.pk}/enable/", {"password": "wrong-one"})
    assert response.status_code == 200 and "註冊密碼錯誤" in response.content.decode()
    iphone.refresh_from_db()
    assert not iphone.active

    response = client.post(f"/eservice/devices/{iphone.pk}/enable/", {"password": APP_PASSWORD})
    assert response["Location"] == "/eservice/devices/"
    iphone.refresh_from_db()
    htc.refresh_from_db()
    assert (iphone.active, htc.active) == (True, False)
    assert client.post(f"/eservice/devices/{iphone.pk}/disable/")["Location"] == (
        "/eservice/devices/"
    )
    iphone.refresh_from_db()
    assert not iphone.active


def test_too_many_wrong_passwords_asked_again_sign_out_to_the_e_services_sign_in(client, settings):
    account = _applied(client)
    for _attempt in range(settings.REAUTH_FAILURE_LIMIT - 1):
        client.post("/eservice/device/", {"password": "not-my-password"})
    response = client.post("/eservice/device/", {"password": "not-my-password"})

    assert response["Location"] == "/eservice/login/"
    assert "已將您登出" in client.get("/eservice/login/").content.decode()
    assert client.get("/eservice/device/")["Location"].startswith("/eservice/login/")
    account.refresh_from_db()
    assert not account.is_locked and account.failed_logins == 0
    assert not DeviceCode.objects.exists()


def test_another_persons_device_is_404_on_the_e_services(client, chen):
    his = devices.verify_device(code=devices.issue_code(account=chen)[0], **IPHONE)
    devices.verify_device(code=devices.issue_code(account=chen)[0], **HTC)
    his.refresh_from_db()
    assert not his.active  # one he could enable, but not she
    account = _applied(client)
    assert client.post(f"/eservice/devices/{his.pk}/disable/").status_code == 404
    response = client.post(f"/eservice/devices/{his.pk}/enable/", {"password": APP_PASSWORD})
    assert response.status_code == 404
    assert not DeviceBinding.objects.get(pk=his.pk).active
    assert HTC["model"] not in client.get("/eservice/devices/").content.decode()
    account.refresh_from_db()
    assert account.failed_logins == 0


def test_an_idle_session_is_sent_back_to_the_e_services_sign_in(client, settings):
    _sign_in(client)
    session = client.session
    session["last_seen"] -= settings.SESSION_IDLE_SECONDS + 1
    session.save()
    response = client.get("/eservice/devices/")
    assert response["Location"] == "/eservice/login/"


def test_a_card_session_past_its_absolute_limit_is_sent_back_to_the_sign_in(client, settings, chen):
    """The same limits as the portal's: a card session in use all along still ends
    SESSION_ABSOLUTE_SECONDS after its sign-in."""
    client.post("/eservice/login/", eservice_login_fields(CHEN_ID, password=PASSWORD))
    assert client.get("/eservice/").status_code == 200
    session = client.session
    session["signed_in_at"] -= settings.SESSION_ABSOLUTE_SECONDS + 1
    session.save()
    response = client.get("/eservice/certificates/insurance/")
    assert response["Location"] == "/eservice/login/"
    assert "_auth_user_id" not in client.session


def test_every_service_links_to_its_page_in_the_seeds_order(client):
    """The seed's sixteen services in its order, each linking to its page (a name that does
    not reverse fails the page)."""
    _sign_in(client)
    page = client.get("/eservice/").content.decode()
    items = re.findall(r"<li>(.*?)</li>", page.split('class="services"')[1].split("</ol>")[0])
    assert len(items) == len(SERVICES) == 16
    for item, service in zip(items, SERVICES, strict=True):
        assert f'href="{reverse(service.url_name)}"' in item, service.url_name
    assert "即將開放" not in page
