"""The app's personal e-services (行動櫃檯, 健保快易通): what every e-service's API router needs
of the app's sign-in, so that each e-service app (cards, certificates, billing) answers the
app with its own services and none imports the API app.

The app's access token (api.models.ApiToken) names the device binding, hence the account and
the person; the web's e-service pages (identity.eservice) get the same from the session.
"""

from __future__ import annotations

from typing import Protocol

from django.http import HttpRequest

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.identity import services
from healthbank.identity.models import Account, DeviceBinding
from healthbank.people.models import Person


class AppToken(Protocol):
    """What the e-services read of api.models.ApiToken."""

    binding: DeviceBinding
    pair: str


class AppRequest(HttpRequest):
    """A request the app API's BearerToken let in: ninja sets `auth` to the access token."""

    auth: AppToken


def account_of(request: AppRequest) -> Account:
    return request.auth.binding.account


def person_of(request: AppRequest) -> Person:
    """The signed-in person: every read and write of the app's e-services is theirs."""
    return request.auth.binding.account.person


def confirm_password(request: AppRequest, password: str, purpose: str) -> None:
    """Sensitive actions ask again, as on the website (identity.reauth): the registration
    password, wrong ones counted under this sign-in (the token pair), too many end it
    (SessionEnded, which the API answers by revoking the pair)."""
    services.confirm_password(
        account=account_of(request),
        password=password,
        session=request.auth.pair,
        purpose=purpose,
        method="password",
        address=client_address(request),
    )


def audit_page(request: AppRequest, page: str, *, changed: bool = False) -> None:
    """What identity.eservice.eservice_page records for a web page, for the app's screen of
    the same service: a read, or a change saved, naming the web page's view name after
    `app:` (the person's access record then names the service either way)."""
    person = person_of(request)
    record(
        action=Action.RECORDS_CHANGED if changed else Action.RECORDS_READ,
        person=person,
        actor=Actor.PERSON,
        actor_id=person.pk,
        address=client_address(request),
        page=f"app:{page}",
    )
