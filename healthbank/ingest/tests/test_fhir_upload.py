"""A FHIR Bundle through the upload service: the example visit written with its orders,
voided by DELETE, and refusals stored with their entry and FHIR path."""

from __future__ import annotations

import json

import pytest

from healthbank.ingest.tests.helpers import ALICE, days_ago, problems
from healthbank.ingest.tests.test_fhir import example, resource
from healthbank.records.models import Visit

pytestmark = pytest.mark.django_db


def alice_visit() -> dict:
    """The example visit, of ALICE ten days ago."""
    bundle = example("visit")
    bundle["entry"][0]["resource"]["identifier"][0]["value"] = ALICE
    resource(bundle, "Encounter")["period"] = {"start": days_ago(10), "end": days_ago(10)}
    return bundle


def fhir(bundle: dict) -> bytes:
    return json.dumps(bundle, ensure_ascii=False).encode()


def test_a_bundle_visit_is_written_and_voided(world, upload):
    batch = upload(world.clinic_token, fhir(alice_visit()), format="fhir")
    assert problems(batch) == []
    assert (batch.received, batch.accepted, batch.rejected) == (1, 1, 0)
    visit = Visit.objects.get(provider=world.clinic, source_id="V20240102-0001")
    assert visit.person.national_id == ALICE
    assert (visit.copayment, visit.points, visit.card_sequence) == (50, 1254, "0012")
    assert visit.chronic_refill and visit.refill_number == 1
    assert list(visit.diagnoses.values_list("diagnosis_id", flat=True)) == ["I10", "E11.9"]
    assert list(visit.drug_orders.values_list("drug_id", "days")) == [("AC57114100", 28)]
    assert list(visit.service_orders.values_list("service_id", flat=True)) == ["48011C"]

    again = upload(world.clinic_token, fhir(alice_visit()), format="fhir")
    assert again.accepted == 1 and Visit.objects.count() == 1

    void = {"resourceType": "Bundle", "type": "batch", "entry": [example("void")["entry"][0]]}
    batch = upload(world.clinic_token, fhir(void), format="fhir")
    assert problems(batch) == []
    assert not Visit.objects.exists()


def test_refusals_keep_their_entry_and_fhir_path(world, upload):
    bundle = alice_visit()
    resource(bundle, "Encounter")["period"]["start"] = "yesterday"
    batch = upload(world.clinic_token, fhir(bundle), format="fhir")
    assert (2, "Encounter.period.start") in {(p, f) for p, f, _ in problems(batch)}
    assert batch.accepted == 0 and not Visit.objects.exists()

    batch = upload(world.clinic_token, b"{not json", format="fhir")
    assert [(p, f) for p, f, _ in problems(batch)] == [(1, "Bundle")]
    assert "not JSON" in problems(batch)[0][2]
