"""The household registry (戶政) check: a person matches only their own household."""

from __future__ import annotations

import pytest

from healthbank.external.household import LocalHouseholdRegistry, registry
from healthbank.identity.tests.cardhelpers import (
    CHEN_ID,
    WIFE_ID,
    household_fields,
    seed_personas,
)
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def chen():
    seed_personas()
    return Person.objects.select_related("household").get(national_id=CHEN_ID)


def matches(national_id: str, fields: dict) -> bool:
    return registry().matches(national_id=national_id, **fields)


def test_the_registry_is_the_synthetic_households_by_default():
    assert isinstance(registry(), LocalHouseholdRegistry)


def test_a_person_matches_their_own_household(chen):
    assert matches(CHEN_ID, household_fields(chen))


def test_the_household_number_is_read_as_written_on_the_register(chen):
    fields = household_fields(chen)
    fields["household_number"] = f"  {fields['household_number'].lower()} "

    assert matches(CHEN_ID, fields)


def test_members_of_the_same_household_match_it(chen):
    assert matches(WIFE_ID, household_fields(chen))


@pytest.mark.parametrize(
    "change",
    [
        {"household_number": "F0000000"},
        {"village_code": "63000010001"},
        {"neighbourhood": 99},
    ],
    ids=["number", "village", "neighbourhood"],
)
def test_a_wrong_household_detail_does_not_match(chen, change):
    assert not matches(CHEN_ID, household_fields(chen) | change)


def test_someone_from_another_household_does_not_match(chen):
    outsider = Person.objects.exclude(household=chen.household).first()

    assert not matches(outsider.national_id, household_fields(chen))


def test_an_unknown_person_does_not_match(chen):
    assert not matches("Z199999999", household_fields(chen))
