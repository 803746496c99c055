"""Township tests' fixtures: the personas as of TODAY; 張淑芬 is insured at 新北市板橋區公所
(category 6); 林雅婷 is made category 6 there too, with her two children as dependants."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

from healthbank.people.models import Person
from healthbank.township.tests.helpers import LIN, TODAY, ZHANG, make_regional
from tests.fixtures.personas import seed_personas
from tests.fixtures.portal import give_reason


@pytest.fixture
def people(db) -> dict[str, Person]:
    seed_personas(today=TODAY)
    return {p.national_id: p for p in Person.objects.all()}


@pytest.fixture
def zhang(people) -> Person:
    return people[ZHANG]


@pytest.fixture
def lin(people) -> Person:
    """林雅婷, made category 6 at her township office with her children under her."""
    make_regional(people[LIN])
    return people[LIN]


@pytest.fixture
def reviewer(db) -> User:
    user = User.objects.create_user("reviewer", password=None, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="township",
            codename__in=["view_townshipapplication", "change_townshipapplication"],
        )
    )
    return user


@pytest.fixture
def reviewer_client(client, reviewer, staff_login, people):
    """The reviewer, who said why they open the personas' applications (staff_reads)."""
    return give_reason(staff_login(client, reviewer), *people.values(), reason="application")
