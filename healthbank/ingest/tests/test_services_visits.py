"""Visits through the service: written with their orders, idempotent, updated, voided."""

from __future__ import annotations

import pytest

from healthbank.ingest.tests.helpers import ALICE, ndjson, problems, visit_row
from healthbank.records.models import DrugOrder, ServiceOrder, Visit, VisitDiagnosis

pytestmark = pytest.mark.django_db


def test_a_visit_is_written_with_its_diagnoses_and_orders(world, upload):
    batch = upload(world.hospital_token, ndjson(visit_row()))
    assert problems(batch) == []
    assert (batch.status, batch.received, batch.accepted, batch.rejected) == ("done", 1, 1, 0)
    visit = Visit.objects.get(provider=world.hospital, source_id="V1")
    assert visit.person.national_id == ALICE
    assert visit.primary_diagnosis_id == "I10"
    assert list(visit.diagnoses.values_list("diagnosis_id", "rank")) == [("I10", 1), ("E78.1", 2)]
    assert list(visit.drug_orders.values_list("drug_id", "days")) == [("AC57114100", 28)]
    assert visit.service_orders.get().quantity == 1
    assert batch.duration is not None


def test_the_same_file_twice_leaves_the_same_rows(world, upload):
    data = ndjson(visit_row("V1"), visit_row("V2"))
    upload(world.hospital_token, data)
    again = upload(world.hospital_token, data)
    assert again.accepted == 2
    assert Visit.objects.filter(provider=world.hospital).count() == 2
    assert VisitDiagnosis.objects.count() == 4
    assert DrugOrder.objects.count() == 2
    assert ServiceOrder.objects.count() == 2


def test_sending_a_visit_again_updates_it_and_replaces_its_orders(world, upload):
    upload(world.hospital_token, ndjson(visit_row()))
    first = Visit.objects.get()
    changed = visit_row(
        copayment=0,
        diagnoses=["E78.1"],
        drug_orders=[{"drug": "BC21571100", "days": 7, "quantity": "7.5"}],
        service_orders=None,
    )
    upload(world.hospital_token, ndjson(changed))
    visit = Visit.objects.get()
    assert visit.pk == first.pk
    assert (visit.copayment, visit.primary_diagnosis_id) == (0, "E78.1")
    assert list(visit.drug_orders.values_list("drug_id", "frequency")) == [("BC21571100", "")]
    assert not visit.service_orders.exists()
    assert visit.diagnoses.count() == 1


def test_a_void_row_deletes_the_record_and_voiding_again_is_harmless(world, upload):
    upload(world.hospital_token, ndjson(visit_row()))
    void = ndjson({"type": "visit", "id": "V1", "void": True})
    batch = upload(world.hospital_token, void)
    assert (batch.accepted, batch.voided, batch.rejected) == (0, 1, 0)
    assert not Visit.objects.exists() and not DrugOrder.objects.exists()
    assert upload(world.hospital_token, void).voided == 1


def test_another_providers_record_with_the_same_id_is_its_own(world, upload):
    upload(world.hospital_token, ndjson(visit_row()))
    upload(world.clinic_token, ndjson(visit_row(copayment=0)))
    upload(world.clinic_token, ndjson({"type": "visit", "id": "V1", "void": True}))
    assert Visit.objects.get().provider == world.hospital


def test_the_last_row_for_a_record_in_a_file_wins(world, upload):
    data = ndjson(visit_row(copayment=1), visit_row(copayment=2))
    batch = upload(world.hospital_token, data)
    assert batch.accepted == 2
    assert Visit.objects.get().copayment == 2
