"""Phone numbers on the registration site: taken as people write them, stored in one form
(core.phones), and those stored before in another form brought to it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from healthbank.identity.models import Account
from healthbank.identity.tests.cardhelpers import registered, seed_personas
from healthbank.identity.tests.test_typed_input import _details

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


def test_the_application_stores_numbers_written_with_hyphens_spaces_and_brackets(client):
    response = _details(client, phone="(02) 2345-6789 分機 12", mobile="0912 345 678")
    assert response["Location"] == "/register/apply/sent/"
    account = Account.objects.get(person__national_id="A223456781")
    assert (account.phone, account.mobile) == ("0223456789#12", "0912345678")


def test_the_application_refuses_a_number_without_area_code_and_says_how(client):
    client.cookies["django_language"] = "en"
    response = _details(client, phone="2345-6789", mobile="0912-345-678")
    assert response.status_code == 200
    assert "Enter a phone number with its area code, such as 02-2345-6789" in (
        response.content.decode()
    )
    assert not Account.objects.filter(person__national_id="A223456781").exists()


def test_phones_stored_with_a_hyphen_are_brought_to_the_stored_form():
    migration = importlib.import_module(
        "healthbank.identity.migrations.0006_canonical_phone_numbers"
    )
    account = registered()
    for stored, after in [
        ("02-23456789#123", "0223456789#123"),
        ("037-123456", "037123456"),
        ("0223456789", "0223456789"),
        ("", ""),
    ]:
        Account.objects.filter(pk=account.pk).update(phone=stored)
        migration.phones_to_digits(apps, None)
        account.refresh_from_db()
        assert account.phone == after
