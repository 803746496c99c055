"""The staff's second factor: a TOTP authenticator app (django-otp's TOTPDevice) enrolled at
the first sign-in, and one-time recovery codes (django-otp's StaticDevice) shown once then.

Wrong codes count towards the same lockout as wrong passwords (lockout.count_failure).
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import TYPE_CHECKING

from django.db import transaction
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import record
from healthbank.core.typed import ascii_typed, is_ascii_digits
from healthbank.identity import lockout, rules
from healthbank.identity.lockout import LoginRefused

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Action = AuditEvent.Action
Actor = AuditEvent.Actor
Method = AuditEvent.Method

DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def is_enrolled(user: User) -> bool:
    """Has the staff member a confirmed authenticator? If not, the next sign-in enrols."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same key while the page is reloaded, until a
    code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed: base32 in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the device's authenticator app shows at `at` (now): for the demo's command
    and tests, where no phone is at hand."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def _clean(code: str) -> str:
    """Codes as people type them: full-width forms read as ASCII, spaces and dashes ignored,
    recovery codes in any case."""
    return "".join(ascii_typed(code).split()).replace("-", "").lower()


def _method(code: str) -> str:
    return Method.TOTP if is_ascii_digits(code) else Method.RECOVERY_CODE


def _wrong(user: User, code: str, address: str | None) -> LoginRefused:
    locked = lockout.count_failure(
        user=user,
        actor=Actor.STAFF,
        actor_id=user.pk,
        method=_method(code),
        address=address,
        reason="wrong_code",
    )
    return LoginRefused("locked" if locked else "wrong_code")


def _before_checking(user: User, code: str, address: str | None) -> None:
    lockout.refuse_if_throttled(
        actor=Actor.STAFF, actor_id=user.pk, method=_method(code), address=address
    )
    if lockout.is_locked(user):
        raise LoginRefused("locked")


def confirm_enrolment(
    *, user: User, code: str, address: str | None
) -> tuple[TOTPDevice, list[str]]:
    """A code from the new authenticator confirms it; returns it and fresh recovery codes
    (any older ones stop working), which are shown once and kept only in the database."""
    code = _clean(code)
    _before_checking(user, code, address)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None or not is_ascii_digits(code) or not device.verify_token(code):
            device = None
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            recovery = new_recovery_codes(user)
            record(
                action=Action.SECOND_FACTOR_ENROLLED,
                person=None,
                actor=Actor.STAFF,
                actor_id=user.pk,
                address=address,
            )
    if device is None:
        raise _wrong(user, code, address)
    return device, recovery


def new_recovery_codes(user: User) -> list[str]:
    """Fresh one-time recovery codes; any older ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(rules.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def verify(*, user: User, code: str, address: str | None) -> Device:
    """The second step of a staff sign-in: a current authenticator code, or a recovery code
    (used up by this). The device that accepted it, or LoginRefused."""
    code = _clean(code)
    _before_checking(user, code, address)
    # Digits are an authenticator's code, but a recovery code may be all digits too.
    kinds = [TOTPDevice, StaticDevice] if is_ascii_digits(code) else [StaticDevice]
    with transaction.atomic():
        devices = [
            device
            for kind in kinds
            for device in kind.objects.devices_for_user(user, confirmed=True).select_for_update()
        ]
        accepted: Device | None = next((d for d in devices if d.verify_token(code)), None)
    if accepted is None:
        raise _wrong(user, code, address)
    return accepted


def enrolled_device(user: User) -> TOTPDevice:
    """A staff login's confirmed authenticator, or a new one with a random key, confirmed
    without a code: for the demo's staff login (DEBUG databases only), whose key the demo
    prints and `healthbank staffcode` reads, and for tests of the staff pages."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)


@transaction.atomic
def reset(*, user: User, staff_id: int | None) -> None:
    """A lost phone: the authenticator and recovery codes go; the next sign-in enrols anew."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(
        action=Action.SECOND_FACTOR_RESET,
        person=None,
        actor=Actor.STAFF if staff_id else Actor.SYSTEM,
        actor_id=staff_id,
        user=user.pk,
    )
