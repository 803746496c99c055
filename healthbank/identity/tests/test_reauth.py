"""The password asked again inside a session (change password, update data, device code,
enable a device): wrong tries are counted per session and end it, and never lock the owner
out. The app's and the download page's ends are tested with their views."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from healthbank.audit.models import AuditEvent
from healthbank.identity import devices, services
from healthbank.identity.models import Account
from healthbank.identity.services import IdentityError, SessionEnded
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    card_fields,
    registered,
    seed_personas,
)

pytestmark = pytest.mark.django_db

WRONG = "not-my-password"  # noqa: S105
IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}


@pytest.fixture
def chen() -> Account:
    seed_personas()
    return registered()


def confirm(account: Account, password: str, session: str = "one") -> None:
    services.confirm_password(account=account, password=password, session=session, purpose="test")


def refused(call) -> Exception:
    with pytest.raises((IdentityError, SessionEnded)) as caught:
        call()
    return caught.value


def test_the_limit_th_wrong_password_ends_the_session(chen, settings):
    answers = [refused(lambda: confirm(chen, WRONG)) for _ in range(settings.REAUTH_FAILURE_LIMIT)]

    assert [a.code for a in answers] == ["password_again"] * (settings.REAUTH_FAILURE_LIMIT - 1) + [
        "reauth_ended"
    ]
    assert "2" in answers[0].message  # tries left
    confirm(chen, PASSWORD, session="two")  # another session is not affected


def test_after_the_limit_not_even_the_right_password_is_checked(chen, settings, monkeypatch):
    """A second tab of the same session, sent while the first one was being refused."""
    for _ in range(settings.REAUTH_FAILURE_LIMIT):
        refused(lambda: confirm(chen, WRONG))
    verified = []
    monkeypatch.setattr(Argon2PasswordHasher, "verify", lambda *a: verified.append(1))

    assert refused(lambda: confirm(chen, PASSWORD)).code == "reauth_ended"
    assert verified == []


def test_wrong_passwords_asked_again_never_lock_the_owner_out(chen, settings):
    for session in ("one", "two", "three", "four"):
        for _ in range(settings.REAUTH_FAILURE_LIMIT):
            refused(lambda: confirm(chen, WRONG, session))  # noqa: B023

    chen.refresh_from_db()
    assert (chen.failed_logins, chen.is_locked) == (0, False)
    signed_in = services.sign_in(
        method="password", national_id=CHEN_ID, card_number=CHEN_CARD, password=PASSWORD
    )
    assert signed_in == chen
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.REAUTH_FAILED)
    assert failures.count() == 4 * settings.REAUTH_FAILURE_LIMIT
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED).exists()


def test_a_locked_account_answers_alike_whatever_the_password(chen, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        refused(
            lambda: services.sign_in(
                method="password", national_id=CHEN_ID, card_number=CHEN_CARD, password=WRONG
            )
        )

    right, wrong = refused(lambda: confirm(chen, PASSWORD)), refused(lambda: confirm(chen, WRONG))

    assert right.code == wrong.code == "locked"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REAUTH_FAILED).exists()


# --- every page of the registration site that asks again ----------------------------------


def _sign_in(client) -> None:
    response = client.post("/register/", {**card_fields(CHEN_CARD), "password": PASSWORD})
    assert response["Location"] == "/register/"


def _pages(chen):
    """(url, POST data with a wrong password) of each page that asks again."""
    devices.verify_device(code=devices.issue_code(account=chen)[0], **IPHONE)
    other = devices.verify_device(
        code=devices.issue_code(account=chen)[0], **IPHONE | {"identifier": "phone-2"}
    )
    devices.enable(account=chen, binding_id=chen.device_bindings.exclude(pk=other.pk).get().pk)
    new = "Fresh#2027"
    return {
        "password": (
            "/register/password/",
            {"current_password": WRONG, "password": new, "password_again": new},
        ),
        "account": ("/register/account/", {"email": "new@example.com", "current_password": WRONG}),
        "device": ("/register/device/", {"password": WRONG}),
        "enable": (f"/register/devices/{other.pk}/enable/", {"password": WRONG}),
    }


@pytest.mark.parametrize("page", ["password", "account", "device", "enable"])
def test_each_page_that_asks_again_signs_out_after_the_limit(client, chen, settings, page):
    url, data = _pages(chen)[page]
    _sign_in(client)
    for _ in range(settings.REAUTH_FAILURE_LIMIT - 1):
        assert client.post(url, data).status_code == 200

    response = client.post(url, data)

    assert response["Location"] == "/register/"
    assert "_auth_user_id" not in client.session
    assert client.get("/register/devices/")["Location"].startswith("/register/")
    chen.refresh_from_db()
    assert chen.email == "chen@example.com" and not chen.is_locked
    assert chen.user.check_password(PASSWORD)


def test_the_count_is_the_sessions_the_pages_share_it(client, chen, settings):
    url = _pages(chen)
    _sign_in(client)
    client.post(*url["password"])
    client.post(*url["account"])
    response = client.post(*url["device"])
    assert settings.REAUTH_FAILURE_LIMIT == 3
    assert response["Location"] == "/register/"
