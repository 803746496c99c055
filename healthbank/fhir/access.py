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

from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.scopes import PATIENT, SHARED, readable_types
from healthbank.identity.models import Account
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
    now = timezone.now()
    # One query: the person's latest live grant to the token's app that the token was
    # issued under, with the token itself (its expiry and scope) and the app's listing.
    issued = "listing__application__accesstoken__"  # the token, through its app
    grant = (
        Grant.objects.select_related("person", "listing")
        .filter(
            **{
                f"{issued}token_checksum": checksum,
                f"{issued}user__account__person": F("person"),
                f"{issued}created__gte": F("granted_at"),
            },
            listing__status=Listing.Status.APPROVED,
            # The account usable (Account.is_usable): not locked, not suspended by NHIA.
            person__account__locked_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .exclude(person__account__status=Account.Status.SUSPENDED)
        .annotate(token_expires=F(f"{issued}expires"), token_scope=F(f"{issued}scope"))
        .order_by("-granted_at")
        .first()
    )
    # An unexpired token (django-oauth-toolkit's AccessToken.is_expired).
    if grant is None or not grant.token_expires or now >= grant.token_expires:
        return None
    if grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_GRANULARITY:
        Grant.objects.filter(pk=grant.pk).update(last_used_at=now)
        grant.last_used_at = now
    return Access(
        person=grant.person,
        listing=grant.listing,
        grant=grant,
        resource_types=readable_types(grant.token_scope) & grant_types(grant),
        categories=frozenset(grant.categories),
        demographics=grant.demographics,
    )
