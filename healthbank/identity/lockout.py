"""Sign-ins without an online-service Account: NHIA staff (/staff/) and insured units
(/units/) get a person's protections. Failed sign-ins from one address count towards the
same per-address throttle as a person's (services._throttled); LOGIN_FAILURE_LIMIT wrong
passwords or second-factor codes in a row lock the sign-in; every failure and success is
audited, the login named by internal id (actor, actor_id).

A person unlocks by resetting the password through their e-mail; staff and units have no
such channel, so a locked sign-in stays locked until an administrator unlocks it
(`unlock`: the staff page of locked sign-ins, or `healthbank unlocklogin NAME`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import record
from healthbank.identity.models import LoginLockout
from healthbank.identity.services import (
    IdentityError,
    _throttled,
    check_throwaway_password,
    end_sessions,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Action = AuditEvent.Action
Actor = AuditEvent.Actor
Method = AuditEvent.Method


class LoginRefused(Exception):
    """A refused staff or unit sign-in. `invalid` is the one answer for a wrong name, a
    wrong password and a locked sign-in (whatever the password), so that a locked sign-in
    tells nothing about the password; `locked` is said only after the password was right
    (a wrong second-factor code locked it)."""

    MESSAGES = {
        "invalid": _(
            "The user name or password is wrong. After %(limit)s wrong passwords or codes in "
            "a row the sign-in is locked until an administrator unlocks it."
        ),
        "throttled": IdentityError.MESSAGES["throttled"],
        "wrong_code": _(
            "The code is wrong. Type the 6 digits your authenticator app shows now, or one "
            "of your recovery codes. After %(limit)s wrong passwords or codes in a row the "
            "sign-in is locked until an administrator unlocks it."
        ),
        "locked": _(
            "This sign-in is locked after %(limit)s wrong passwords or codes in a row. Ask an "
            "administrator to unlock it."
        ),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code]) % {"limit": settings.LOGIN_FAILURE_LIMIT}


def is_locked(user: User) -> bool:
    return LoginLockout.objects.filter(user=user, locked_at__isnull=False).exists()


def refuse_if_throttled(*, actor: str, actor_id: int | None, method: str, address: str | None):
    """Too many failed sign-ins of any kind from this address lately: LoginRefused."""
    if _throttled(address):
        _failed(actor, actor_id, method, address, "throttled")
        raise LoginRefused("throttled")


def _failed(actor: str, actor_id: int | None, method: str, address: str | None, reason: str):
    # A LOGIN_FAILED row with the address is what the per-address throttle counts.
    record(
        action=Action.LOGIN_FAILED,
        person=None,
        actor=actor,
        actor_id=actor_id,
        method=method,
        address=address,
        success=False,
        reason=reason,
    )


def count_failure(
    *,
    user: User,
    actor: str,
    actor_id: int | None,
    method: str,
    address: str | None,
    reason: str,
) -> bool:
    """A wrong password or code, audited; the limit-th in a row locks. True if now locked."""
    with transaction.atomic():
        lockout, _new = LoginLockout.objects.select_for_update().get_or_create(user=user)
        lockout.failures += 1
        locked_now = lockout.failures >= settings.LOGIN_FAILURE_LIMIT and not lockout.is_locked
        if locked_now:
            lockout.locked_at = timezone.now()
        lockout.save()
        _failed(actor, actor_id, method, address, reason)
        if locked_now:
            record(
                action=Action.SIGN_IN_LOCKED,
                person=None,
                actor=actor,
                actor_id=actor_id,
                address=address,
                failures=lockout.failures,
            )
    if locked_now:  # a sign-in open elsewhere (a stolen session, say) ends with the lock
        end_sessions(user=user, reason="ended")
    return lockout.is_locked


def check_password(
    *,
    user: User | None,
    password: str,
    actor: str,
    actor_id: int | None,
    address: str | None,
) -> None:
    """The password step of a staff or unit sign-in (`user` None: no such login). Raises
    LoginRefused; a right password does not reset the count (only a complete sign-in does),
    so it cannot buy more tries at the second factor."""
    method = Method.PASSWORD
    refuse_if_throttled(actor=actor, actor_id=actor_id, method=method, address=address)
    if user is None:
        check_throwaway_password(password)  # as slow as a real check
        _failed(actor, None, method, address, "unknown")
        raise LoginRefused("invalid")
    right = user.check_password(password)  # checked even when locked: the same time
    if is_locked(user):
        _failed(actor, actor_id, method, address, "locked")
        raise LoginRefused("invalid")
    if not right:
        count_failure(
            user=user,
            actor=actor,
            actor_id=actor_id,
            method=method,
            address=address,
            reason="wrong_password",
        )
        raise LoginRefused("invalid")


def signed_in(*, user: User, actor: str, actor_id: int, method: str, address: str | None) -> None:
    """A complete sign-in: the count of wrong tries starts again, and it is audited."""
    LoginLockout.objects.filter(user=user).update(failures=0)
    record(
        action=Action.LOGIN,
        person=None,
        actor=actor,
        actor_id=actor_id,
        method=method,
        address=address,
    )


@transaction.atomic
def unlock(*, user: User, staff_id: int | None) -> bool:
    """An administrator unlocks a locked sign-in (staff_id None: from the command line).
    False if it was not locked."""
    changed = LoginLockout.objects.filter(user=user, locked_at__isnull=False).update(
        failures=0, locked_at=None
    )
    if changed:
        record(
            action=Action.SIGN_IN_UNLOCKED,
            person=None,
            actor=Actor.STAFF if staff_id else Actor.SYSTEM,
            actor_id=staff_id,
            user=user.pk,
        )
    return bool(changed)
