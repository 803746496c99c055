"""What a bearer token lets an app read: the contract between the authorisation server and
the FHIR API.

The API calls `bearer_access(request)` on every request and serves nothing when it answers
None. A token is good while django-oauth-toolkit holds it unexpired, its app is approved,
the person's grant it was issued under is neither revoked nor past its end, and the
person's online-service account is usable (not suspended by NHIA, not locked for wrong
passwords). A person
holds at most one grant per app that is not revoked (fhir/services.py revokes the old one
and its tokens when they consent again), so the token's user and application name it.

What the app may read is both bounds at once: `resource_types` from the token's scope
(types with read or search permission) and `categories`, the grant's ticked categories of
the seed's table. The API serves a record only when its type is in `resource_types` and
the category it comes from is in `categories`; the Patient resource (name, sex, birth
date) only with `demographics`. The FHIR Patient id is `str(person.pk)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.scopes import PATIENT, SHARED, readable_types
from healthbank.people.models import Person

# last_used_at is a person's "last used" column, not a log: one write a minute is enough.
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Access:
    person: Person
    listing: Listing
    grant: Grant
    resource_types: frozenset[str]
    categories: frozenset[str]
    demographics: bool

    @property
    def patient_id(self) -> str:
        """The FHIR Patient id of the person (the token response's `patient`)."""
        return str(self.person.pk)


def grant_types(grant: Grant) -> frozenset[str]:
    """The resource types the grant's categories (and demographics) are served as."""
    types = {t for code in grant.categories for t in SHARED.get(code, ())}
    return frozenset(types | {PATIENT} if grant.demographics else types)


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer ...` header (never a query string: RFC 9700)."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def bearer_access(request: HttpRequest) -> Access | None:
    """The access the request's bearer token gives, or None if it gives none."""
    token = bearer_token(request)
    if token is None:
        return None
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    access_token = (
        get_access_token_model()
        .objects.select_related("application__listing", "user__account__person")
        .filter(token_checksum=checksum)
        .first()
    )
    if access_token is None or access_token.is_expired() or access_token.application is None:
        return None
    listing = getattr(access_token.application, "listing", None)
    account = getattr(access_token.user, "account", None)
    if listing is None or account is None or listing.status != Listing.Status.APPROVED:
        return None
    if not account.is_usable:  # suspended by NHIA, or locked for wrong passwords
        return None
    now = timezone.now()
    grant = (
        Grant.objects.filter(
            person=account.person,
            listing=listing,
            revoked_at__isnull=True,
            expires_at__gt=now,
            granted_at__lte=access_token.created,
        )
        .order_by("-granted_at")
        .first()
    )
    if grant is None:
        return None
    if grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_GRANULARITY:
        Grant.objects.filter(pk=grant.pk).update(last_used_at=now)
        grant.last_used_at = now
    return Access(
        person=account.person,
        listing=listing,
        grant=grant,
        resource_types=readable_types(access_token.scope) & grant_types(grant),
        categories=frozenset(grant.categories),
        demographics=grant.demographics,
    )
