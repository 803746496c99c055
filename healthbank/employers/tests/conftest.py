"""Fixtures of the insured units' tests: the personas, 陳志明's unit signed in, another unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from healthbank.employers.services import create_unit_login
from healthbank.employers.tests.helpers import CHEN_ID, HUANG_ID, PASSWORD, TODAY, english_client
from healthbank.people.models import Enrolment, InsuredUnit
from tests.fixtures.personas import seed_personas


@pytest.fixture(autouse=True)
def card_dirs(settings, tmp_path):
    """Seeding writes virtual cards and a test CA: keep them in the test's own folder."""
    settings.CARD_READER_DIR = tmp_path / "cards"
    settings.MOICA_DIR = tmp_path / "moica"


@pytest.fixture
def today(monkeypatch) -> dt.date:
    """Freeze the local date (Asia/Taipei) that file names are checked against."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def personas(db) -> None:
    seed_personas(today=TODAY)


def _unit_of(national_id: str) -> InsuredUnit:
    return Enrolment.objects.get(
        person__national_id=national_id,
        role=Enrolment.Role.INSURED,
        status=Enrolment.Status.ACTIVE,
    ).unit


@pytest.fixture
def unit(personas) -> InsuredUnit:
    """陳志明's unit, with a contact and a sign-in."""
    unit = _unit_of(CHEN_ID)
    unit.contact_name, unit.email = "承辦人", "hr@unit.example"
    unit.save()
    create_unit_login(unit, PASSWORD)
    return unit


@pytest.fixture
def other_unit(personas) -> InsuredUnit:
    """黃冠宇's employer, with a sign-in."""
    unit = _unit_of(HUANG_ID)
    create_unit_login(unit, PASSWORD)
    return unit


@pytest.fixture
def unit_client(unit) -> Client:
    client = english_client()
    client.force_login(unit.login.user)
    return client


@pytest.fixture
def other_unit_client(other_unit) -> Client:
    client = english_client()
    client.force_login(other_unit.login.user)
    return client
