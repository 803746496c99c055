"""Mobile device verification (行動裝置認證) and management (行動裝置管理作業).

The registration site issues a code; the NHI Express app presents it with its installation
id to bind the phone to the account. An account may have verified many devices but only
one is active at a time; one device may serve several accounts (seed 002).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import Action, record
from healthbank.core import phones
from healthbank.core.typed import ascii_typed, is_ascii_digits
from healthbank.external.telecom import telecom
from healthbank.identity import rules
from healthbank.identity import services as identity
from healthbank.identity.models import (
    Account,
    Device,
    DeviceBinding,
    DeviceCode,
    DeviceVerifyFailure,
)
from healthbank.identity.services import IdentityError
from healthbank.people.identifiers import normalise
from healthbank.people.models import NhiCard

# What the QR code carries; the app strips it, and so does verify_device.
QR_PREFIX = "healthbank-device:"


class DeviceError(Exception):
    """A refused verification; `code` is stable for the API, `message` is for people."""

    MESSAGES = {
        "unknown": _(
            "This device verification code is not valid: it was mistyped or replaced by a "
            "newer code. Check it, or generate a new one on the registration site."
        ),
        "used": _(
            "This device verification code has already been used. Generate a new one on the "
            "registration site."
        ),
        "expired": _(
            "This device verification code has expired. Generate a new one on the "
            "registration site."
        ),
        "throttled": _("Too many wrong device verification codes. Wait 15 minutes and try again."),
        "invalid_device": _("The app did not send its platform and device identifier."),
        "invalid_mobile": _(
            "Enter your mobile number: 10 digits starting with 09, for example 0912345678."
        ),
        "invalid_card_digits": _(
            "Enter the last 4 digits of the card number printed on your NHI card."
        ),
        # Seed 004's note under 行動電話認證.
        "phone_refused": _(
            "This mobile number could not be confirmed by its carrier. Phone-number "
            "verification needs a monthly-plan number that you subscribed to yourself, on "
            "your own mobile network. If you use a prepaid card, a number subscribed by "
            "someone else or a company number, use device-code verification instead."
        ),
    }

    def __init__(self, code: str):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)


def normalise_code(code: str) -> str:
    """The code as typed or scanned: without the QR prefix, dashes, spaces; upper case."""
    code = ascii_typed(code).strip()
    if code.startswith(QR_PREFIX):
        code = code[len(QR_PREFIX) :]
    return code.replace("-", "").replace(" ", "").upper()


def grouped(code: str) -> str:
    """ABCD-EFGH: easier to read off a screen and type."""
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def issue_code(*, account: Account, address: str | None = None) -> tuple[str, DeviceCode]:
    """產生裝置認證碼: a new code; the account's earlier unused codes stop working."""
    account.device_codes.filter(used_at=None).delete()
    code = "".join(
        secrets.choice(rules.DEVICE_CODE_ALPHABET) for _position in range(rules.DEVICE_CODE_LENGTH)
    )
    now = timezone.now()
    row = DeviceCode.objects.create(
        account=account,
        code_hash=DeviceCode.hash(code),
        created_at=now,
        expires_at=now + rules.DEVICE_CODE_VALID_FOR,
    )
    record(action=Action.DEVICE_CODE_ISSUED, person=account.person, address=address, code_id=row.pk)
    return code, row


def _throttled(identifier: str, address: str | None) -> bool:
    since = timezone.now() - rules.DEVICE_VERIFY_WINDOW
    recent = DeviceVerifyFailure.objects.filter(at__gte=since)
    if recent.filter(identifier=identifier).count() >= rules.DEVICE_VERIFY_FAILURES_PER_DEVICE:
        return True
    return (
        address is not None
        and recent.filter(address=address).count() >= rules.DEVICE_VERIFY_FAILURES_PER_ADDRESS
    )


def _refuse(
    reason: str, *, identifier: str, address: str | None, account: Account | None = None
) -> DeviceError:
    """Audit the refusal (outside any transaction, so it stays) and count it."""
    if reason != "throttled":
        DeviceVerifyFailure.objects.create(identifier=identifier, address=address)
    record(
        action=Action.DEVICE_VERIFY_FAILED,
        person=account.person if account else None,
        address=address,
        success=False,
        reason=reason,
    )
    return DeviceError(reason)


def _disable_others(account: Account, keep: DeviceBinding | None, address: str | None) -> None:
    now = timezone.now()
    others = account.device_bindings.filter(active=True)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    for other in others:
        other.active, other.disabled_at = False, now
        other.save(update_fields=["active", "disabled_at"])
        record(
            action=Action.DEVICE_DISABLED,
            person=account.person,
            address=address,
            binding_id=other.pk,
            replaced=True,
        )


def verify_device(
    *, code: str, platform: str, model: str, identifier: str, address: str | None = None
) -> DeviceBinding:
    """裝置認證: bind the device presenting a valid code to the code's account and make it
    the account's only active device. Raises DeviceError."""
    identifier = identifier.strip()
    if not identifier or platform not in Device.Platform.values:
        raise DeviceError("invalid_device")
    if _throttled(identifier, address):
        raise _refuse("throttled", identifier=identifier, address=address)
    with transaction.atomic():
        found = (
            DeviceCode.objects.select_for_update()
            .select_related("account__person")
            .filter(code_hash=DeviceCode.hash(normalise_code(code)))
            .first()
        )
        reason = None
        if found is None:
            reason = "unknown"
        elif found.used_at is not None or found.is_expired:
            reason = "used" if found.used_at is not None else "expired"
            found.failed_attempts += 1
            found.save(update_fields=["failed_attempts"])
        else:
            found.used_at = timezone.now()
            found.save(update_fields=["used_at"])
            binding = _bind(
                found.account_id,
                platform=platform,
                model=model,
                identifier=identifier,
                address=address,
                via="code",
            )
    if reason is not None:
        account = found.account if found is not None else None
        raise _refuse(reason, identifier=identifier, address=address, account=account)
    return binding


def _bind(
    account_id: int,
    *,
    platform: str,
    model: str,
    identifier: str,
    address: str | None,
    via: str,
) -> DeviceBinding:
    now = timezone.now()
    account = Account.objects.select_for_update().select_related("person").get(pk=account_id)
    device, _created = Device.objects.update_or_create(
        identifier=identifier, defaults={"platform": platform, "model": model[:100]}
    )
    binding = account.device_bindings.filter(device=device).first()
    _disable_others(account, binding, address)
    if binding is None:
        binding = DeviceBinding.objects.create(account=account, device=device, verified_at=now)
    else:
        binding.verified_at, binding.active, binding.disabled_at = now, True, None
        binding.save(update_fields=["verified_at", "active", "disabled_at"])
    record(
        action=Action.DEVICE_VERIFIED,
        person=account.person,
        address=address,
        binding_id=binding.pk,
        device_id=device.pk,
        platform=platform,
        via=via,
    )
    return binding


def verify_by_phone(
    *,
    card_last4: str,
    mobile: str,
    national_id: str,
    password: str,
    platform: str,
    model: str,
    identifier: str,
    address: str | None = None,
) -> DeviceBinding:
    """行動電話認證 (seed 004): the last 4 digits of the NHI card, the mobile number and the
    national ID, then the registration password; the carrier must confirm a monthly-plan
    number subscribed by this person. Binds the device as a code would.

    The password is checked before the carrier is asked, so only the account holder learns
    why a number was refused; a wrong password counts toward the lockout. Raises
    DeviceError or identity's IdentityError.
    """
    identifier = identifier.strip()
    if not identifier or platform not in Device.Platform.values:
        raise DeviceError("invalid_device")
    try:  # 0912-345-678, 0912 345 678, +886 912 345 678: as the registration form takes it
        mobile = phones.canonical(mobile, "mobile")
    except phones.NotAPhoneNumber:
        raise DeviceError("invalid_mobile") from None
    if not mobile:
        raise DeviceError("invalid_mobile")
    card_last4 = ascii_typed(card_last4).strip()
    if not (len(card_last4) == 4 and is_ascii_digits(card_last4)):
        raise DeviceError("invalid_card_digits")
    if _throttled(identifier, address):
        raise _refuse("throttled", identifier=identifier, address=address)
    method = AuditEvent.Method.PHONE
    identity.refuse_if_throttled(method=method, address=address)
    account = app_account(national_id)
    holds_card = (
        account is not None
        and NhiCard.objects.filter(
            person=account.person, status=NhiCard.Status.VALID, number__endswith=card_last4
        ).exists()
    )
    if account is None or not holds_card:
        DeviceVerifyFailure.objects.create(identifier=identifier, address=address)
        identity.check_throwaway_password(password)
        record(
            action=Action.LOGIN_FAILED,
            person=account.person if account else None,
            method=method,
            address=address,
            success=False,
            reason="invalid_login",
        )
        raise IdentityError("invalid_login", limit=settings.LOGIN_FAILURE_LIMIT)
    identity.check_password_and_state(
        account=account, password=password, method=method, address=address
    )
    if not telecom().is_own_monthly_number(number=mobile, national_id=account.person.national_id):
        raise _refuse("phone_refused", identifier=identifier, address=address, account=account)
    with transaction.atomic():
        binding = _bind(
            account.pk,
            platform=platform,
            model=model,
            identifier=identifier,
            address=address,
            via="phone",
        )
    identity.signed_in(account, method, address, channel="app", binding_id=binding.pk)
    return binding


def devices_of(account: Account) -> list[DeviceBinding]:
    """行動裝置管理作業: the account's verified devices, newest verification first."""
    return list(account.device_bindings.select_related("device").order_by("-verified_at", "-pk"))


def app_account(national_id: str) -> Account | None:
    """The account the app signs in to with this ID: one with a password (a certificate-only
    account has none until it applies for a mobile device account)."""
    return (
        Account.objects.select_related("person", "user")
        .filter(person__national_id=normalise(national_id))
        .exclude(status=Account.Status.CERTIFICATE)
        .first()
    )


def active_binding(*, account: Account, identifier: str) -> DeviceBinding | None:
    """The account's binding of this device if it is the active one (app sign-in checks it)."""
    return (
        account.device_bindings.select_related("device")
        .filter(device__identifier=identifier, active=True)
        .first()
    )


@transaction.atomic
def enable(*, account: Account, binding_id: int, address: str | None = None) -> DeviceBinding:
    """啟用裝置: this device becomes the account's only active one.

    Another account's binding raises DeviceBinding.DoesNotExist.
    """
    account = Account.objects.select_for_update().select_related("person").get(pk=account.pk)
    binding = account.device_bindings.select_related("device").get(pk=binding_id)
    if binding.active:
        return binding
    _disable_others(account, binding, address)
    binding.active, binding.disabled_at = True, None
    binding.save(update_fields=["active", "disabled_at"])
    record(
        action=Action.DEVICE_ENABLED, person=account.person, address=address, binding_id=binding.pk
    )
    return binding


@transaction.atomic
def disable(*, account: Account, binding_id: int, address: str | None = None) -> DeviceBinding:
    """停用裝置. Another account's binding raises DeviceBinding.DoesNotExist."""
    binding = (
        account.device_bindings.select_for_update().select_related("device").get(pk=binding_id)
    )
    if not binding.active:
        return binding
    binding.active, binding.disabled_at = False, timezone.now()
    binding.save(update_fields=["active", "disabled_at"])
    record(
        action=Action.DEVICE_DISABLED, person=account.person, address=address, binding_id=binding.pk
    )
    return binding
