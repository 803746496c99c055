"""Reads of apps and grants: a person's grants (person first), a developer's apps."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from healthbank.fhir.models import Developer, Grant, Listing, SandboxPerson
from healthbank.people.models import Person


def open_grants(person: Person) -> list[Grant]:
    """The apps that may read the person's records now, newest grant first."""
    return list(
        Grant.objects.filter(person=person, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("listing__application")
        .order_by("-granted_at")
    )


def past_grants(person: Person, limit: int = 20) -> list[Grant]:
    """Grants that ended (revoked, replaced or expired), newest first."""
    now = timezone.now()
    return list(
        Grant.objects.filter(person=person)
        .exclude(revoked_at__isnull=True, expires_at__gt=now)
        .select_related("listing__application")
        .order_by("-granted_at")[:limit]
    )


def grant_of(person: Person, grant_id: int) -> Grant | None:
    """One of the person's grants, or None (another person's grant is not theirs to see)."""
    return (
        Grant.objects.filter(person=person, pk=grant_id).select_related("listing__application")
    ).first()


def open_grant_of_app(person_id: int, listing: Listing) -> Grant | None:
    """The person's grant to the app that tokens may be issued under now, if any."""
    return Grant.objects.filter(
        person_id=person_id,
        listing=listing,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def in_sandbox(person: Person) -> bool:
    return SandboxPerson.objects.filter(person=person).exists()


def developer_of(user: AbstractBaseUser | AnonymousUser) -> Developer | None:
    if not isinstance(user, User):
        return None
    return Developer.objects.filter(user=user).first()


def listings_of(developer: Developer) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(developer=developer.user)
        .select_related("application")
        .order_by("-registered_at")
    )


def listing_of(developer: Developer, listing_id: int) -> Listing | None:
    """One of the developer's apps, or None (another developer's app is not theirs)."""
    return listings_of(developer).filter(pk=listing_id).first()


def listing_by_client_id(client_id: str) -> Listing | None:
    return (
        Listing.objects.filter(application__client_id=client_id)
        .select_related("application")
        .first()
    )
