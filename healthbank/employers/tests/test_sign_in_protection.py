"""An insured unit's sign-in has a person's protections: wrong passwords in a row lock it
(until NHIA unlocks it), many failures from one address hold that address up, and every
failure and success is in the audit trail with the unit as actor."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.employers.tests.helpers import PASSWORD
from healthbank.employers.tests.test_views import LOGIN, NEW, captcha_fields
from healthbank.identity.models import LoginLockout

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"
WRONG = "The unit code or password is wrong."


def client_at(address: str = ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def sign_in(client: Client, code: str, password: str = PASSWORD):
    return client.post(LOGIN, {"code": code, "password": password, **captcha_fields()})


def answer(response) -> str:
    return " ".join(str(error) for error in response.context["form"].non_field_errors())


def test_wrong_passwords_lock_and_then_the_right_one_gets_the_same_answer(unit, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = client_at()
    answers = [answer(sign_in(client, unit.code, "not-the-password")) for _ in range(3)]
    assert WRONG in answers[0] and len(set(answers)) == 1
    assert LoginLockout.objects.get(user=unit.login.user).is_locked

    right = sign_in(client, unit.code)
    wrong = sign_in(client, unit.code, "not-the-password")
    assert right.status_code == wrong.status_code == 200
    assert answer(right) == answer(wrong) == answers[0]  # no password oracle
    assert client.get(NEW).status_code == 302

    failed = AuditEvent.objects.filter(action="login.failed", actor="unit").order_by("pk")
    assert [e.detail["reason"] for e in failed] == ["wrong_password"] * 3 + ["locked"] * 2
    assert {(e.actor_id, e.address, e.person_id, e.success) for e in failed} == {
        (unit.pk, ADDRESS, None, False)
    }
    assert AuditEvent.objects.filter(action="signin.locked", actor="unit", actor_id=unit.pk)


def test_a_sign_in_starts_the_count_again_and_is_audited(unit, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = client_at()
    for _ in range(2):
        sign_in(client, unit.code, "not-the-password")
    assert sign_in(client, unit.code).url == NEW
    assert LoginLockout.objects.get(user=unit.login.user).failures == 0
    event = AuditEvent.objects.get(action="login", actor="unit")
    assert (event.actor_id, event.method, event.address) == (unit.pk, "password", ADDRESS)
    for _ in range(2):
        sign_in(client_at(), unit.code, "not-the-password")
    assert sign_in(client_at(), unit.code).url == NEW  # two wrong, not three in a row


def test_nhia_unlocks_a_locked_unit_in_the_staff_pages(unit, settings, staff_login):
    settings.LOGIN_FAILURE_LIMIT = 1
    sign_in(client_at(), unit.code, "not-the-password")
    assert WRONG in answer(sign_in(client_at(), unit.code))

    admin = User.objects.create_superuser("admin", password="an admin password")
    desk = staff_login(Client(), admin)
    changelist = reverse("admin:identity_loginlockout_changelist")
    assert f"unit-{unit.code}" in desk.get(changelist).content.decode()
    desk.post(changelist, {"action": "unlock", "_selected_action": [unit.login.user.pk]})
    assert sign_in(client_at(), unit.code).url == NEW


def test_the_unlock_command_unlocks_a_unit(unit, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    sign_in(client_at(), unit.code, "not-the-password")
    call_command("unlocklogin", f"unit-{unit.code}")
    assert sign_in(client_at(), unit.code).url == NEW


def test_many_failures_from_one_address_throttle_even_the_right_password(
    unit, other_unit, settings
):
    settings.LOGIN_ADDRESS_LIMIT = 3
    for code in (unit.code, other_unit.code, "999999999"):
        sign_in(client_at(), code, "not-the-password")
    refused = sign_in(client_at(), unit.code)
    assert "Too many failed sign-ins from this network" in answer(refused)
    assert refused.wsgi_request.user.is_anonymous
    last = AuditEvent.objects.filter(action="login.failed").latest("pk")
    assert (last.actor, last.detail["reason"]) == ("unit", "throttled")
    # Not locked by it, and another address signs in.
    assert not LoginLockout.objects.get(user=unit.login.user).is_locked
    assert sign_in(client_at("203.0.113.50"), unit.code).url == NEW


def test_an_unknown_unit_code_is_audited_without_an_actor(unit):
    sign_in(client_at(), "999999999")
    event = AuditEvent.objects.get(action="login.failed")
    assert (event.actor, event.actor_id, event.detail["reason"]) == ("unit", None, "unknown")


def test_the_answer_is_in_chinese_first(unit):
    response = Client(REMOTE_ADDR=ADDRESS).post(
        LOGIN, {"code": unit.code, "password": "not-the-password", **captcha_fields()}
    )
    assert "投保單位代號或密碼錯誤。密碼連續錯誤5次，登入將被鎖定" in response.content.decode()
