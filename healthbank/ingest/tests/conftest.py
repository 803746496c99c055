"""Ingest test set-up: a small world (a hospital, a clinic, the CDC, two insured people),
credentials, and uploading a file through the service as the API does.

def test_x(world, upload):
    batch = upload(world.hospital_token, ndjson(visit_row()))
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.utils import timezone

from healthbank.ingest import processing, services
from healthbank.ingest.models import Batch, Credential
from healthbank.people.models import Enrolment, InsuredUnit, Person, Township
from healthbank.records.models import Provider
from healthbank.synth.network import AGENCY_CODES
from healthbank.vcard.tests.conftest import clock  # noqa: F401  (clock.forward(days=3))

ALICE = "A100000001"  # insured since 2000
BOB = "A200000003"  # insured 2020-01-01 to 2021-12-31 only
NOBODY = "B100000002"  # a valid ID of no one


@dataclass
class World:
    hospital: Provider
    clinic: Provider
    cdc: Provider
    hospital_token: str
    clinic_token: str
    cdc_token: str
    alice: Person
    bob: Person


@pytest.fixture(autouse=True)
def ingest_dir(settings, tmp_path):
    settings.INGEST_DIR = tmp_path / "ingest"
    return settings.INGEST_DIR


def _provider(code: str, kind: str, town: Township) -> Provider:
    return Provider.objects.create(
        code=code, name=f"Provider {code}", kind=kind, county=town.county, township=town,
        phone="02-23456789", address="Somewhere 1",
    )  # fmt: skip


def credential_for(provider: Provider, scopes: list[str] | None = None) -> str:
    return services.issue_credential(credential=Credential(provider=provider, scopes=scopes or []))


@pytest.fixture
def world(db) -> World:
    town = Township.objects.order_by("code").first()
    hospital = _provider("0101010001", Provider.Kind.MEDICAL_CENTRE, town)
    clinic = _provider("0131010002", Provider.Kind.CLINIC, town)
    cdc = _provider(AGENCY_CODES["cdc"], Provider.Kind.AGENCY, town)
    unit = InsuredUnit.objects.create(code="123456789", name="Unit", kind="employer")

    def person(national_id: str, start: dt.date, end: dt.date | None) -> Person:
        someone = Person.objects.create(
            national_id=national_id, name=national_id, sex="F", birth_date=dt.date(1980, 1, 1)
        )
        Enrolment.objects.create(
            person=someone, role="insured", relation="self", unit=unit, category=1,
            insured_amount=30000, start_date=start, end_date=end,
            status="active" if end is None else "withdrawn",
        )  # fmt: skip
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


def days_ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def visit_row(record_id: str = "V1", national_id: str = ALICE, **changes) -> dict:
    row = {
        "type": "visit",
        "id": record_id,
        "national_id": national_id,
        "kind": "western",
        "visit_date": days_ago(10),
        "department": "01",
        "diagnoses": ["I10", "E78.1"],
        "copayment": 50,
        "points": 420,
        "card_sequence": "0001",
        "drug_orders": [{"drug": "AC57114100", "days": 28, "quantity": 28, "frequency": "QD"}],
        "service_orders": [{"service": "00109C"}],
    }
    row.update(changes)
    return {key: value for key, value in row.items() if value is not None}


def ndjson(*rows: dict) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


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


def problems(batch: Batch) -> list[tuple[int, str, str]]:
    return list(batch.problems.values_list("position", "field", "message"))
