"""Data and helpers of the ingest tests (the fixtures, `world` and `upload`, are in
conftest.py): the insured people's IDs, credentials, and rows as providers send them.

    batch = upload(world.hospital_token, ndjson(visit_row(national_id=NOBODY)))
    assert problems(batch) == [...]
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.utils import timezone

from healthbank.ingest import services
from healthbank.ingest.models import Batch, Credential
from healthbank.people.models import Person
from healthbank.records.models import Provider

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


def credential_for(provider: Provider, scopes: list[str] | None = None) -> str:
    return services.issue_credential(credential=Credential(provider=provider, scopes=scopes or []))


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


def problems(batch: Batch) -> list[tuple[int, str, str]]:
    return list(batch.problems.values_list("position", "field", "message"))
