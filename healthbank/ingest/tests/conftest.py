"""Ingest test set-up: a small world (a hospital, a clinic, the CDC, two insured people),
credentials, and uploading a file through the service as the API does (the rows and
helpers are in helpers.py).

def test_x(world, upload):
    batch = upload(world.hospital_token, ndjson(visit_row()))
"""

from __future__ import annotations

import datetime as dt

import pytest

from healthbank.ingest import processing, services
from healthbank.ingest.models import Batch
from healthbank.ingest.tests.helpers import ALICE, BOB, World, credential_for
from healthbank.people.models import Enrolment, InsuredUnit, Person
from healthbank.records.models import Provider
from healthbank.records.tests.factories import ProviderFactory
from healthbank.synth.network import AGENCY_CODES


@pytest.fixture(autouse=True)
def ingest_dir(settings, tmp_path):
    settings.INGEST_DIR = tmp_path / "ingest"
    return settings.INGEST_DIR


@pytest.fixture
def world(db) -> World:
    hospital = ProviderFactory(code="0101010001", kind=Provider.Kind.MEDICAL_CENTRE)
    clinic = ProviderFactory(code="0131010002", kind=Provider.Kind.CLINIC)
    cdc = ProviderFactory(code=AGENCY_CODES["cdc"], kind=Provider.Kind.AGENCY)
    unit = InsuredUnit.objects.create(code="123456789", name="Unit", kind="employer")

    def person(national_id: str, start: dt.date, end: dt.date | None) -> Person:
        someone = Person.objects.create(
            national_id=national_id, name=national_id, sex="F", birth_date=dt.date(1980, 1, 1)
        )
        Enrolment.objects.create(
            person=someone,
            role="insured",
            relation="self",
            unit=unit,
            category=1,
            insured_amount=30000,
            start_date=start,
            end_date=end,
            status="active" if end is None else "withdrawn",
        )
        return someone

    return World(
        hospital=hospital,
        clinic=clinic,
        cdc=cdc,
        hospital_token=credential_for(hospital),
        clinic_token=credential_for(clinic),
        cdc_token=credential_for(cdc),
        alice=person(ALICE, dt.date(2000, 1, 1), None),
        bob=person(BOB, dt.date(2020, 1, 1), dt.date(2021, 12, 31)),
    )


@pytest.fixture
def upload(db):
    """upload(token, data, format="ndjson", all_or_nothing=False) -> the processed Batch."""

    def upload(token: str, data: bytes, format: str = "ndjson", all_or_nothing: bool = False):
        credential = services.authenticate(token)
        assert credential is not None
        batch = services.receive_batch(
            credential=credential, chunks=[data], format=format, all_or_nothing=all_or_nothing
        )
        processing.process_batch(batch.pk)
        return Batch.objects.get(pk=batch.pk)

    return upload
