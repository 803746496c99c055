"""Sessions and tokens end when the account may no longer be used, and every kind of web
session has an idle limit and an absolute lifetime.

陳志明 signs in every way a person can (the portal, the registration site, the e-services
with his certificate, the app with a token) and downloads a package; a clerk and an insured
unit sign in to their own sites. Each test then changes the account (a suspension at the
counter, a lockout by wrong passwords typed elsewhere, a deactivated staff or unit sign-in)
or moves the clock, and checks what the very next request of each kind gets.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from healthbank.api.models import ApiToken
from healthbank.downloads.models import PackageRequest
from healthbank.employers.services import create_unit_login
from healthbank.identity import devices, services
from healthbank.identity.models import Account, WebSession
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    card_fields,
    eservice_sign_in,
    registered,
    seed_personas,
)
from healthbank.people.models import Enrolment
from tests.fixtures.portal import give_reason, sign_in_staff

pytestmark = pytest.mark.django_db

User = get_user_model()
IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}
STAFF_PASSWORD = "a clerk's password"  # noqa: S105

SUSPENDED_ZH = "已由健保署註冊停用"
LOCKED_ZH = "連續錯誤次數過多"
IDLE_ZH = "您已閒置一段時間，系統已自動登出"
ABSOLUTE_ZH = "每次登入最長可使用 12 小時"
ENDED_ZH = "您的登入已結束"


@pytest.fixture(autouse=True)
def personas(settings, tmp_path):
    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    seed_personas()


@pytest.fixture
def chen() -> Account:
    return registered()


# --- signing in, each kind as a person does it ------------------------------------------------


def _captcha(client: Client, url: str, prefix: str = "") -> dict:
    """Open the page and answer its image code as a person reading the picture would."""
    name = f"{prefix}-captcha" if prefix else "captcha"
    html = client.get(url).content.decode()
    key = re.search(rf'name="{name}_0" value="(\w+)"', html).group(1)
    return {f"{name}_0": key, f"{name}_1": CaptchaStore.objects.get(hashkey=key).response}


def _portal(password: str = PASSWORD, client: Client | None = None):
    """My Health Bank's sign-in (/login/), NHI card + password."""
    client = client or Client()
    fields = {f"card-{k}": v for k, v in card_fields(CHEN_CARD).items()}
    data = {"tab": "card", "card-password": password, **fields}
    response = client.post("/login/", data | _captcha(client, "/login/?tab=card", "card"))
    assert response["Location"] == "/bank/", "the sign-in failed"
    return client


def _wrong_password(client: Client) -> None:
    """一般登入 with 陳志明's ID and card number and a wrong password."""
    data = {
        "tab": "password",
        "password-national_id": CHEN_ID,
        "password-card_number": CHEN_CARD,
        "password-password": "not-his-password",
    }
    response = client.post("/login/", data | _captcha(client, "/login/", "password"))
    assert response.status_code == 200


def _registration_site() -> Client:
    """The registration site's own sign-in (/register/), NHI card + password."""
    client = Client()
    response = client.post("/register/", {**card_fields(CHEN_CARD), "password": PASSWORD})
    assert response["Location"] == "/register/", "the sign-in failed"
    return client


def _eservice() -> Client:
    """The personal e-services' sign-in (/eservice/login/), citizen certificate + PIN."""
    client = Client()
    return eservice_sign_in(client, CHEN_ID)  # the certificate sign-in has no image code


def _app(account: Account) -> tuple[Client, dict]:
    """The NHI Express app: device verified with a code, then signed in: its tokens."""
    client = Client()
    code, _row = devices.issue_code(account=account)
    verified = client.post(
        "/api/v1/devices/verify", {"code": code, **IPHONE}, content_type="application/json"
    )
    body = {
        "national_id": CHEN_ID,
        "password": PASSWORD,
        "identifier": IPHONE["identifier"],
        "device_credential": verified.json()["device_credential"],
    }
    response = client.post("/api/v1/auth/login", body, content_type="application/json")
    assert response.status_code == 200, response.json()
    return client, response.json()


def _ready_package(portal: Client, django_capture_on_commit_callbacks) -> str:
    """A package asked for on the download page and made by the worker: its file's URL."""
    with django_capture_on_commit_callbacks(execute=True):
        portal.post("/bank/downloads/", {"password": PASSWORD, "c_labs": "on"})
    call_command("worker", "--batch", "--interval", "0.01")
    package = PackageRequest.objects.get(status=PackageRequest.Status.READY)
    return f"/bank/downloads/{package.pk}/file/"


def _staff() -> Client:
    clerk = User.objects.create_user("clerk", password=STAFF_PASSWORD, is_staff=True)
    return sign_in_staff(Client(), clerk)


def _unit() -> Client:
    unit = Enrolment.objects.filter(person__national_id=CHEN_ID, role=Enrolment.Role.INSURED)
    unit = unit.first().unit
    client = Client()
    client.force_login(create_unit_login(unit, STAFF_PASSWORD).user)
    return client


def _stored(client: Client) -> bool:
    """Is this client's session still in the session store?"""
    key = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return key is not None and WebSession.objects.filter(session_key=key.value).exists()


def _api(client: Client, path: str, tokens: dict):
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return client.get(f"/api/v1{path}", headers=headers)


def _refresh(client: Client, tokens: dict):
    body = {"refresh_token": tokens["refresh_token"]}
    return client.post("/api/v1/auth/refresh", body, content_type="application/json")


# What a signed-in person opens on each site, and where a signed-out one is sent.
PERSON_PAGES = [
    ("portal", "/bank/", "/login/"),
    ("registration", "/register/account/", "/register/"),
    ("eservice", "/eservice/", "/eservice/login/"),
]


def _everywhere(chen: Account, django_capture_on_commit_callbacks) -> dict:
    """陳志明 signed in every way at once, each checked to work."""
    sites = {"portal": _portal(), "registration": _registration_site(), "eservice": _eservice()}
    download = _ready_package(sites["portal"], django_capture_on_commit_callbacks)
    app, tokens = _app(chen)
    for kind, page, _sign_in in PERSON_PAGES:
        assert sites[kind].get(page).status_code == 200, kind
    assert sites["portal"].get(download).status_code == 200
    for path in ("/categories", "/vcard"):
        assert _api(app, path, tokens).status_code == 200, path
    return {**sites, "download": download, "app": app, "tokens": tokens}


def _all_ended(signed_in: dict) -> None:
    """No session or token of 陳志明's works any more, and none is left in the store."""
    for kind, page, sign_in in PERSON_PAGES:
        client = signed_in[kind]
        assert not _stored(client), kind
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(sign_in), kind
    download = signed_in["portal"].get(signed_in["download"])
    assert download.status_code == 302 and download["Location"].startswith("/login/")
    app, tokens = signed_in["app"], signed_in["tokens"]
    for path in ("/categories", "/vcard"):
        response = _api(app, path, tokens)
        assert (response.status_code, response.json()["code"]) == (401, "token_invalid"), path
    assert _refresh(app, tokens).status_code == 401
    assert not ApiToken.objects.filter(revoked_at=None).exists()


# --- item 1: the account's state ends every session and token at once ---------------------


def test_a_suspension_at_the_counter_ends_every_session_and_token_at_once(
    chen, django_capture_on_commit_callbacks
):
    signed_in = _everywhere(chen, django_capture_on_commit_callbacks)
    boss = sign_in_staff(Client(), User.objects.create_superuser("boss", password=STAFF_PASSWORD))
    give_reason(boss, chen.person_id)

    response = boss.post(f"/staff/identity/account/{chen.pk}/suspend/", {"reason": "冒用"})

    assert response.status_code == 302
    assert not WebSession.objects.filter(user=chen.user).exists()
    _all_ended(signed_in)
    # Reinstated, the person signs in again: what was ended stays ended.
    services.reinstate(account=chen, staff_id=1)
    _all_ended(signed_in)
    assert _portal().get("/bank/").status_code == 200


def test_a_lockout_by_wrong_passwords_elsewhere_ends_every_session_and_token(
    chen, django_capture_on_commit_callbacks
):
    signed_in = _everywhere(chen, django_capture_on_commit_callbacks)
    somewhere_else = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        _wrong_password(somewhere_else)
    chen.refresh_from_db()
    assert chen.is_locked
    _all_ended(signed_in)


@pytest.mark.parametrize("language", ["zh-hant", "en"])
@pytest.mark.parametrize(
    ("state", "zh", "en"),
    [
        ("suspended", SUSPENDED_ZH, "suspended by NHIA"),
        ("locked", LOCKED_ZH, "entered wrongly too many times"),
    ],
)
def test_every_request_checks_the_accounts_state_and_says_why(chen, state, zh, en, language):
    """However the account came to be suspended or locked (here a direct update, which ends
    nothing by itself), the next request of each kind is refused, its session deleted, and
    the site's sign-in page says why."""
    sites = {"portal": _portal(), "registration": _registration_site(), "eservice": _eservice()}
    app, tokens = _app(chen)
    if state == "suspended":
        Account.objects.filter(pk=chen.pk).update(status=Account.Status.SUSPENDED)
    else:
        Account.objects.filter(pk=chen.pk).update(locked_at=timezone.now())
    for kind, page, sign_in in PERSON_PAGES:
        client = sites[kind]
        client.cookies["django_language"] = language
        response = client.get(page, follow=True)
        assert response.redirect_chain == [(sign_in, 302)], kind
        assert (zh if language == "zh-hant" else en) in response.content.decode(), kind
        assert not _stored(client), kind
    response = _api(app, "/categories", tokens)
    assert (response.status_code, response.json()["code"]) == (403, "account_inactive")


def test_a_request_that_ends_its_own_session_answers_with_the_sign_in_page():
    """A staff member who makes their own login inactive ends the very session the request
    came in: the answer is the sign-in page saying why, not an error about a session that
    vanished. (Wrong passwords asked again no longer lock anyone: test_reauth.py.)"""
    boss = User.objects.create_superuser("boss", password=STAFF_PASSWORD)
    client = sign_in_staff(Client(), boss)
    joined = timezone.localtime(boss.date_joined)
    form = {
        "username": boss.username,
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }  # "is_active" left out: unticked

    response = client.post(f"/staff/auth/user/{boss.pk}/change/", form)

    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert not WebSession.objects.filter(user=boss).exists()


@pytest.mark.parametrize(
    ("who", "page", "sign_in"),
    [
        ("staff", "/staff/", "/staff/login/"),
        ("unit", "/units/batches/", "/units/login/"),
    ],
)
def test_a_staff_or_unit_sign_in_made_inactive_in_the_admin_ends_its_session(who, page, sign_in):
    client = _staff() if who == "staff" else _unit()
    assert client.get(page).status_code == 200
    user = User.objects.get(pk=client.session["_auth_user_id"])
    boss = sign_in_staff(Client(), User.objects.create_superuser("boss", password=STAFF_PASSWORD))
    joined = timezone.localtime(user.date_joined)
    form = {
        "username": user.username,
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }  # "is_active" left out: unticked

    response = boss.post(f"/staff/auth/user/{user.pk}/change/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active
    assert not _stored(client)
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith(sign_in)
    assert _stored(boss)  # the staff member who did it stays signed in


def test_a_user_made_inactive_any_other_way_is_signed_out_on_the_next_request():
    client = _unit()
    assert client.get("/units/batches/").status_code == 200
    User.objects.filter(username__startswith="unit-").update(is_active=False)
    response = client.get("/units/batches/", follow=True)
    assert response.redirect_chain == [("/units/login/", 302)]
    assert ENDED_ZH in response.content.decode()
    assert not _stored(client)


# --- item 3: idle and absolute limits for every kind of session ---------------------------

SITES = {  # a page of the site, and its sign-in page
    "portal": ("/bank/", "/login/"),
    "registration": ("/register/account/", "/register/"),
    "eservice": ("/eservice/", "/eservice/login/"),
    "staff": ("/staff/", "/staff/login/"),
    "unit": ("/units/batches/", "/units/login/"),
}


def _signed_in(kind: str) -> Client:
    sign_in = {
        "portal": _portal,
        "registration": _registration_site,
        "eservice": _eservice,
        "staff": _staff,
        "unit": _unit,
    }[kind]
    client = sign_in()
    assert client.get(SITES[kind][0]).status_code == 200
    return client


def _sent_to_sign_in(client: Client, kind: str, message: str) -> None:
    page, sign_in = SITES[kind]
    response = client.get(page, follow=True)
    assert response.redirect_chain[0] == (sign_in, 302)
    assert message in response.content.decode()
    assert not _stored(client)


@pytest.mark.parametrize("kind", SITES)
def test_every_kind_of_session_ends_after_15_idle_minutes(chen, clock, kind):
    client = _signed_in(kind)
    clock.forward(seconds=settings.SESSION_IDLE_SECONDS - 30)
    assert client.get(SITES[kind][0]).status_code == 200  # activity starts the count again
    clock.forward(seconds=settings.SESSION_IDLE_SECONDS)
    _sent_to_sign_in(client, kind, IDLE_ZH)


@pytest.mark.parametrize("kind", SITES)
def test_every_kind_of_session_ends_12_hours_after_sign_in_however_active(chen, clock, kind):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    client = _signed_in(kind)
    step = dt.timedelta(minutes=14)  # never idle
    elapsed = dt.timedelta()
    while elapsed + step < dt.timedelta(hours=12):
        clock.forward(minutes=14)
        elapsed += step
        assert client.get(SITES[kind][0]).status_code == 200, elapsed
    clock.forward(seconds=(dt.timedelta(hours=12) - elapsed).total_seconds())
    _sent_to_sign_in(client, kind, ABSOLUTE_ZH)


def test_the_session_cookie_lives_as_long_as_a_session_may(chen):
    client = Client()
    fields = {f"card-{k}": v for k, v in card_fields(CHEN_CARD).items()}
    data = {"tab": "card", "card-password": PASSWORD, **fields}
    response = client.post("/login/", data | _captcha(client, "/login/?tab=card", "card"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 12 * 60 * 60


def test_the_idle_warning_counts_down_to_the_absolute_limit_too(chen, clock):
    client = _portal()
    assert client.get("/bank/session/?idle-check=1").json()["seconds_left"] == 15 * 60
    clock.forward(hours=11, minutes=55)
    session = client.session  # active until just now
    session["last_seen"] = clock.now.timestamp()
    session.save()
    assert client.get("/bank/session/?idle-check=1").json()["seconds_left"] == 5 * 60
    assert client.post("/bank/session/keepalive/").json()["seconds_left"] == 5 * 60


def test_expired_sessions_are_cleaned_up(chen, clock):
    _portal()
    _eservice()
    assert WebSession.objects.filter(user=chen.user).count() == 2
    clock.forward(hours=12, seconds=1)
    services.delete_expired_sessions()
    assert not WebSession.objects.exists()


def test_ending_sessions_ends_third_party_app_tokens_too(chen):
    """SMART on FHIR apps' tokens (django-oauth-toolkit's) end with the sessions: access
    tokens, codes and id_tokens go, refresh tokens are revoked. Another person's stay."""
    from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

    other = registered("A223456781", email="wife@example.com")
    app = Application.objects.create(
        name="Diary",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://app.example/callback",
    )
    later = timezone.now() + dt.timedelta(hours=1)
    for account in (chen, other):
        access = AccessToken.objects.create(
            user=account.user, application=app, token=f"at-{account.pk}", expires=later
        )
        RefreshToken.objects.create(
            user=account.user, application=app, token=f"rt-{account.pk}", access_token=access
        )
        Grant.objects.create(
            user=account.user,
            application=app,
            code=f"code-{account.pk}",
            expires=later,
            redirect_uri="https://app.example/callback",
        )

    services.end_sessions(user=chen.user, reason="ended")

    assert not AccessToken.objects.filter(user=chen.user).exists()
    assert not Grant.objects.filter(user=chen.user).exists()
    assert RefreshToken.objects.get(user=chen.user).revoked is not None
    assert AccessToken.objects.filter(user=other.user).count() == 1
    assert Grant.objects.filter(user=other.user).count() == 1
    assert RefreshToken.objects.get(user=other.user).revoked is None
