"""Writes of the app side of issue 25: developers and their apps, NHIA's review, and the
grants people give and take back.

A grant's tokens die with it: revoking a grant (the person, a replayed refresh token, a new
consent to the same app) deletes the app's access tokens, codes and id_tokens for that
person and revokes their refresh tokens, in the same transaction; suspending an app does
the same for everyone.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AbstractApplication, get_application_model

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import Action, Actor, record
from healthbank.fhir import rules, tasks
from healthbank.fhir.models import Developer, Grant, Listing, SandboxPerson
from healthbank.fhir.scopes import SHARED
from healthbank.identity import lockout
from healthbank.identity.services import end_app_tokens
from healthbank.people.locks import lock_person
from healthbank.people.models import Person

Application = get_application_model()
Method = AuditEvent.Method


class GrantRefused(Exception):
    """The person may not grant this app access (shown on the consent screen)."""

    MESSAGES = {
        "not_approved": _(
            "This app has not been approved by NHIA, or NHIA has suspended it, so it cannot "
            "be given access to your records. Close this page and go back to the app."
        ),
        "sandbox": _(
            "This app is a developer's test version (sandbox): only NHIA's test people may "
            "give it access. Your records were not shared. Close this page and go back to "
            "the app."
        ),
        "nothing": _("Choose at least one kind of record, or press Deny."),
    }

    def __init__(self, code: str) -> None:
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)


# --- developers and their apps --------------------------------------------------------------


class DeveloperExists(Exception):
    """Someone signed up with this e-mail meanwhile (the form checked it just before)."""


def sign_up_developer(*, email: str, password: str) -> Developer:
    """A developer account. The user's name is the e-mail's own, apart from people's
    (the form keeps the e-mail short enough for it). DeveloperExists if two sign-ups with
    one e-mail raced."""
    email = email.strip().lower()
    user = get_user_model()(username=f"developer:{email}", email=email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            return Developer.objects.create(user=user, email=email)
    except IntegrityError as error:
        raise DeveloperExists(email) from error


def authenticate_developer(*, email: str, password: str, address: str | None = None) -> Developer:
    """The developer's sign-in if the e-mail and password match, or lockout.LoginRefused, as
    staff and insured units sign in (identity.lockout): failures from one address are
    throttled, LOGIN_FAILURE_LIMIT wrong passwords in a row lock the sign-in until an
    administrator unlocks it, and every failure and success is audited with the developer
    as actor. "invalid" is the one answer for a wrong e-mail, a wrong password and a locked
    sign-in."""
    developer = (
        Developer.objects.select_related("user")
        .filter(email=email.strip().lower(), user__is_active=True)
        .first()
    )
    lockout.check_password(
        user=developer.user if developer else None,
        password=password,
        actor=Actor.DEVELOPER,
        actor_id=developer.pk if developer else None,
        address=address,
    )
    if developer is None:  # check_password has refused it already
        raise lockout.LoginRefused("invalid")
    lockout.signed_in(
        user=developer.user,
        actor=Actor.DEVELOPER,
        actor_id=developer.pk,
        method=Method.PASSWORD,
        address=address,
    )
    return developer


def _origins(redirect_uris: list[str]) -> str:
    """The https origins of the redirect URIs: browser apps there may call the token
    endpoint (CORS). A native app calls from no origin."""
    parts = (urlsplit(uri) for uri in redirect_uris)
    return " ".join(dict.fromkeys(f"https://{p.netloc}" for p in parts if p.scheme == "https"))


@transaction.atomic
def register_app(
    *,
    developer: Developer,
    name: str,
    publisher: str,
    description: str,
    privacy_policy: str,
    homepage: str,
    redirect_uris: list[str],
    confidential: bool,
    sandbox: bool,
) -> tuple[Listing, str]:
    """A new app and its listing; with the client secret in clear for a confidential app
    (shown once: only its hash is kept), "" for a public one. A sandbox app is approved at
    once; a production app waits for NHIA's review."""
    secret = generate_client_secret() if confidential else ""
    application = Application(
        name=name,
        user=developer.user,
        client_type=(
            AbstractApplication.CLIENT_CONFIDENTIAL
            if confidential
            else AbstractApplication.CLIENT_PUBLIC
        ),
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        allowed_origins=_origins(redirect_uris),  # browser apps call the token endpoint
        client_secret=secret,
        hash_client_secret=True,
        algorithm=AbstractApplication.RS256_ALGORITHM,
        skip_authorization=False,
    )
    application.full_clean(exclude=["client_secret"])
    application.save()
    listing = Listing.objects.create(
        application=application,
        developer=developer.user,
        publisher=publisher,
        privacy_policy=privacy_policy,
        homepage=homepage,
        description=description,
        environment=Listing.Environment.SANDBOX if sandbox else Listing.Environment.PRODUCTION,
        status=Listing.Status.APPROVED if sandbox else Listing.Status.PENDING,
    )
    return listing, secret


@transaction.atomic
def change_redirect_uris(*, listing: Listing, redirect_uris: list[str]) -> Listing:
    """The developer changes where codes are sent. NHIA reviewed a production app with its
    redirect URIs in view, so an approved production app goes back to review (pending):
    until staff approve it again, no one can grant it access and its tokens read nothing
    (they work again once it is approved; nothing is revoked). A sandbox app stays
    self-service. Audited with the developer as actor."""
    locked = Listing.objects.select_for_update().select_related("application").get(pk=listing.pk)
    application = locked.application
    before = application.redirect_uris.split()
    if before == redirect_uris:
        return locked
    application.redirect_uris = " ".join(redirect_uris)
    application.allowed_origins = _origins(redirect_uris)
    application.full_clean(exclude=["client_secret"])
    application.save(update_fields=["redirect_uris", "allowed_origins", "updated"])
    reviewed_again = (
        locked.environment == Listing.Environment.PRODUCTION
        and locked.status == Listing.Status.APPROVED
    )
    if reviewed_again:
        locked.status = Listing.Status.PENDING
        locked.review_note = ""
        locked.save(update_fields=["status", "review_note"])
    developer = Developer.objects.filter(user_id=locked.developer_id).first()
    record(
        action=Action.APP_CHANGED,
        person=None,
        actor=Actor.DEVELOPER,
        actor_id=developer.pk if developer else None,
        app=locked.pk,
        before=before,
        after=redirect_uris,
        status=locked.status,
    )
    return locked


@transaction.atomic
def review_app(
    *, listing: Listing, staff_user: AbstractBaseUser, status: str, note: str = ""
) -> Listing:
    """NHIA's decision on an app: approved, rejected or suspended. Suspending (or rejecting
    an app that had been approved) stops every token it holds at once."""
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    locked.mark_reviewed(staff_user, status, note)
    if status != Listing.Status.APPROVED:
        end_app_tokens(Q(application_id=locked.application_id))
    return locked


# --- grants ---------------------------------------------------------------------------------


def _end_grant(grant: Grant, at: dt.datetime) -> None:
    Grant.objects.filter(pk=grant.pk).update(revoked_at=at)
    grant.revoked_at = at
    end_app_tokens(
        Q(application_id=grant.listing.application_id, user__account__person_id=grant.person_id)
    )


@transaction.atomic
def grant_access(
    *,
    person: Person,
    listing: Listing,
    categories: list[str],
    demographics: bool,
    period: str,
    scope: str,
    address: str | None = None,
    identity_only: bool = False,
) -> Grant:
    """The person lets the app read the ticked categories (and demographics) for the chosen
    period. A grant they gave the app before ends: one open grant per app.

    An app that asked for records is given at least one kind ("nothing" otherwise: the
    person unticked everything, and is asked to press Deny instead). An app that asked only
    who the person is (`identity_only`: openid fhirUser, no records) is given a grant with
    no categories: its id_token names the Patient id, and it can read nothing."""
    if listing.status != Listing.Status.APPROVED:
        raise GrantRefused("not_approved")
    if (
        listing.environment == Listing.Environment.SANDBOX
        and not SandboxPerson.objects.filter(person=person).exists()
    ):
        raise GrantRefused("sandbox")
    categories = [code for code in SHARED if code in categories]
    if not categories and not demographics and not identity_only:
        raise GrantRefused("nothing")
    # Two Allows at once (a double click, two tabs) run one after the other: the second
    # replaces the first's grant instead of breaking the one-open-grant constraint (the
    # select_for_update below locks nothing while there is no grant yet).
    lock_person(person.pk)
    now = timezone.now()
    for old in Grant.objects.select_for_update().filter(
        person=person, listing=listing, revoked_at__isnull=True
    ):
        old.listing = listing
        _end_grant(old, now)
    length, _label = rules.GRANT_PERIODS[period]
    grant = Grant.objects.create(
        person=person,
        listing=listing,
        categories=categories,
        demographics=demographics,
        scope=scope,
        granted_at=now,
        expires_at=now + min(length, rules.MAX_GRANT),
    )
    record(
        action=Action.APP_GRANTED,
        person=person,
        actor=Actor.PERSON,
        actor_id=person.pk,
        address=address,
        app=listing.pk,
        grant=grant.pk,
        categories=categories,
        demographics=demographics,
        until=grant.expires_at.isoformat(),
    )
    transaction.on_commit(lambda: tasks.mail_app_granted.enqueue(grant.pk))
    return grant


@transaction.atomic
def revoke_grant(*, person: Person, grant: Grant, address: str | None = None) -> Grant:
    """The person takes the app's access back: its tokens stop working at once."""
    locked = (
        Grant.objects.select_for_update().select_related("listing").get(pk=grant.pk, person=person)
    )
    if locked.revoked_at is None:
        _end_grant(locked, timezone.now())
        record(
            action=Action.APP_REVOKED,
            person=person,
            actor=Actor.PERSON,
            actor_id=person.pk,
            address=address,
            app=locked.listing_id,
            grant=locked.pk,
        )
    return locked


@transaction.atomic
def revoke_after_replay(
    *, person_id: int, application: AbstractApplication, issued_at: dt.datetime
) -> Grant | None:
    """A refresh token was presented again after it had been used (or revoked): someone
    else may hold it, so the grant it was issued under ends, with every token. (A token of
    an earlier grant, one the person replaced, ends nothing.)"""
    grant = (
        Grant.objects.select_for_update()
        .select_related("listing", "person")
        .filter(
            person_id=person_id,
            listing__application=application,
            revoked_at__isnull=True,
            granted_at__lte=issued_at,
        )
        .first()
    )
    if grant is None:
        return None
    _end_grant(grant, timezone.now())
    record(
        action=Action.APP_REVOKED,
        person=grant.person,
        actor=Actor.APP,
        actor_id=grant.listing_id,
        app=grant.listing_id,
        grant=grant.pk,
        reason="refresh_token_replayed",
    )
    return grant


def add_to_sandbox(people: list[Person]) -> int:
    """Put test people on the sandbox list (seeding: the named personas)."""
    rows = SandboxPerson.objects.bulk_create(
        [SandboxPerson(person=person) for person in people], ignore_conflicts=True
    )
    return len(rows)
