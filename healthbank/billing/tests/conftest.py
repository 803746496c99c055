"""Billing tests' fixtures: the personas (黃冠宇 owes five months, 陳志明 gets e-bills, 李建宏
has supplementary premium bills)."""

from __future__ import annotations

import pytest

from healthbank.billing.tests.helpers import CHEN, HUANG, LEE
from healthbank.identity.tests.cardhelpers import seed_personas
from healthbank.people.models import Person


@pytest.fixture
def personas(db):
    seed_personas()


@pytest.fixture
def huang(personas):
    return Person.objects.get(national_id=HUANG)


@pytest.fixture
def chen(personas):
    return Person.objects.get(national_id=CHEN)


@pytest.fixture
def lee(personas):
    return Person.objects.get(national_id=LEE)
