"""Household registry (戶政) check: does this person live in this household at this address?

Production asks the registry's real-time service; the embedded default reads the
synthetic households. Choose with the HOUSEHOLD_REGISTRY setting.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from healthbank.people.models import Person


class HouseholdRegistry(Protocol):
    def matches(
        self, *, national_id: str, household_number: str, village_code: str, neighbourhood: int
    ) -> bool: ...


class LocalHouseholdRegistry:
    """The synthetic households of this database stand in for the registry."""

    def matches(
        self, *, national_id: str, household_number: str, village_code: str, neighbourhood: int
    ) -> bool:
        return Person.objects.filter(
            national_id=national_id,
            household__number=household_number.strip().upper(),
            household__village_id=village_code,
            household__neighbourhood=neighbourhood,
        ).exists()


def registry() -> HouseholdRegistry:
    return import_string(settings.HOUSEHOLD_REGISTRY)()
