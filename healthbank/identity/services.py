"""Registration, passwords, lockout and sign-in: every write of the identity app.

Each function is one business action in a transaction; failures raise IdentityError with a
code (stable, for tests and the API) and a translated message that says what to do next.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import record
from healthbank.core.typed import ascii_typed
from healthbank.external.household import registry
from healthbank.external.mail import send_bilingual
from healthbank.identity import passwords, rules
from healthbank.identity.cards import CardProof, CardRefused
from healthbank.identity.models import Account, DeviceBinding, EmailLink, WebSession
from healthbank.people.identifiers import normalise
from healthbank.people.models import InsuredUnit, NhiCard, Person

Action = AuditEvent.Action
Actor = AuditEvent.Actor


class IdentityError(Exception):
    MESSAGES = {
        "household_mismatch": _(
            "The household number or registered address does not match the household "
            "registry. Check the number on the cover of your household register (戶口名簿)."
        ),
        "already_registered": _(
            "You have already registered. Sign in with your password, or use Forgot password."
        ),
        "no_application": _(
            "There is no registration application awaiting confirmation for this card."
        ),
        "not_registered": _("This card is not registered for online services. Apply first."),
        "link_invalid": _(
            "This link is not valid: it was mistyped, already used, or replaced by a newer "
            "e-mail. Use the newest e-mail, or ask for a new one."
        ),
        "link_expired": _(
            "This link has expired (links are valid for 5 days). Use Resend confirmation "
            "e-mail (or Forgot password) to get a new one."
        ),
        "password_required": _("Choose your registration password to complete the registration."),
        "weak_password": _("Choose another password. %(reasons)s"),
        "invalid_login": _(
            "The sign-in details are wrong. After %(limit)s wrong passwords in a row, online "
            "services are suspended until you reset your password with Forgot password."
        ),
        "throttled": _(
            "Too many failed sign-ins from this network. Wait 15 minutes and try again."
        ),
        "locked": _(
            "Your online services are suspended because the password was entered wrongly "
            "too many times. Reset your password with Forgot password to use them again."
        ),
        "suspended": _(
            "Your online services are suspended by NHIA. Please visit an NHIA service counter "
            "with your identity document."
        ),
        "pending": _(
            "Your registration is not confirmed yet. Open the link in the confirmation e-mail, "
            "or use Resend confirmation e-mail."
        ),
        "card_required": _(
            "Your NHI card has not been verified online yet. Sign in once with the NHI card "
            "or the citizen digital certificate tab."
        ),
        "no_email": _(
            "No e-mail address is on record. Choose to change the e-mail address and verify "
            "your household."
        ),
        "password_again": _(
            "The registration password is wrong. Wrong passwords left before you are signed "
            "out, to protect your account: %(left)s."
        ),
        "mobile_account_exists": _(
            "You already have an account for the NHI Express app: sign in to the app with your "
            "national ID and your registration password. Verify your phone with Mobile device "
            "verification first."
        ),
    }

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.message = self.MESSAGES[code] % params if params else self.MESSAGES[code]


class SessionEnded(Exception):
    """The password asked again inside a session was wrong REAUTH_FAILURE_LIMIT times: the
    caller ends that session (the website signs out, the app API revokes the token). Not an
    IdentityError, so that it passes the views' handlers of refusals to the one that ends
    the session."""

    code = "reauth_ended"

    def __init__(self) -> None:
        super().__init__(self.code)
        self.message = _(
            "The password was entered wrongly %(limit)s times, so you have been signed out to "
            "protect your account. Sign in again."
        ) % {"limit": settings.REAUTH_FAILURE_LIMIT}


# --- helpers -----------------------------------------------------------------------------


def _site_url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _issue_link(account: Account, purpose: str, valid_for: dt.timedelta) -> str:
    """A new link of this purpose; older unused ones stop working."""
    now = timezone.now()
    account.links.filter(purpose=purpose, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    EmailLink.objects.create(
        account=account,
        purpose=purpose,
        token_hash=EmailLink.hash(token),
        expires_at=now + valid_for,
    )
    return token


def _valid_link(token: str, purpose: str, *, for_update: bool = False) -> EmailLink:
    """The link of this token, unused and unexpired; locked when it is about to be used."""
    links = EmailLink.objects.select_for_update() if for_update else EmailLink.objects
    link = (
        links.select_related("account__person", "account__user")
        .filter(token_hash=EmailLink.hash(token), purpose=purpose)
        .first()
    )
    if link is None or link.used_at is not None:
        raise IdentityError("link_invalid")
    if link.is_expired:
        raise IdentityError("link_expired")
    return link


def _recipients(account: Account) -> list[str]:
    return [address for address in (account.email, account.backup_email) if address]


def _mail(template: str, account: Account, **context: Any) -> None:
    send_bilingual(
        f"identity/mail/{template}",
        to=_recipients(account),
        context={"name": account.person.name, "account": account, **context},
    )


def link_for(token: str, purpose: str) -> str:
    name = "identity:confirm" if purpose == EmailLink.Purpose.CONFIRM else "identity:reset"
    return _site_url(name, token=token)


def _new_user(person: Person) -> User:
    user = get_user_model()(username=f"person-{person.pk}")
    user.set_unusable_password()
    user.save()
    return user


def _set_password(account: Account, password: str) -> None:
    """Every password a person sets passes identity.passwords (the forms have shown the
    reasons already; this keeps any other caller from storing a refused one)."""
    emails = (account.email, account.backup_email)
    try:
        passwords.validate(password, person=account.person, emails=emails)
    except ValidationError as refused:
        raise IdentityError("weak_password", reasons=" ".join(refused.messages)) from None
    account.user.set_password(password)
    account.user.save(update_fields=["password"])


def _own_card(proof: CardProof, person: Person) -> None:
    if proof.person.pk != person.pk:
        raise CardRefused("other_person")


# --- online registration ---------------------------------------------------------------


def check_household(
    *, proof: CardProof, household_number: str, village_code: str, neighbourhood: int
) -> Person:
    """Step 2 of online registration: the card holder's household matches the registry."""
    person = proof.person
    account = Account.objects.filter(person=person).first()
    if account and account.status in (Account.Status.ACTIVE, Account.Status.SUSPENDED):
        raise IdentityError("already_registered")
    if not registry().matches(
        national_id=person.national_id,
        household_number=household_number,
        village_code=village_code,
        neighbourhood=neighbourhood,
    ):
        raise IdentityError("household_mismatch")
    return person


@transaction.atomic
def apply_online(
    *,
    person: Person,
    password: str,
    email: str,
    backup_email: str = "",
    mobile: str = "",
    phone: str = "",
    address: str | None = None,
) -> Account:
    """Step 3: the application, awaiting the person's click in the confirmation e-mail."""
    account = Account.objects.select_for_update().filter(person=person).first()
    if account and account.status in (Account.Status.ACTIVE, Account.Status.SUSPENDED):
        raise IdentityError("already_registered")
    if account is None:
        account = Account(person=person, user=_new_user(person))
    account.status = Account.Status.PENDING
    account.channel = Account.Channel.ONLINE
    account.unit = None
    account.email, account.backup_email = email, backup_email
    account.mobile, account.phone = mobile, phone
    account.applied_at = timezone.now()
    account.save()
    _set_password(account, password)
    token = _issue_link(account, EmailLink.Purpose.CONFIRM, rules.CONFIRMATION_VALID_FOR)
    record(action=Action.REGISTRATION_APPLIED, person=person, method="card", address=address)
    _mail("confirm", account, link=link_for(token, EmailLink.Purpose.CONFIRM))
    return account


def confirmation_link(token: str) -> EmailLink:
    """The link, if it may still be used (for showing the confirmation page)."""
    return _valid_link(token, EmailLink.Purpose.CONFIRM)


@transaction.atomic
def confirm_registration(
    *, token: str, proof: CardProof, password: str | None = None, address: str | None = None
) -> Account:
    """The person opens the e-mailed link and reads their card (employer-registered people
    set their password here too): the registration is complete."""
    link = _valid_link(token, EmailLink.Purpose.CONFIRM, for_update=True)
    account = link.account
    _own_card(proof, account.person)
    if not password and not account.user.has_usable_password():
        raise IdentityError("password_required")  # registered by a unit: no password yet
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    if password:
        _set_password(account, password)
    account.status = Account.Status.ACTIVE
    account.confirmed_at = now
    account.card_verified_at = account.card_verified_at or now
    account.save()
    record(
        action=Action.REGISTRATION_CONFIRMED,
        person=account.person,
        method=proof.kind,
        address=address,
    )
    _mail("completed", account, login_url=_site_url("identity:login"))
    return account


def _pending_account(person: Person) -> Account:
    account = Account.objects.filter(person=person, status=Account.Status.PENDING).first()
    if account is None:
        raise IdentityError("no_application")
    return account


@transaction.atomic
def resend_confirmation(*, proof: CardProof, address: str | None = None) -> Account:
    """重寄認證信: a new 5-day link for a pending application (older links stop working)."""
    account = _pending_account(proof.person)
    token = _issue_link(account, EmailLink.Purpose.CONFIRM, rules.CONFIRMATION_VALID_FOR)
    account.applied_at = timezone.now()
    account.save(update_fields=["applied_at"])
    record(
        action=Action.REGISTRATION_RESENT, person=account.person, method=proof.kind, address=address
    )
    template = "confirm_employer" if account.channel == Account.Channel.EMPLOYER else "confirm"
    _mail(template, account, link=link_for(token, EmailLink.Purpose.CONFIRM), unit=account.unit)
    return account


@transaction.atomic
def delete_application(*, proof: CardProof, address: str | None = None) -> None:
    """刪除註冊申請: withdraw an application that is not confirmed yet."""
    account = _pending_account(proof.person)
    user = account.user
    account.delete()
    user.delete()
    record(
        action=Action.REGISTRATION_DELETED, person=proof.person, method=proof.kind, address=address
    )


# --- passwords ---------------------------------------------------------------------------


def masked_email(address: str) -> str:
    """ela*****@nhi.gov.tw, as the seed's forgot-password screen shows it."""
    local, _, domain = address.partition("@")
    return f"{local[:3]}*****@{domain}" if domain else ""


def registered_account(person: Person) -> Account:
    accounts = Account.objects.filter(person=person).exclude(status=Account.Status.CERTIFICATE)
    account = accounts.select_related("person", "user").first()
    if account is None:
        raise IdentityError("not_registered")
    return account


@transaction.atomic
def request_password_reset(
    *,
    proof: CardProof,
    new_email: str = "",
    household_number: str = "",
    village_code: str = "",
    neighbourhood: int | None = None,
    mobile: str = "",
    address: str | None = None,
) -> Account:
    """忘記註冊密碼: mail a reset link to the registered address, or (second mode) to a new
    address once the household is verified against the registry."""
    account = registered_account(proof.person)
    if new_email:
        if not registry().matches(
            national_id=proof.person.national_id,
            household_number=household_number,
            village_code=village_code,
            neighbourhood=neighbourhood or 0,
        ):
            raise IdentityError("household_mismatch")
        account.email = new_email
        account.mobile = mobile or account.mobile
        account.save(update_fields=["email", "mobile"])
    elif not account.email:
        raise IdentityError("no_email")
    token = _issue_link(account, EmailLink.Purpose.RESET, rules.RESET_VALID_FOR)
    record(
        action=Action.PASSWORD_RESET_REQUESTED,
        person=account.person,
        method=proof.kind,
        address=address,
        new_email=bool(new_email),
    )
    _mail("reset", account, link=link_for(token, EmailLink.Purpose.RESET))
    return account


def reset_link(token: str) -> EmailLink:
    return _valid_link(token, EmailLink.Purpose.RESET)


@transaction.atomic
def reset_password(
    *, token: str, proof: CardProof, password: str, address: str | None = None
) -> Account:
    """The reset link + the card + a new password: also lifts a wrong-password suspension."""
    link = _valid_link(token, EmailLink.Purpose.RESET, for_update=True)
    account = link.account
    _own_card(proof, account.person)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    _set_password(account, password)
    account.failed_logins = 0
    account.locked_at = None
    account.card_verified_at = account.card_verified_at or timezone.now()
    account.save(update_fields=["failed_logins", "locked_at", "card_verified_at"])
    record(action=Action.PASSWORD_RESET, person=account.person, method=proof.kind, address=address)
    _mail("password_changed", account)
    return account


def change_password(
    *,
    account: Account,
    old_password: str,
    new_password: str,
    session: str,
    address: str | None = None,
) -> Account:
    """變更註冊密碼: the current password is asked again (confirm_password)."""
    confirm_password(
        account=account,
        password=old_password,
        session=session,
        purpose="password_change",
        address=address,
    )
    with transaction.atomic():
        _set_password(account, new_password)
        record(action=Action.PASSWORD_CHANGED, person=account.person, address=address)
        _mail("password_changed", account)
    return account


def update_account(
    *,
    account: Account,
    password: str,
    email: str,
    session: str,
    backup_email: str = "",
    mobile: str = "",
    phone: str = "",
    address: str | None = None,
) -> Account:
    """帳號資料異動: contact data, after the password is asked again (confirm_password)."""
    confirm_password(
        account=account,
        password=password,
        session=session,
        purpose="account_update",
        address=address,
    )
    new = {"email": email, "backup_email": backup_email, "mobile": mobile, "phone": phone}
    changed = [field for field, value in new.items() if getattr(account, field) != value]
    with transaction.atomic():
        for field in changed:
            setattr(account, field, new[field])
        account.save(update_fields=changed or None)
        record(
            action=Action.ACCOUNT_UPDATED, person=account.person, address=address, fields=changed
        )
    return account


# --- sign-in -----------------------------------------------------------------------------


@functools.cache
def _throwaway_hash() -> str:
    return make_password(secrets.token_urlsafe(16))


def check_throwaway_password(password: str) -> None:
    """Spend the time of a real password check, so unknown names answer as slowly as known
    ones (and timing does not tell who is registered)."""
    get_user_model()(password=_throwaway_hash()).check_password(password)


def _throttled(address: str | None) -> bool:
    if not address:
        return False
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_ADDRESS_WINDOW)
    failures = AuditEvent.objects.filter(
        action=Action.LOGIN_FAILED, address=address, at__gte=since
    ).count()
    return failures >= settings.LOGIN_ADDRESS_LIMIT


def _refuse(
    person: Person | None,
    method: str,
    address: str | None,
    code: str,
    reason: str = "",
    **params: object,
) -> NoReturn:
    """Audit a refused sign-in (`reason` when the audit knows more than the caller is told)
    and raise IdentityError(code)."""
    record(
        action=Action.LOGIN_FAILED,
        person=person,
        method=method,
        address=address,
        success=False,
        reason=reason or code,
    )
    raise IdentityError(code, **params)


def _check_password(account: Account, password: str, method: str, address: str | None) -> None:
    """A wrong password counts towards suspension; the limit-th in a row suspends."""
    limit = settings.LOGIN_FAILURE_LIMIT
    if account.user.check_password(password):
        return
    locked_now = False
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        locked.failed_logins += 1
        if locked.failed_logins >= limit and locked.locked_at is None:
            locked.locked_at = timezone.now()
            locked_now = True
        locked.save(update_fields=["failed_logins", "locked_at"])
    if locked_now:
        record(action=Action.LOCKED, person=account.person, actor=Actor.SYSTEM, address=address)
        end_sessions(user=account.user, reason="locked")
        _mail("locked", account, limit=limit, forgot_url=_site_url("identity:forgot"))
    _refuse(account.person, method, address, "invalid_login", limit=limit)


def sign_in(
    *,
    method: str,
    password: str = "",
    national_id: str = "",
    card_number: str = "",
    proof: CardProof | None = None,
    address: str | None = None,
) -> Account:
    """一般登入 (ID + card number + password), 健保卡 (card + password) or 自然人憑證
    (certificate): the account to start a session for, or IdentityError.

    What a refusal says never tells whether an ID is registered, unless the caller has
    proved they hold the card or know the password.
    """
    limit = settings.LOGIN_FAILURE_LIMIT
    refuse_if_throttled(method=method, address=address)
    if method == "certificate":
        return _sign_in_with_certificate(proof, address)
    person: Person | None
    if proof is not None:
        person = proof.person
    else:
        card = (
            NhiCard.objects.select_related("person")
            .filter(
                number=ascii_typed(card_number).strip(),
                person__national_id=normalise(national_id),
                status=NhiCard.Status.VALID,
            )
            .first()
        )
        person = card.person if card else None
    account = (
        Account.objects.select_related("person", "user")
        .exclude(status=Account.Status.CERTIFICATE)
        .filter(person=person)
        .first()
        if person
        else None
    )
    if account is None:
        check_throwaway_password(password)
        _refuse(person, method, address, "invalid_login", limit=limit)
    check_password_and_state(
        account=account, password=password, method=method, address=address, holder=proof is not None
    )
    if proof is None and account.card_verified_at is None:
        _refuse(account.person, method, address, "card_required")
    return signed_in(account, method, address, card_verified=proof is not None)


def refuse_if_throttled(*, method: str, address: str | None) -> None:
    """Too many failed sign-ins from this address lately: IdentityError("throttled")."""
    if _throttled(address):
        _refuse(None, method, address, "throttled")


def check_password_and_state(
    *, account: Account, password: str, method: str, address: str | None, holder: bool = False
) -> None:
    """What every password sign-in (website or app) checks: the password, where a wrong one
    counts towards the lockout, then whether the account may be used. IdentityError if not.

    `holder`: the caller has proved they hold the person's NHI card or the app's verified
    device, so a locked account may tell them it is locked (see _refuse_locked).
    """
    if account.is_locked:
        _refuse_locked(account, password, method, address, holder)
    _check_password(account, password, method, address)
    # Read again: a wrong password sent alongside may have locked the account meanwhile.
    fresh = Account.objects.values_list("locked_at", "status").get(pk=account.pk)
    account.locked_at, account.status = fresh
    if account.is_locked:  # the right password's hash is spent: no second one
        _refuse_locked(account, None, method, address, holder)
    # The password is right: from here the person may be told the state of their account.
    if account.status == Account.Status.SUSPENDED:
        _refuse(account.person, method, address, "suspended")
    if account.status == Account.Status.PENDING:
        _refuse(account.person, method, address, "pending")


def _refuse_locked(
    account: Account, password: str | None, method: str, address: str | None, holder: bool
) -> None:
    """A locked account answers alike for the right and a wrong password, in the same time,
    and no longer counts: otherwise whoever made it lock could go on guessing, and the
    answer "locked" would tell them when they guessed right. The person has been told by the
    lockout e-mail, and the invalid_login message says what that many wrong passwords do.

    Someone who has proved they hold the card or the verified device is told "locked" (and
    how to reset) whatever the password: that answer does not depend on the password, so it
    is no oracle, and it is the person, or someone who already has their card, who learns
    only that the account is locked.
    """
    if password is not None:
        check_throwaway_password(password)
    code = "locked" if holder else "invalid_login"
    _refuse(
        account.person, method, address, code, reason="locked", limit=settings.LOGIN_FAILURE_LIMIT
    )


def _sign_in_with_certificate(proof: CardProof | None, address: str | None) -> Account:
    if proof is None or proof.kind != "certificate":
        raise CardRefused("missing_certificate")
    person = proof.person
    account = Account.objects.select_related("person", "user").filter(person=person).first()
    if account is None:
        account = Account.objects.create(
            person=person,
            user=_new_user(person),
            status=Account.Status.CERTIFICATE,
            channel=Account.Channel.CERTIFICATE,
        )
    if account.is_locked:
        _refuse(person, "certificate", address, "locked")
    if account.status == Account.Status.SUSPENDED:
        _refuse(person, "certificate", address, "suspended")
    return signed_in(account, "certificate", address, card_verified=True)


def signed_in(
    account: Account, method: str, address: str | None, card_verified: bool = False, **detail: Any
) -> Account:
    """A sign-in that passed: the wrong-password count starts again, and it is audited."""
    account.failed_logins = 0
    if card_verified and account.card_verified_at is None:
        account.card_verified_at = timezone.now()
    account.save(update_fields=["failed_logins", "card_verified_at"])
    record(action=Action.LOGIN, person=account.person, method=method, address=address, **detail)
    return account


def record_logout(account: Account, address: str | None) -> None:
    record(action=Action.LOGOUT, person=account.person, address=address)


# --- NHIA staff (counter) and insured units ------------------------------------------------


@transaction.atomic
def register_at_counter(
    *,
    person: Person,
    password: str,
    email: str = "",
    mobile: str = "",
    phone: str = "",
    staff_id: int | None,
) -> Account:
    """臨櫃註冊: staff checked the identity document; no e-mail confirmation (rule 4)."""
    account = Account.objects.select_for_update().filter(person=person).first()
    if account and account.status in (Account.Status.ACTIVE, Account.Status.SUSPENDED):
        raise IdentityError("already_registered")
    if account is None:
        account = Account(person=person, user=_new_user(person))
    now = timezone.now()
    account.status, account.channel = Account.Status.ACTIVE, Account.Channel.COUNTER
    account.email, account.mobile, account.phone = email, mobile, phone
    account.applied_at = account.confirmed_at = now
    account.save()
    _set_password(account, password)
    account.links.filter(used_at__isnull=True).update(used_at=now)
    record(
        action=Action.REGISTRATION_COUNTER,
        person=person,
        actor=Actor.STAFF,
        actor_id=staff_id,
        method="counter",
    )
    return account


@transaction.atomic
def suspend(*, account: Account, reason: str, staff_id: int | None) -> Account:
    """註冊停用 at the counter (rules 8, 9, 11): no online use until reinstated; the person's
    open sessions and app tokens end at once."""
    account.status = Account.Status.SUSPENDED
    account.suspension_reason = reason
    account.save(update_fields=["status", "suspension_reason"])
    end_sessions(user=account.user, reason="suspended")
    record(
        action=Action.SUSPENDED,
        person=account.person,
        actor=Actor.STAFF,
        actor_id=staff_id,
        reason=reason,
    )
    return account


@transaction.atomic
def reinstate(*, account: Account, staff_id: int | None) -> Account:
    account.status = Account.Status.ACTIVE
    account.suspension_reason = ""
    account.confirmed_at = account.confirmed_at or timezone.now()
    account.save(update_fields=["status", "suspension_reason", "confirmed_at"])
    record(action=Action.REINSTATED, person=account.person, actor=Actor.STAFF, actor_id=staff_id)
    return account


@transaction.atomic
def register_for_unit(
    *, person: Person, unit: InsuredUnit, email: str, mobile: str = "", phone: str = ""
) -> Account:
    """投保單位整批註冊, one accepted row: the person confirms with the card and sets a
    password within 5 days, from the e-mail sent here."""
    account = Account.objects.select_for_update().filter(person=person).first()
    if account and account.status in (Account.Status.ACTIVE, Account.Status.SUSPENDED):
        raise IdentityError("already_registered")
    if account is None:
        account = Account(person=person, user=_new_user(person))
    else:
        account.user.set_unusable_password()
        account.user.save(update_fields=["password"])
    account.status, account.channel, account.unit = (
        Account.Status.PENDING,
        Account.Channel.EMPLOYER,
        unit,
    )
    account.email, account.mobile, account.phone = email, mobile, phone
    account.applied_at = timezone.now()
    account.save()
    token = _issue_link(account, EmailLink.Purpose.CONFIRM, rules.CONFIRMATION_VALID_FOR)
    record(action=Action.REGISTRATION_EMPLOYER, person=person, actor=Actor.UNIT, actor_id=unit.pk)
    _mail("confirm_employer", account, link=link_for(token, EmailLink.Purpose.CONFIRM), unit=unit)
    return account


# --- asking again, and the personal e-services' mobile-device account ----------------------


def confirm_password(
    *,
    account: Account,
    password: str,
    session: str,
    purpose: str,
    method: str = "",
    address: str | None = None,
) -> None:
    """Sensitive actions ask again (changing the password or contact data, a device code,
    enabling a device, a package, an authorisation): the registration password re-typed
    inside a live session, named by `session` (a reference the caller keeps for it).

    A wrong one is audited and counted for this session only, never toward the account's
    lockout: whoever holds a stolen session or token must not be able to lock the owner
    out. The REAUTH_FAILURE_LIMIT-th raises SessionEnded, and so does every try after it,
    before any password is checked. Otherwise IdentityError("password_again"), or the
    account's state (locked, suspended) whatever the password.
    """
    limit = settings.REAUTH_FAILURE_LIMIT
    with transaction.atomic():
        # One check at a time per account, so parallel requests cannot try more passwords
        # than the limit allows.
        locked_at, status = (
            Account.objects.select_for_update()
            .values_list("locked_at", "status")
            .get(pk=account.pk)
        )
        failures = AuditEvent.objects.filter(
            person_id=account.person_id, action=Action.REAUTH_FAILED, detail__session=session
        ).count()
        if failures >= limit:
            raise SessionEnded
        # The session's holder is who signed in: the state may be told, whatever the password.
        if locked_at is not None:
            raise IdentityError("locked")
        if status == Account.Status.SUSPENDED:
            raise IdentityError("suspended")
        if account.user.check_password(password):
            return
        failures += 1
        record(
            action=Action.REAUTH_FAILED,
            person=account.person,
            method=method,
            address=address,
            success=False,
            session=session,
            purpose=purpose,
            ended=failures >= limit,
        )
    if failures >= limit:
        raise SessionEnded
    raise IdentityError("password_again", left=limit - failures)


def mobile_account_refusal(account: Account) -> str | None:
    """Why this account cannot apply for a mobile-device account (an IdentityError code),
    or None when it can: only a certificate-only account applies."""
    if account.is_locked:
        return "locked"
    refusals: dict[str, str] = {
        Account.Status.ACTIVE: "mobile_account_exists",
        Account.Status.PENDING: "pending",
        Account.Status.SUSPENDED: "suspended",
    }
    return refusals.get(account.status)


@transaction.atomic
def apply_mobile_account(
    *, account: Account, password: str, email: str, address: str | None = None
) -> Account:
    """行動裝置帳號申請 (seed 002): a person signed in with the citizen digital certificate
    chooses the password the NHI Express app signs in with. The certificate has proved who
    they are, so, as at a counter, the account is active at once without a confirming
    e-mail; the e-mail sent tells them it was done."""
    accounts = Account.objects.select_for_update().select_related("person", "user")
    account = accounts.get(pk=account.pk)
    if refusal := mobile_account_refusal(account):
        raise IdentityError(refusal)
    now = timezone.now()
    account.status = Account.Status.ACTIVE
    account.email = email
    account.applied_at = account.confirmed_at = now
    account.card_verified_at = account.card_verified_at or now
    account.save()
    _set_password(account, password)
    record(
        action=Action.REGISTRATION_APPLIED,
        person=account.person,
        method="certificate",
        address=address,
        mobile_account=True,
    )
    _mail("mobile_account", account, device_url=_site_url("eservice:device_code"))
    return account


# --- web sessions and app tokens: ended together ------------------------------------------

# While a request runs (identity.middleware), end_sessions notes here which session keys it
# ended and why: a request that ended its own session answers with the sign-in page instead
# of saving a session that no longer exists.
_ended_here: ContextVar[dict[str, str] | None] = ContextVar("ended_sessions", default=None)


@contextlib.contextmanager
def noting_ended_sessions() -> Iterator[dict[str, str]]:
    ended: dict[str, str] = {}
    token = _ended_here.set(ended)
    try:
        yield ended
    finally:
        _ended_here.reset(token)


@transaction.atomic
def end_sessions(*, user: User, reason: str) -> int:
    """Sign the user out everywhere at once: every web session they hold is deleted, every
    token of the NHI Express app on their devices is revoked, and so is every token
    third-party apps hold for them (SMART on FHIR: access tokens, refresh tokens, codes not
    yet exchanged; end_app_tokens). For good: reinstating the account or resetting the
    password revives none of them, and an app must ask the person again (the consent
    screen). The grants the person gave apps stay, to be seen and revoked under App access.
    `reason` is the IdentityError code (or "ended") that a session ended by its own request
    is told. Returns how many web sessions were ended."""
    sessions = WebSession.objects.filter(user=user)
    keys = list(sessions.values_list("session_key", flat=True))
    sessions.delete()
    now = timezone.now()
    # The app's tokens hang on the account's device bindings (api.ApiToken): reached through
    # that relation, so that identity does not import the app API built on it.
    tokens = DeviceBinding.api_tokens.rel.related_model._default_manager
    tokens.filter(binding__account__user=user, revoked_at=None).update(revoked_at=now)
    end_app_tokens(Q(user=user))
    if (ended := _ended_here.get()) is not None:
        ended.update(dict.fromkeys(keys, reason))
    return len(keys)


def end_app_tokens(which: Q) -> None:
    """Every third-party app token matching `which` (on the toolkit's token fields: user,
    application_id) ends now: access tokens, codes and id_tokens are deleted, refresh
    tokens revoked (kept, so that presenting one again is told apart from a replay: fhir's
    authserver). The toolkit's own models, so that identity does not import fhir."""
    get_access_token_model().objects.filter(which).delete()
    get_refresh_token_model().objects.filter(which, revoked__isnull=True).update(
        revoked=timezone.now()
    )
    get_grant_model().objects.filter(which).delete()
    get_id_token_model().objects.filter(which).delete()


def delete_expired_sessions() -> None:
    """The periodic clean-up: sessions past their expiry leave the table (what Django's
    clearsessions does)."""
    WebSession.get_session_store_class().clear_expired()
