"""Issuing and checking the app's device credentials and tokens, and the app's sign-in.

A token is good while it is unexpired and unrevoked, and while its device binding is the
account's active one and the account may use online services: checked on every request,
so disabling a device (or enabling another) ends its tokens at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.api.models import ApiToken, DeviceCredential, digest
from healthbank.audit.models import AuditEvent
from healthbank.audit.services import record
from healthbank.identity import services as identity
from healthbank.identity.devices import active_binding, app_account
from healthbank.identity.models import Account, DeviceBinding

Kind = ApiToken.Kind


class TokenError(Exception):
    """A refused credential or token; `code` is stable, `message` is for people."""

    MESSAGES = {
        "token_invalid": _("The sign-in is not valid. Sign in again."),
        "token_expired": _("The sign-in has expired. Refresh it or sign in again."),
        "device_inactive": _(
            "This device is not the active device of the account. Verify it again with a new "
            "device verification code, or enable it in device management."
        ),
        "device_not_verified": _(
            "This device is not verified for this account, or the sign-in details are wrong. "
            "Verify the device with a device verification code first."
        ),
        "account_inactive": _(
            "Online services of this account are suspended. Sign in on the website to see why."
        ),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.message = self.MESSAGES[code]


def issue_credential(binding: DeviceBinding) -> str:
    """The device's new credential; earlier ones of this binding stop working."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        binding.api_credentials.all().delete()
        DeviceCredential.objects.create(binding=binding, secret_hash=digest(secret))
    return secret


def issue_pair(binding: DeviceBinding, pair: str | None = None) -> dict[str, Any]:
    """A new access token and refresh token for this binding: of a new sign-in, or of the
    sign-in `pair` when refreshed (the pair names the app's session; asking the password
    again counts wrong ones under it, so a refresh must not start the count again)."""
    now = timezone.now()
    pair = pair or secrets.token_hex(16)
    lifetimes = {
        Kind.ACCESS: dt.timedelta(minutes=settings.API_ACCESS_TOKEN_MINUTES),
        Kind.REFRESH: dt.timedelta(days=settings.API_REFRESH_TOKEN_DAYS),
    }
    issued = {}
    for kind, lifetime in lifetimes.items():
        token = secrets.token_urlsafe(32)
        ApiToken.objects.create(
            binding=binding,
            kind=kind,
            token_hash=digest(token),
            pair=pair,
            created_at=now,
            expires_at=now + lifetime,
        )
        issued[kind] = token
    return {
        "access_token": issued[Kind.ACCESS],
        "refresh_token": issued[Kind.REFRESH],
        "expires_in": int(lifetimes[Kind.ACCESS].total_seconds()),
    }


def _usable(account: Account) -> bool:
    return account.status == Account.Status.ACTIVE and not account.is_locked


def check(raw: str, kind: str) -> ApiToken:
    """The token of this secret if it may be used now, or TokenError. One query, on every
    request: it joins only what the checks and the views need (a device's details are read
    by the device list itself)."""
    token = (
        ApiToken.objects.select_related("binding__account__person")
        .filter(token_hash=digest(raw), kind=kind)
        .first()
    )
    if token is None or token.revoked_at is not None:
        raise TokenError("token_invalid")
    if token.is_expired:
        raise TokenError("token_expired")
    if not token.binding.active:
        raise TokenError("device_inactive")
    if not _usable(token.binding.account):
        raise TokenError("account_inactive")
    return token


def revoke_pair(token: ApiToken) -> None:
    """登出: the tokens of this sign-in stop working (the app's session ends)."""
    ApiToken.objects.filter(pair=token.pair, revoked_at=None).update(revoked_at=timezone.now())


@transaction.atomic
def rotate(raw_refresh: str) -> dict[str, Any]:
    """A new pair for a good refresh token, which (with its access token) is revoked."""
    token = check(raw_refresh, Kind.REFRESH)
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if not revoked:  # used by a concurrent request
        raise TokenError("token_invalid")
    revoke_pair(token)
    return issue_pair(token.binding, token.pair)


def sign_in(
    *, national_id: str, password: str, identifier: str, credential: str, address: str | None
) -> tuple[DeviceBinding, dict[str, Any]]:
    """App sign-in: national ID + password from the account's verified, active device.

    The device is checked first, so passwords cannot be tried without a verified device; a
    wrong password then counts toward the lockout as on the website. Raises TokenError or
    identity's IdentityError.
    """
    method = AuditEvent.Method.PASSWORD
    identity.refuse_if_throttled(method=method, address=address)
    account = app_account(national_id)
    binding = active_binding(account=account, identifier=identifier) if account else None
    if (
        account is None
        or binding is None
        or not DeviceCredential.objects.filter(
            binding=binding, secret_hash=digest(credential)
        ).exists()
    ):
        identity.check_throwaway_password(password)
        record(
            action=AuditEvent.Action.LOGIN_FAILED,
            person=account.person if account else None,
            method=method,
            address=address,
            success=False,
            reason="device_not_verified",
            channel="app",
        )
        raise TokenError("device_not_verified")
    # The device's credential proves it is the person's verified phone: a locked account
    # may say so to it, whatever the password (identity's _refuse_locked).
    identity.check_password_and_state(
        account=account, password=password, method=method, address=address, holder=True
    )
    identity.signed_in(account, method, address, channel="app", binding_id=binding.pk)
    return binding, issue_pair(binding)
