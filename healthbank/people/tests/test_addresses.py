"""Post goes to the mailing address when the person gave one, else to the registered one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from healthbank.people.addresses import postal_address
from healthbank.people.models import Household, MailingAddress, Village
from healthbank.records.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    daan = Village.objects.filter(township__code="63000030").order_by("code").first()
    household = Household.objects.create(
        number="A1234567", village=daan, neighbourhood=5, street_address="和平東路二段1號"
    )
    return PersonFactory(household=household)


def _mailing(person, street, **fields):
    village = Village.objects.exclude(township__code="63000030").order_by("code").first()
    return MailingAddress.objects.create(
        person=person,
        village=village,
        street_address=street,
        since=timezone.now(),
        **fields,
    )


def test_without_a_mailing_address_post_goes_to_the_registered_one(person):
    postal = postal_address(person)
    assert postal is not None and not postal.is_mailing
    assert postal.postal_code == "106"
    assert str(postal).startswith("106 臺北市大安區") and "5鄰和平東路二段1號" in str(postal)


def test_the_mailing_address_in_use_wins(person):
    _mailing(person, "中正一路1號", until=timezone.now() - dt.timedelta(days=1))
    _mailing(person, "中山一路2號")
    postal = postal_address(person)
    assert postal is not None and postal.is_mailing
    assert postal.address.endswith("中山一路2號") and "大安區" not in postal.address


def test_a_person_has_one_mailing_address_in_use(person):
    _mailing(person, "中山一路2號")
    with pytest.raises(IntegrityError):
        _mailing(person, "中山一路3號")


def test_someone_with_no_household_and_no_mailing_address_has_no_postal_address():
    assert postal_address(PersonFactory()) is None
