"""Portal test set-up: the personas, seeded as of today, and signing in as one of them.

def test_page(client, personas, sign_in):
    chen = sign_in(client, CHEN)          # 陳志明's session
    ...
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person
from healthbank.synth.services import seed_population

# The personas (healthbank/synth/personas.py) the portal tests use.
CHEN = "A123456789"  # 陳志明, 60: hypertension, dyslipidaemia, chronic refills
CHEN_WIFE = "A223456781"  # 陳林秀英: Chinese medicine
LIN = "F223456786"  # 林雅婷, 38: mother of two children under 15 insured under her
LIN_DAUGHTER = "F224681354"  # 王品妤, 9
LIN_SON = "F135792464"  # 王宥辰, 5
LIN_HUSBAND = "F123456784"  # 王建志, the children's father (they are not insured under him)
HUANG = "B123456780"  # 黃冠宇, 24: dental
CHANG = "E223456785"  # 張淑芬, 67: chronic kidney disease
LEE = "H123456786"  # 李建宏, 52: hepatitis B carrier
WU = "K223456780"  # 吳怡君, 29: no medical records at all
PASSWORD = "Health#2026"  # noqa: S105 - test password


@pytest.fixture
def personas(db) -> None:
    """The ten personas with three years of records up to today."""
    seed_population(people_count=0, seed=1, today=timezone.localdate())


@pytest.fixture
def sign_in(personas):
    """sign_in(client, national_id) -> Person: a registered person's signed-in session."""

    def sign_in(client, national_id: str) -> Person:
        person = Person.objects.get(national_id=national_id)
        account = getattr(person, "account", None) or register_at_counter(
            person=person, password=PASSWORD, staff_id=1
        )
        client.force_login(account.user)
        return person

    return sign_in


@pytest.fixture
def outsider(sign_in):
    """Another person's session (吳怡君's): every personal URL of someone else is a 404 to it."""
    other = Client()
    sign_in(other, WU)
    return other
