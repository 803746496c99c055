"""PostgreSQL's fast visit path (staging table, one upsert, COPYed orders) against the
portable one (the ORM's bulk_create, used on SQLite): the same files leave the same rows."""

from __future__ import annotations

import pytest
from django.db import connection

from healthbank.ingest.tests.helpers import ALICE, days_ago, ndjson, problems, visit_row
from healthbank.records.models import DrugOrder, ServiceOrder, Surgery, Visit, VisitDiagnosis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the fast visit path is PostgreSQL's (COPY); SQLite always takes the portable one",
    ),
]

SURGERY = {"service": "74004B", "body_site": "APPENDIX", "performed_on": days_ago(18)}
FIRST = ndjson(
    visit_row("V1"),
    visit_row(
        "V2",
        kind="inpatient",
        visit_date=days_ago(20),
        discharge_date=days_ago(15),
        surgeries=[SURGERY],
        service_orders=[{"service": "48011C", "quantity": "2", "tooth": "36"}],
    ),
    visit_row("V3", chronic_refill=True, refill_number=2),
    visit_row("V4"),
)
SECOND = ndjson(
    visit_row(
        "V1",
        copayment=0,
        diagnoses=["E78.1"],
        service_orders=None,
        drug_orders=[{"drug": "BC21571100", "days": 7, "quantity": "7.5"}],
    ),
    visit_row("V3"),  # chronic_refill and refill_number dropped: cleared
    {"type": "visit", "id": "V4", "void": True},
    visit_row("V5", national_id=ALICE, diagnoses=["I10"]),
    visit_row("V5", national_id=ALICE, diagnoses=["E78.1", "I10"]),  # the last one wins
)


def snapshot(provider) -> dict:
    """A provider's visits and their orders by the provider's ids, without our keys."""
    visits = Visit.objects.filter(provider=provider)
    rows = {}
    for visit in visits.order_by("source_id"):
        rows[visit.source_id] = {
            "visit": (
                visit.person_id,
                visit.kind,
                visit.visit_date,
                visit.discharge_date,
                visit.department_id,
                visit.primary_diagnosis_id,
                visit.copayment,
                visit.points,
                visit.card_sequence,
                visit.chronic_refill,
                visit.refill_number,
            ),
            "diagnoses": list(
                VisitDiagnosis.objects.filter(visit=visit)
                .order_by("rank")
                .values_list("person_id", "diagnosis_id", "rank")
            ),
            "drugs": list(
                DrugOrder.objects.filter(visit=visit)
                .order_by("pk")
                .values_list("person_id", "drug_id", "days", "quantity", "frequency")
            ),
            "services": list(
                ServiceOrder.objects.filter(visit=visit)
                .order_by("pk")
                .values_list("person_id", "service_id", "quantity", "tooth_id")
            ),
            "surgeries": list(
                Surgery.objects.filter(visit=visit)
                .order_by("pk")
                .values_list("person_id", "service_id", "body_site_id", "performed_on")
            ),
        }
    return rows


def test_the_fast_and_the_portable_path_leave_the_same_rows(world, upload, settings):
    fast, portable = [], []
    for data in (FIRST, SECOND, SECOND):
        settings.INGEST_POSTGRESQL_COPY = True
        fast_batch = upload(world.hospital_token, data)
        settings.INGEST_POSTGRESQL_COPY = False
        portable_batch = upload(world.clinic_token, data)
        for batch in (fast_batch, portable_batch):
            assert problems(batch) == []
        counts = ("status", "received", "accepted", "voided", "rejected")
        assert [getattr(fast_batch, name) for name in counts] == [
            getattr(portable_batch, name) for name in counts
        ]
        fast.append(snapshot(world.hospital))
        portable.append(snapshot(world.clinic))
    assert fast == portable
    first, second, again = fast
    assert set(first) == {"V1", "V2", "V3", "V4"} and set(second) == {"V1", "V2", "V3", "V5"}
    assert second == again
    assert first["V2"]["surgeries"] and first["V3"]["visit"][-2:] == (True, 2)
    assert second["V3"]["visit"][-2:] == (False, None)
    assert [d[1] for d in second["V5"]["diagnoses"]] == ["E78.1", "I10"]


def test_an_all_or_nothing_batch_on_the_fast_path_writes_nothing_on_a_problem(world, upload):
    bad = ndjson(visit_row("V1"), visit_row("V2", department="zz"), visit_row("V3"))
    batch = upload(world.hospital_token, bad, all_or_nothing=True)
    assert batch.status == "failed"
    assert not Visit.objects.exists() and not VisitDiagnosis.objects.exists()
    batch = upload(
        world.hospital_token, ndjson(visit_row("V1"), visit_row("V3")), all_or_nothing=True
    )
    assert (batch.status, batch.accepted) == ("done", 2)
