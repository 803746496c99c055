"""Virtual card test set-up: one household (a parent, her spouse, their child of 9 insured
under her), an outsider, a clinic that accepts the card and one that does not, photos made
with Pillow, and a clock that tests move forward.

def test_x(family, card_for, clock): ...

(`clock` is every app's: tests/fixtures/portal.py; making a card's pictures, applying and
running the queued tasks are in helpers.py.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from healthbank.ingest import services as ingest
from healthbank.ingest.models import Credential
from healthbank.people.models import Enrolment, Household, InsuredUnit, Person, Village
from healthbank.records.models import Provider
from healthbank.records.tests.factories import ProviderFactory
from healthbank.vcard import services
from healthbank.vcard.models import AcceptingSite, VirtualCard
from healthbank.vcard.tests.helpers import application_for


@dataclass
class Family:
    parent: Person  # 林雅婷's place: the insured parent
    spouse: Person
    child: Person  # 9, insured as the parent's dependant
    outsider: Person  # another household
    clinic: Provider  # accepts the virtual card
    other_clinic: Provider  # does not
    clinic_token: str
    other_token: str
    staff: object


@pytest.fixture(autouse=True)
def vcard_dir(settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"
    return settings.VCARD_DIR


def _years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@pytest.fixture
def family(db) -> Family:
    village = Village.objects.order_by("code").first()
    town = village.township
    unit = InsuredUnit.objects.create(code="123456789", name="Unit", kind="employer")

    def household(number: str) -> Household:
        return Household.objects.create(
            number=number, village=village, neighbourhood=3, street_address="中山路1號"
        )

    def person(national_id, name, sex, born, home, insured_under=None) -> Person:
        someone = Person.objects.create(
            national_id=national_id,
            name=name,
            sex=sex,
            birth_date=born,
            household=home,
            email=f"{national_id.lower()}@example.com",
        )
        Enrolment.objects.create(
            person=someone,
            role="dependant" if insured_under else "insured",
            insured_person=insured_under,
            relation="child" if insured_under else "self",
            unit=unit,
            category=1,
            insured_amount=30000,
            start_date=dt.date(2010, 1, 1),
            status="active",
        )
        return someone

    home, away = household("F0000001"), household("F0000002")
    parent = person("F223456786", "林雅婷", "F", _years_ago(38), home)
    clinic = ProviderFactory(code="3501010001", name="幸福診所", township=town, address="中山路2號")
    other = ProviderFactory(code="3501010002", name="平安診所", township=town, address="中山路3號")
    AcceptingSite.objects.create(provider=clinic, outpatient=True, home_care=True)
    return Family(
        parent=parent,
        spouse=person("F123456784", "王建志", "M", _years_ago(40), home),
        child=person("F224681354", "王品妤", "F", _years_ago(9), home, insured_under=parent),
        outsider=person("B123456780", "黃冠宇", "M", _years_ago(24), away),
        clinic=clinic,
        other_clinic=other,
        clinic_token=ingest.issue_credential(credential=Credential(provider=clinic, scopes=[])),
        other_token=ingest.issue_credential(credential=Credential(provider=other, scopes=[])),
        staff=get_user_model().objects.create_user("reviewer", is_staff=True),
    )


@pytest.fixture
def card_for(family):
    """card_for(person, applicant=None): apply and have staff approve: the person's card."""

    def card_for(person: Person, applicant: Person | None = None) -> VirtualCard:
        application = application_for(person, applicant)
        return services.approve(application=application, staff_user=family.staff)

    return card_for
