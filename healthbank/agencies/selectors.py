"""Reads of agencies: by client id (the authorisation server's), and names by id (the
person's access record)."""

from __future__ import annotations

from typing import Any

from healthbank.agencies.models import Agency


def agency_by_client_id(client_id: str) -> Agency | None:
    return (
        Agency.objects.select_related("application")
        .filter(application__client_id=client_id)
        .first()
    )


def agency_of(application: Any) -> Agency | None:
    """The application's agency, or None for a SMART app (or no application)."""
    if application is None:
        return None
    try:
        agency: Agency = application.agency
    except Agency.DoesNotExist:
        return None
    return agency


def agency_names(ids: set[int]) -> dict[int, str]:
    """Agencies by id, in the reader's language."""
    if not ids:
        return {}
    return {a.pk: a.display_name for a in Agency.objects.filter(pk__in=ids)}
