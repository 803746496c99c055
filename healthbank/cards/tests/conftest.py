"""Card application tests' fixtures: the personas (陳志明 holds card 000090000001), a bank
account of his with money for the fee, and NHIA staff who review card applications."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

from healthbank.cards.tests.helpers import ACCOUNT, BANK, CHEN, HUANG
from healthbank.external.models import BankAccount
from healthbank.identity.tests.cardhelpers import seed_personas
from healthbank.people.models import Person
from tests.fixtures.portal import give_reason


@pytest.fixture
def personas(db):
    seed_personas()


@pytest.fixture
def chen(personas) -> Person:
    return Person.objects.get(national_id=CHEN)


@pytest.fixture
def huang(personas) -> Person:
    return Person.objects.get(national_id=HUANG)


@pytest.fixture
def chen_account(chen) -> BankAccount:
    return BankAccount.objects.create(
        bank_code=BANK,
        number=ACCOUNT,
        holder_national_id=chen.national_id,
        holder_name=chen.name,
        balance=1000,
        status=BankAccount.Status.OPEN,
    )


def _staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password=None, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="cards", codename__in=codenames)
    )
    return user


@pytest.fixture
def reviewer(db) -> User:
    return _staff("card-reviewer", "view_cardapplication", "change_cardapplication")


@pytest.fixture
def reviewer_client(client, reviewer, staff_login, personas):
    """The reviewer, who said why they open the personas' applications (staff_reads)."""
    client = staff_login(client, reviewer)
    return give_reason(client, *Person.objects.all(), reason="application")
