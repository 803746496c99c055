"""Mobile device verification (行動裝置認證) and management (行動裝置管理作業): the services
the app will call, and the registration site's two pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.identity import devices, rules
from healthbank.identity.devices import DeviceError
from healthbank.identity.models import DeviceBinding, DeviceCode
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    PASSWORD,
    WIFE_ID,
    card_fields,
    registered,
    seed_personas,
)

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}
HTC = {"platform": "android", "model": "htc_HTC_M8x", "identifier": "FA4AHWM00296,9110dbee4e"}


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


@pytest.fixture
def chen():
    return registered()


@pytest.fixture
def wife():
    return registered(WIFE_ID, email="lin@example.com")


def _verify(account, device=IPHONE, **extra):
    code, _row = devices.issue_code(account=account)
    return devices.verify_device(code=code, **device, **extra)


def _actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="device.").values_list("action", flat=True)
    )


# --- codes -----------------------------------------------------------------------------------


def test_code_is_eight_characters_without_look_alikes_and_stored_only_hashed(chen):
    code, row = devices.issue_code(account=chen)
    assert len(code) == rules.DEVICE_CODE_LENGTH == 8
    assert set(code) <= set(rules.DEVICE_CODE_ALPHABET)
    assert not set("0O1I") & set(rules.DEVICE_CODE_ALPHABET)
    stored = DeviceCode.objects.filter(pk=row.pk).values().get()
    assert code not in str(stored) and code.lower() not in str(stored).lower()
    assert stored["code_hash"] == DeviceCode.hash(code)
    assert row.expires_at - row.created_at == dt.timedelta(minutes=10)
    event = AuditEvent.objects.get(action=Action.DEVICE_CODE_ISSUED)
    assert code not in str(event.detail)


def test_regenerating_makes_the_old_code_unknown(chen):
    old, _row = devices.issue_code(account=chen)
    new, _row = devices.issue_code(account=chen)
    with pytest.raises(DeviceError) as refused:
        devices.verify_device(code=old, **IPHONE)
    assert refused.value.code == "unknown"
    assert devices.verify_device(code=new, **IPHONE).account == chen


def test_typed_code_may_have_the_dash_lower_case_or_the_qr_prefix(chen):
    code, _row = devices.issue_code(account=chen)
    typed = devices.grouped(code).lower()
    assert devices.verify_device(code=f" {typed} ", **IPHONE).active
    code, _row = devices.issue_code(account=chen)
    assert devices.verify_device(code=devices.QR_PREFIX + code, **HTC).active


# --- verification ----------------------------------------------------------------------------


def test_verifying_with_a_good_code_binds_and_activates_the_device(chen):
    binding = _verify(chen, address="192.0.2.7")
    assert (binding.account, binding.active, binding.device.identifier) == (
        chen,
        True,
        IPHONE["identifier"],
    )
    assert DeviceCode.objects.get().used_at is not None
    event = AuditEvent.objects.get(action=Action.DEVICE_VERIFIED)
    assert (event.person, event.address, event.detail["binding_id"]) == (
        chen.person,
        "192.0.2.7",
        binding.pk,
    )


def test_expired_code_is_refused(chen, monkeypatch):
    code, row = devices.issue_code(account=chen)
    later = row.expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(DeviceError) as refused:
        devices.verify_device(code=code, **IPHONE)
    assert refused.value.code == "expired"
    assert not DeviceBinding.objects.exists()
    event = AuditEvent.objects.get(action=Action.DEVICE_VERIFY_FAILED)
    assert (event.person, event.success, event.detail) == (
        chen.person,
        False,
        {"reason": "expired"},
    )


def test_used_code_is_refused(chen):
    code, row = devices.issue_code(account=chen)
    devices.verify_device(code=code, **IPHONE)
    with pytest.raises(DeviceError) as refused:
        devices.verify_device(code=code, **HTC)
    assert refused.value.code == "used"
    row.refresh_from_db()
    assert row.failed_attempts == 1
    assert DeviceBinding.objects.get().device.identifier == IPHONE["identifier"]


def test_unknown_code_is_refused_and_audited_without_a_person(chen):
    with pytest.raises(DeviceError) as refused:
        devices.verify_device(code="ABCD-EFGH", **IPHONE)
    assert refused.value.code == "unknown"
    event = AuditEvent.objects.get(action=Action.DEVICE_VERIFY_FAILED)
    assert event.person is None and "ABCD" not in str(event.detail)


def test_device_without_identifier_is_refused(chen):
    code, _row = devices.issue_code(account=chen)
    with pytest.raises(DeviceError) as refused:
        devices.verify_device(code=code, platform="ios", model="iPhone", identifier=" ")
    assert refused.value.code == "invalid_device"


def test_after_too_many_wrong_codes_from_a_device_even_the_right_code_is_throttled(chen):
    code, _row = devices.issue_code(account=chen)
    for _attempt in range(rules.DEVICE_VERIFY_FAILURES_PER_DEVICE):
        with pytest.raises(DeviceError, match="unknown"):
            devices.verify_device(code="ZZZZZZZZ", **IPHONE)
    with pytest.raises(DeviceError) as refused:
        devices.verify_device(code=code, **IPHONE)
    assert refused.value.code == "throttled"
    assert not DeviceBinding.objects.exists()
    assert devices.verify_device(code=code, **HTC).active  # another device is not held up


def test_throttle_ends_when_the_window_passes(chen, monkeypatch):
    for _attempt in range(rules.DEVICE_VERIFY_FAILURES_PER_DEVICE):
        with pytest.raises(DeviceError):
            devices.verify_device(code="ZZZZZZZZ", **IPHONE)
    later = timezone.now() + rules.DEVICE_VERIFY_WINDOW + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _verify(chen).active


def test_too_many_wrong_codes_from_one_address_are_throttled(chen):
    for attempt in range(rules.DEVICE_VERIFY_FAILURES_PER_ADDRESS):
        device = IPHONE | {"identifier": f"phone-{attempt}"}
        with pytest.raises(DeviceError, match="unknown"):
            devices.verify_device(code="ZZZZZZZZ", **device, address="198.51.100.9")
    with pytest.raises(DeviceError, match="throttled"):
        _verify(chen, address="198.51.100.9")
    assert _verify(chen, address="198.51.100.10").active


# --- one active device -----------------------------------------------------------------------


def test_verifying_a_second_device_disables_the_first(chen):
    first = _verify(chen, IPHONE)
    second = _verify(chen, HTC)
    first.refresh_from_db()
    assert (first.active, second.active) == (False, True)
    assert first.disabled_at is not None
    assert [b.pk for b in devices.devices_of(chen)] == [second.pk, first.pk]


def test_verifying_the_same_device_again_reuses_its_binding(chen):
    first = _verify(chen, IPHONE)
    _verify(chen, HTC)
    again = _verify(chen, IPHONE)
    assert again.pk == first.pk and again.active
    assert DeviceBinding.objects.filter(account=chen).count() == 2


def test_enable_and_disable_keep_at_most_one_active(chen):
    iphone = _verify(chen, IPHONE)
    htc = _verify(chen, HTC)
    devices.enable(account=chen, binding_id=iphone.pk)
    assert [b.active for b in devices.devices_of(chen)] == [False, True]  # htc, iphone
    devices.disable(account=chen, binding_id=iphone.pk)
    assert not any(b.active for b in devices.devices_of(chen))
    devices.enable(account=chen, binding_id=htc.pk)
    assert devices.active_binding(account=chen, identifier=HTC["identifier"]).pk == htc.pk
    assert devices.active_binding(account=chen, identifier=IPHONE["identifier"]) is None
    assert _actions().count(Action.DEVICE_ENABLED) == 2
    assert _actions().count(Action.DEVICE_DISABLED) == 3  # replaced, disabled, replaced


def test_database_refuses_a_second_active_binding(chen):
    iphone = _verify(chen, IPHONE)
    htc = _verify(chen, HTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceBinding.objects.filter(pk=iphone.pk).update(active=True)
    assert htc.active


def test_one_device_serves_two_accounts(chen, wife):
    his = _verify(chen, IPHONE)
    hers = _verify(wife, IPHONE)
    his.refresh_from_db()
    assert his.active and hers.active and his.device_id == hers.device_id
    assert devices.devices_of(wife) == [hers]


def test_another_accounts_binding_does_not_exist(chen, wife):
    his = _verify(chen, IPHONE)
    for action in (devices.enable, devices.disable):
        with pytest.raises(DeviceBinding.DoesNotExist):
            action(account=wife, binding_id=his.pk)
    his.refresh_from_db()
    assert his.active


def test_every_step_is_audited(chen):
    iphone = _verify(chen, IPHONE)
    devices.disable(account=chen, binding_id=iphone.pk)
    devices.enable(account=chen, binding_id=iphone.pk)
    with pytest.raises(DeviceError):
        devices.verify_device(code="ZZZZZZZZ", **IPHONE)
    assert sorted(_actions()) == sorted(
        [
            Action.DEVICE_CODE_ISSUED,
            Action.DEVICE_VERIFIED,
            Action.DEVICE_DISABLED,
            Action.DEVICE_ENABLED,
            Action.DEVICE_VERIFY_FAILED,
        ]
    )


# --- the registration site's pages -----------------------------------------------------------

CODE_SHOWN = re.compile(r'class="device-code-text"[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})<')


def _sign_in(client, card_number: str = CHEN_CARD) -> None:
    """Sign in on /register/ with the NHI card and the registration password."""
    response = client.post("/register/", {**card_fields(card_number), "password": PASSWORD})
    assert response["Location"] == "/register/"


def _code_on(page: str) -> str:
    return CODE_SHOWN.search(page).group(1)


def test_pages_need_a_registration_sign_in(client, chen):
    binding = _verify(chen)
    for url in ("/register/device/", "/register/devices/"):
        assert client.get(url)["Location"].startswith("/register/"), url
    response = client.post(f"/register/devices/{binding.pk}/disable/")
    assert response.status_code == 302 and response["Location"].startswith("/register/")
    binding.refresh_from_db()
    assert binding.active


def test_register_home_links_both_pages(client, chen):
    _sign_in(client)
    page = client.get("/register/").content.decode()
    assert 'href="/register/device/"' in page and 'href="/register/devices/"' in page


def test_code_page_shows_a_qr_code_and_the_code_and_regenerates(client, chen):
    _sign_in(client)
    form = client.get("/register/device/").content.decode()
    assert "<svg" not in form and 'name="password"' in form and "註冊密碼" in form
    page = client.post("/register/device/", {"password": PASSWORD}).content.decode()
    assert "<svg" in page
    code = _code_on(page)
    again = client.post("/register/device/", {"password": PASSWORD}).content.decode()
    new = _code_on(again)
    assert new != code
    with pytest.raises(DeviceError, match="unknown"):
        devices.verify_device(code=code, **IPHONE)
    assert devices.verify_device(code=new, **IPHONE).account == chen
    assert _actions().count(Action.DEVICE_CODE_ISSUED) == 2


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "註冊密碼錯誤"), ("en", "The registration password is wrong")],
)
def test_a_wrong_password_issues_no_code_and_is_counted_for_the_session_only(
    client, chen, language, expected
):
    _sign_in(client)
    client.cookies["django_language"] = language
    page = client.post("/register/device/", {"password": "not-my-password"}).content.decode()
    assert expected in page and "<svg" not in page and not CODE_SHOWN.search(page)
    assert not DeviceCode.objects.exists()
    assert Action.DEVICE_CODE_ISSUED not in _actions()
    chen.refresh_from_db()
    assert chen.failed_logins == 0  # not toward the lockout
    failed = AuditEvent.objects.get(action=Action.REAUTH_FAILED)
    assert (failed.person, failed.method, failed.success, failed.detail["purpose"]) == (
        chen.person,
        "card",
        False,
        "device_code",
    )
    assert "not-my-password" not in str(failed.detail)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "請輸入註冊密碼"), ("en", "Enter your registration password")],
)
def test_an_empty_password_issues_no_code(client, chen, language, expected):
    _sign_in(client)
    client.cookies["django_language"] = language
    page = client.post("/register/device/", {}).content.decode()
    assert expected in page
    assert not DeviceCode.objects.exists()


def test_wrong_passwords_asked_again_sign_out_without_locking_the_owner(client, chen, settings):
    assert settings.REAUTH_FAILURE_LIMIT == 3
    _sign_in(client)
    for _attempt in range(settings.REAUTH_FAILURE_LIMIT - 1):
        page = client.post("/register/device/", {"password": "not-my-password"})
        assert page.status_code == 200
    response = client.post("/register/device/", {"password": "not-my-password"})

    assert response["Location"] == "/register/"
    assert "_auth_user_id" not in client.session  # signed out, the session flushed
    assert "已將您登出" in client.get("/register/").content.decode()
    assert client.get("/register/device/")["Location"].startswith("/register/")
    chen.refresh_from_db()
    assert (chen.failed_logins, chen.is_locked) == (0, False)
    events = AuditEvent.objects.filter(person=chen.person).order_by("id")
    assert [e.detail.get("ended") for e in events.filter(action=Action.REAUTH_FAILED)] == [
        False,
        False,
        True,
    ]
    assert events.last().action == Action.LOGOUT
    # The owner signs in again, and the new session counts afresh.
    _sign_in(client)
    page = client.post("/register/device/", {"password": "not-my-password"}).content.decode()
    assert "註冊密碼錯誤" in page
    assert "<svg" in client.post("/register/device/", {"password": PASSWORD}).content.decode()


def test_a_wrong_then_the_right_password_issues_the_code(client, chen):
    _sign_in(client)
    client.post("/register/device/", {"password": "not-my-password"})
    client.post("/register/device/", {"password": PASSWORD})
    assert DeviceCode.objects.count() == 1


def test_management_page_lists_only_the_accounts_devices(client, chen, wife):
    _verify(chen, IPHONE)
    _verify(wife, HTC)
    _sign_in(client)
    page = client.get("/register/devices/").content.decode()
    assert IPHONE["identifier"][-6:] in page and IPHONE["identifier"] not in page
    assert HTC["model"] not in page and HTC["identifier"][-6:] not in page


def test_management_page_enables_with_the_password_and_disables_without(client, chen):
    iphone = _verify(chen, IPHONE)
    htc = _verify(chen, HTC)
    _sign_in(client)
    page = client.get("/register/devices/").content.decode()
    enable_form = re.search(
        rf'action="/register/devices/{iphone.pk}/enable/".*?</form>', page, re.S
    )
    assert 'name="password"' in enable_form.group(0) and "註冊密碼" in enable_form.group(0)
    response = client.post(f"/register/devices/{iphone.pk}/enable/", {"password": PASSWORD})
    assert response["Location"] == "/register/devices/"
    iphone.refresh_from_db()
    htc.refresh_from_db()
    assert (iphone.active, htc.active) == (True, False)
    client.post(f"/register/devices/{iphone.pk}/disable/")
    iphone.refresh_from_db()
    assert not iphone.active


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "註冊密碼錯誤"), ("en", "The registration password is wrong")],
)
def test_enabling_with_a_wrong_password_changes_nothing(client, chen, language, expected):
    iphone = _verify(chen, IPHONE)
    htc = _verify(chen, HTC)
    _sign_in(client)
    client.cookies["django_language"] = language
    for password in ("not-my-password", ""):
        response = client.post(f"/register/devices/{iphone.pk}/enable/", {"password": password})
        assert response.status_code == 200
        page = response.content.decode()
        assert f'id="enable-error-{iphone.pk}" role="alert"' in page
    assert (
        expected
        in client.post(
            f"/register/devices/{iphone.pk}/enable/", {"password": "not-my-password"}
        ).content.decode()
    )
    iphone.refresh_from_db()
    htc.refresh_from_db()
    assert (iphone.active, htc.active) == (False, True)
    assert Action.DEVICE_ENABLED not in _actions()
    wrong = AuditEvent.objects.filter(action=Action.REAUTH_FAILED, detail__purpose="device_enable")
    assert wrong.count() == 2  # the empty password was not checked


def test_another_accounts_binding_is_404(client, chen, wife):
    hers = _verify(wife, HTC)
    _verify(wife, IPHONE)  # hers (HTC) is now disabled: one she could enable
    _sign_in(client)
    assert client.post(f"/register/devices/{hers.pk}/disable/").status_code == 404
    response = client.post(f"/register/devices/{hers.pk}/enable/", {"password": PASSWORD})
    assert response.status_code == 404
    assert client.post(f"/register/devices/{hers.pk}/enable/", {"password": "x"}).status_code == 404
    hers.refresh_from_db()
    assert not hers.active
    chen.refresh_from_db()
    assert chen.failed_logins == 0  # no password is tried against someone else's device


def test_management_page_query_count_does_not_grow(client, chen, django_assert_max_num_queries):
    _sign_in(client)
    for n in range(3):
        _verify(chen, IPHONE | {"identifier": f"phone-{n}"})
    with django_assert_max_num_queries(8):
        client.get("/register/devices/")
