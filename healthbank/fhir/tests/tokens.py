"""Bearer tokens for the API's tests, made directly with the toolkit's models: an approved
app (Application + Listing), the person's Grant and an AccessToken under it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.scopes import SHARED
from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person
from tests.fixtures.personas import PASSWORD

EVERYTHING = tuple(SHARED)
ALL_TYPES = "patient/*.rs"


def listing(name: str = "Pill reminder") -> Listing:
    developer, _ = get_user_model().objects.get_or_create(username="fhir-developer")
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://app.example/callback",
        user=developer,
    )
    return Listing.objects.create(
        application=application,
        developer=developer,
        publisher="Example Ltd",
        privacy_policy="https://app.example/privacy",
        description="Reminds people of their pills",
        environment=Listing.Environment.PRODUCTION,
        status=Listing.Status.APPROVED,
    )


def account_user(person: Person):
    account = getattr(person, "account", None) or register_at_counter(
        person=person, password=PASSWORD, staff_id=1
    )
    return account.user


def app_token(
    person: Person,
    *,
    scope: str = ALL_TYPES,
    categories: tuple[str, ...] = EVERYTHING,
    demographics: bool = True,
    app: Listing | None = None,
) -> str:
    """A valid access token of `app` (a new approved app by default) for `person`."""
    app = app or listing()
    now = timezone.now()
    Grant.objects.create(
        person=person,
        listing=app,
        categories=list(categories),
        demographics=demographics,
        scope=f"launch/patient {scope}",
        expires_at=now + dt.timedelta(days=90),
    )
    raw = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        user=account_user(person),
        application=app.application,
        token=raw,
        expires=now + dt.timedelta(hours=1),
        scope=f"launch/patient {scope}",
    )
    return raw
