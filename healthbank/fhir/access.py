"""Who a bearer token lets read what (minimal stand-in for the OAuth helper's module).

`bearer_access(request)` answers the request's `Authorization: Bearer` token as an
`Access`: the person in context, the app's listing, the grant it was issued under, and
the resource types and categories it may read; None when there is no usable token. One
query joins the token, its application, listing and user's person, and one reads the
active grant: nothing is cached, so a revoked grant or suspended app stops at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.scopes import PATIENT, RESOURCE_TYPES, SHARED
from healthbank.people.models import Person

_SCOPE = re.compile(r"^patient/(\*|[A-Za-z]+)\.(read|\*|[cruds]+)$")


@dataclass(frozen=True)
class Access:
    person: Person
    listing: Listing
    grant: Grant
    resource_types: frozenset[str]
    categories: frozenset[str]
    demographics: bool


def _scope_types(scope: str) -> set[str]:
    types: set[str] = set()
    for item in scope.split():
        match = _SCOPE.match(item)
        if match is None or not ({"read", "*"} & {match[2]} or "r" in match[2]):
            continue
        types |= set(RESOURCE_TYPES) if match[1] == "*" else {match[1]}
    return types


def bearer_access(request: HttpRequest) -> Access | None:
    header = request.headers.get("Authorization", "")
    kind, _, raw = header.partition(" ")
    if kind.lower() != "bearer" or not raw.strip():
        return None
    checksum = hashlib.sha256(raw.strip().encode()).hexdigest()
    token = (
        AccessToken.objects.select_related("application__listing", "user__account__person")
        .filter(
            token_checksum=checksum,
            expires__gt=timezone.now(),
            application__listing__status=Listing.Status.APPROVED,
        )
        .first()
    )
    if token is None or token.user is None:
        return None
    account = getattr(token.user, "account", None)
    if account is None:
        return None
    person, listing = account.person, token.application.listing
    grant = (
        Grant.objects.filter(
            person=person, listing=listing, revoked_at=None, expires_at__gt=timezone.now()
        )
        .order_by("-granted_at")
        .first()
    )
    if grant is None:
        return None
    categories = frozenset(code for code in grant.categories if code in SHARED)
    granted = {t for code in categories for t in SHARED[code]}
    if grant.demographics:
        granted.add(PATIENT)
    return Access(
        person=person,
        listing=listing,
        grant=grant,
        resource_types=frozenset(_scope_types(token.scope) & granted),
        categories=categories,
        demographics=grant.demographics,
    )
