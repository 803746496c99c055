"""NHIA staff sign-in to /staff/: the password, then the second factor (an authenticator app,
enrolled at the first sign-in, or a recovery code); lockout after wrong passwords or codes
until an administrator unlocks, the per-address throttle, and the audit trail."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from healthbank.audit.models import AuditEvent
from healthbank.identity import second_factor
from healthbank.identity.models import LoginLockout

pytestmark = pytest.mark.django_db

PASSWORD = "a long clerk password"  # noqa: S105 (a test password)
LOGIN = reverse("admin:login")
CODE = reverse("admin:login_code")
ENROL = reverse("admin:login_enrol")
ADDRESS = "198.51.100.7"
WRONG = "The user name or password is wrong."

# Pages a half-signed-in staff member must not reach: the index, an app, a model list, an
# add page, a custom view, the password change, and the second factors' own list.
STAFF_PAGES = [
    "/staff/",
    "/staff/people/",
    "/staff/people/person/",
    "/staff/identity/account/add/",
    "/staff/auth/user/",
    "/staff/password_change/",
    "/staff/identity/staffsecondfactor/",
    "/staff/audit/auditevent/",
]


def english(address: str = ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def clerk(db) -> User:
    return User.objects.create_superuser("clerk", password=PASSWORD)


@pytest.fixture
def enrolled(clerk) -> TOTPDevice:
    return second_factor.enrolled_device(clerk)


def password_step(client: Client, password: str = PASSWORD, username: str = "clerk"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/staff/"})


def code_at(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The authenticator's code now, or a step ahead (within the tolerance of one step):
    a code is accepted only once, so a second sign-in in the same 30 s uses the next."""
    device.refresh_from_db()
    return second_factor.current_code(device, at=time.time() + steps_ahead * device.step)


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the authenticator shows neither now nor a step before or after."""
    near = {code_at(device, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def signed_in(client: Client, device: TOTPDevice, steps_ahead: int = 0) -> Client:
    assert password_step(client).url == CODE
    response = client.post(CODE, {"code": code_at(device, steps_ahead)})
    assert response.status_code == 302 and response.url == "/staff/"
    return client


def events(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("pk"))


def refusal(response) -> str:
    return " ".join(str(error) for error in response.context["form"].non_field_errors())


# --- the two steps --------------------------------------------------------------------------


def test_password_then_authenticator_code_signs_in_and_is_audited(enrolled, clerk):
    client = english()
    response = password_step(client)
    assert response.status_code == 302 and response.url == CODE
    assert client.get("/staff/").status_code == 302  # the password alone is not enough

    page = client.get(CODE)
    assert b"authenticator app" in page.content
    signed_in_response = client.post(CODE, {"code": code_at(enrolled)})
    assert signed_in_response.url == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/people/person/").status_code == 200

    (event,) = events("login", actor="staff")
    assert (event.actor_id, event.method, event.address, event.person) == (
        clerk.pk,
        "totp",
        ADDRESS,
        None,
    )


def test_a_session_signed_in_without_the_second_factor_is_refused(clerk):
    client = english()
    client.force_login(clerk)  # e.g. a password-only sign-in through any other door
    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(LOGIN), page


def test_staff_without_an_authenticator_enrol_and_reach_nothing_before(clerk):
    client = english()
    assert password_step(client).url == ENROL
    assert client.get(CODE).url == ENROL  # nothing to check a code against yet
    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(LOGIN), page

    page = client.get(ENROL)
    content = page.content.decode()
    device = TOTPDevice.objects.get(user=clerk)
    assert not device.confirmed
    assert "<svg" in content  # the QR code, drawn by segno
    assert not re.search(r"<script(?![^>]*\bsrc=)|\son[a-z]+=", content)  # CSP: no inline JS
    assert second_factor.secret_of(device) in content  # the key in text
    assert client.get(ENROL).content.decode().count(second_factor.secret_of(device)) == 1
    assert TOTPDevice.objects.filter(user=clerk).count() == 1  # reloading keeps the key

    wrong = client.post(ENROL, {"code": wrong_code(device)})
    assert wrong.status_code == 200 and "The code is wrong" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302

    confirmed = client.post(ENROL, {"code": code_at(device)})
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in confirmed.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/").status_code == 200
    assert events("otp.enrolled", actor="staff", actor_id=clerk.pk)

    # Shown once: the page is gone, and the next sign-in asks for a code.
    assert client.get(ENROL).status_code == 302
    client.post(reverse("admin:logout"))
    signed_in(english(), device, steps_ahead=1)


def test_a_recovery_code_signs_in_once(enrolled, clerk):
    client = english()
    assert password_step(client).url == CODE
    codes = second_factor.new_recovery_codes(clerk)
    response = client.post(CODE, {"code": codes[0].upper()})  # as typed: any case
    assert response.url == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "You signed in with a recovery code" in home.content.decode()
    assert "9 are left" in home.content.decode()
    assert events("login", actor="staff", method="recovery")

    again = english()
    password_step(again)
    refused = again.post(CODE, {"code": codes[0]})
    assert refused.status_code == 200 and "The code is wrong" in refused.content.decode()
    assert again.get("/staff/").status_code == 302
    assert again.post(CODE, {"code": codes[1]}).url == "/staff/"


def test_a_recovery_code_of_digits_only_is_not_taken_for_an_app_code(enrolled, clerk):
    second_factor.new_recovery_codes(clerk)
    device = clerk.staticdevice_set.get()
    device.token_set.create(token="23456723")  # base32 may draw digits only
    client = english()
    password_step(client)
    assert client.post(CODE, {"code": "2345 6723"}).url == "/staff/"


def test_the_second_step_must_follow_the_password_soon(enrolled, monkeypatch):
    client = english()
    password_step(client)
    later = time.time() + 11 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(CODE, {"code": code_at(enrolled)})
    assert response.status_code == 302 and response.url == LOGIN


def test_the_code_page_without_the_password_goes_back_to_the_password(enrolled):
    client = english()
    assert client.get(CODE).url == LOGIN
    assert client.post(CODE, {"code": code_at(enrolled)}).url == LOGIN
    assert client.get("/staff/").status_code == 302


def test_sign_in_goes_on_to_the_page_asked_for_on_this_site_only(enrolled):
    client = english()
    client.post(LOGIN, {"username": "clerk", "password": PASSWORD, "next": "/staff/people/person/"})
    assert client.post(CODE, {"code": code_at(enrolled)}).url == "/staff/people/person/"
    other = english()
    other.post(LOGIN, {"username": "clerk", "password": PASSWORD, "next": "https://evil.example/"})
    assert other.post(CODE, {"code": code_at(enrolled, 1)}).url == "/staff/"


# --- lockout ----------------------------------------------------------------------------------


def test_wrong_passwords_lock_and_then_the_right_one_gets_the_same_answer(
    enrolled, clerk, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = english()
    answers = [refusal(password_step(client, "wrong password")) for _ in range(3)]
    assert WRONG in answers[0] and len(set(answers)) == 1
    assert LoginLockout.objects.get(user=clerk).is_locked

    right = password_step(client)
    wrong = password_step(client, "wrong password")
    assert right.status_code == wrong.status_code == 200
    assert refusal(right) == refusal(wrong) == answers[0]  # no password oracle
    assert client.get(CODE).url == LOGIN  # the right password started no second step
    assert client.get("/staff/").status_code == 302

    failed = events("login.failed", actor="staff", actor_id=clerk.pk)
    assert [e.detail["reason"] for e in failed] == ["wrong_password"] * 3 + ["locked"] * 2
    assert all(e.address == ADDRESS and e.person is None and not e.success for e in failed)
    assert events("signin.locked", actor="staff", actor_id=clerk.pk)


def test_a_lockout_ends_the_staff_members_open_sessions(enrolled, clerk, settings):
    """Someone guessing the password elsewhere locks the sign-in: a session already open
    (perhaps the guesser's own stolen one) ends with it, not when it idles out."""
    settings.LOGIN_FAILURE_LIMIT = 3
    open_session = signed_in(english("192.0.2.10"), enrolled)
    assert open_session.get("/staff/people/person/").status_code == 200
    guesser = english()
    for _ in range(3):
        password_step(guesser, "wrong password")
    response = open_session.get("/staff/people/person/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_wrong_codes_count_towards_the_same_lockout(enrolled, clerk, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = english()
    password_step(client, "wrong password")  # 1
    password_step(client)  # right: does not reset the count
    wrong = wrong_code(enrolled)
    first = client.post(CODE, {"code": wrong})  # 2
    assert "The code is wrong" in first.content.decode()
    locked = client.post(CODE, {"code": wrong}, follow=True)  # 3: locked
    assert locked.redirect_chain[-1][0] == LOGIN
    assert "locked" in locked.content.decode()
    assert LoginLockout.objects.get(user=clerk).is_locked

    # Locked: the right password and then even the right code get nowhere.
    again = english()
    assert refusal(password_step(again)).startswith(WRONG)
    assert again.post(CODE, {"code": code_at(enrolled)}).url == LOGIN
    assert again.get("/staff/").status_code == 302
    reasons = [e.detail["reason"] for e in events("login.failed", actor_id=clerk.pk)]
    assert reasons == ["wrong_password", "wrong_code", "wrong_code", "locked"]
    assert [e.method for e in events("login.failed", actor_id=clerk.pk)][1:3] == ["totp"] * 2


def test_a_right_code_after_a_typo_is_taken_and_starts_the_count_again(enrolled, clerk):
    client = english()
    password_step(client)
    client.post(CODE, {"code": "12345"})
    assert client.post(CODE, {"code": code_at(enrolled)}).url == "/staff/"
    assert LoginLockout.objects.get(user=clerk).failures == 0


def test_an_administrator_unlocks_in_the_staff_pages(enrolled, clerk, settings, staff_login):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        password_step(english(), "wrong password")
    admin = User.objects.create_superuser("admin", password="another password")
    desk = staff_login(Client(), admin)
    changelist = reverse("admin:identity_loginlockout_changelist")
    listed = desk.get(changelist, {"locked_at__isempty": "0"})
    assert "clerk" in listed.content.decode()
    desk.post(changelist, {"action": "unlock", "_selected_action": [clerk.pk]})

    assert not LoginLockout.objects.get(user=clerk).is_locked
    (event,) = events("signin.unlocked")
    assert (event.actor, event.actor_id, event.detail) == ("staff", admin.pk, {"user": clerk.pk})
    signed_in(english(), enrolled)


def test_the_unlock_command_unlocks_when_no_administrator_can(enrolled, clerk, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    password_step(english(), "wrong password")
    assert refusal(password_step(english())).startswith(WRONG)
    call_command("unlocklogin", "clerk")
    signed_in(english(), enrolled)


def test_the_unlock_command_resets_a_lost_second_factor(enrolled, clerk):
    call_command("unlocklogin", "clerk", "--reset-second-factor")
    assert password_step(english()).url == ENROL
    assert events("otp.reset", actor="system")


def test_an_administrator_resets_a_staff_members_second_factor(enrolled, clerk, staff_login):
    second_factor.new_recovery_codes(clerk)
    admin = User.objects.create_superuser("admin", password="another password")
    desk = staff_login(Client(), admin)
    listing = desk.get(reverse("admin:identity_staffsecondfactor_changelist"))
    assert "clerk" in listing.content.decode()
    assert enrolled.key not in listing.content.decode()
    desk.post(
        reverse("admin:identity_staffsecondfactor_delete", args=[enrolled.pk]), {"post": "yes"}
    )
    assert not second_factor.is_enrolled(clerk)
    assert not clerk.staticdevice_set.exists()
    assert password_step(english()).url == ENROL


# --- throttle ---------------------------------------------------------------------------------


def test_many_failures_from_one_address_throttle_even_the_right_password(enrolled, settings):
    settings.LOGIN_ADDRESS_LIMIT = 3
    for name in ("nobody", "someone", "clerk"):  # any names: the address is what counts
        password_step(english(), "wrong password", username=name)
    client = english()
    response = password_step(client)
    assert "Too many failed sign-ins from this network" in refusal(response)
    assert client.get(CODE).url == LOGIN
    assert events("login.failed", actor="staff")[-1].detail["reason"] == "throttled"
    # Another address is not held up.
    signed_in(english("203.0.113.9"), enrolled)


def test_failed_person_sign_ins_and_staff_sign_ins_share_one_count_per_address(enrolled, settings):
    """The throttle counts every failed sign-in from the address, of whatever kind."""
    settings.LOGIN_ADDRESS_LIMIT = 2
    AuditEvent.objects.create(action="login.failed", actor="person", address=ADDRESS, success=False)
    password_step(english(), "wrong password")
    assert "Too many failed" in refusal(password_step(english()))


def test_unknown_names_are_refused_like_wrong_passwords_and_audited(clerk):
    unknown = refusal(password_step(english(), username="nobody"))
    wrong = refusal(password_step(english(), "wrong password"))
    assert unknown == wrong and WRONG in unknown
    (event, _wrong) = events("login.failed", actor="staff")
    assert (event.actor_id, event.detail["reason"]) == (None, "unknown")


def test_a_person_or_unit_user_cannot_use_the_staff_sign_in(db):
    User.objects.create_user("unit-123456789", password=PASSWORD)  # not staff
    assert WRONG in refusal(password_step(english(), username="unit-123456789"))


# --- in Chinese -------------------------------------------------------------------------------


def test_the_sign_in_pages_speak_chinese_first(clerk, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    client = Client(REMOTE_ADDR=ADDRESS)
    wrong = password_step(client, "wrong password").content.decode()
    assert "使用者名稱或密碼錯誤" in wrong
    password_step(client)
    enrol = client.get(ENROL).content.decode()
    assert "設定第二道驗證" in enrol
