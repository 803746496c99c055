"""Batches: all or nothing, chunks that commit whole, a run stopped halfway and resumed, the
worker, and the other record types."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from healthbank.ingest import processing, rules, services, tasks
from healthbank.ingest.models import Batch
from healthbank.ingest.tests.helpers import NOBODY, days_ago, ndjson, problems, visit_row
from healthbank.records.models import (
    CareWish,
    DischargeSummary,
    DrugOrder,
    PreventiveCheck,
    Visit,
    VisitDiagnosis,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(settings):
    settings.INGEST_CHUNK_ROWS = 2


def received(world, data: bytes, token=None, **options) -> Batch:
    credential = services.authenticate(token or world.hospital_token)
    return services.receive_batch(credential=credential, chunks=[data], format="ndjson", **options)


class Stop(Exception):
    pass


def stop_at_chunk(number: int):
    seen = []

    def hook(batch):
        seen.append(batch.checkpoint)
        if len(seen) == number:
            raise Stop

    return hook


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(world, upload, small_chunks):
    rows = [visit_row(f"V{i}") for i in range(5)] + [visit_row("BAD", national_id=NOBODY)]
    batch = upload(world.hospital_token, ndjson(*rows), all_or_nothing=True)
    assert (batch.status, batch.accepted, batch.rejected, batch.received) == ("failed", 0, 1, 6)
    assert [p[:2] for p in problems(batch)] == [(6, "national_id")]
    assert not Visit.objects.exists()


def test_all_or_nothing_writes_everything_when_every_row_passes(world, upload, small_chunks):
    rows = [visit_row(f"V{i}") for i in range(5)]
    batch = upload(world.hospital_token, ndjson(*rows), all_or_nothing=True)
    assert (batch.status, batch.accepted, batch.checkpoint) == ("done", 5, 5)
    assert Visit.objects.count() == 5


def test_a_run_stopped_inside_a_chunk_leaves_no_part_of_it_and_resumes(world, small_chunks):
    rows = [visit_row(f"V{i}") for i in range(5)] + [visit_row("BAD", national_id=NOBODY)]
    batch = received(world, ndjson(*rows))
    with pytest.raises(Stop):
        processing.process_batch(batch.pk, after_chunk=stop_at_chunk(2))
    batch.refresh_from_db()
    # The first chunk (lines 1-2) is committed; the second was written and then rolled back.
    assert (batch.status, batch.checkpoint, batch.accepted) == ("processing", 2, 2)
    assert sorted(Visit.objects.values_list("source_id", flat=True)) == ["V0", "V1"]
    assert DrugOrder.objects.count() == VisitDiagnosis.objects.count() / 2 == 2

    done = processing.process_batch(batch.pk)
    assert (done.status, done.received, done.accepted, done.rejected) == ("done", 6, 5, 1)
    assert done.checkpoint == 6
    assert Visit.objects.count() == 5 and DrugOrder.objects.count() == 5
    assert [p[:2] for p in problems(done)] == [(6, "national_id")]


def test_sending_the_file_again_after_a_stopped_run_is_safe(world, upload, small_chunks):
    data = ndjson(*[visit_row(f"V{i}") for i in range(5)])
    batch = received(world, data)
    with pytest.raises(Stop):
        processing.process_batch(batch.pk, after_chunk=stop_at_chunk(2))
    again = upload(world.hospital_token, data)
    assert again.accepted == 5
    assert Visit.objects.count() == 5 and VisitDiagnosis.objects.count() == 10


def test_a_run_that_finds_its_chunk_taken_stops(world, small_chunks):
    batch = received(world, ndjson(*[visit_row(f"V{i}") for i in range(3)]))
    processing.process_batch(batch.pk, after_chunk=stop_at_chunk(99))
    assert processing.process_batch(batch.pk).status == "done"  # a finished batch is left alone
    assert Batch.objects.get().accepted == 3


def test_the_worker_processes_a_received_batch(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = received(world, ndjson(visit_row()))
    assert Batch.objects.get().status == "received"
    call_command("worker", "--batch", "--interval", "0.01")
    batch.refresh_from_db()
    assert (batch.status, batch.accepted) == ("done", 1)


def test_an_inpatient_stay_with_its_discharge_summary(world, upload):
    stay = visit_row(
        "IN1",
        kind="inpatient",
        visit_date=days_ago(20),
        discharge_date=days_ago(12),
        surgeries=[{"service": "74002B", "body_site": "ABDOMEN", "performed_on": days_ago(19)}],
    )
    summary = {
        "type": "discharge_summary",
        "id": "DS1",
        "national_id": world.alice.national_id,
        "visit": "IN1",
        "admitted_on": days_ago(20),
        "discharged_on": days_ago(12),
        "chief_complaint": "RLQ pain",
        "diagnoses": "Appendicitis",
        "course": "Appendectomy.\nRecovered.",
        "discharge_plan": "OPD in 1 week",
    }
    other = {**summary, "id": "DS2"}
    batch = upload(world.hospital_token, ndjson(stay, summary, other))
    assert [p[:2] for p in problems(batch)] == [(3, "visit")]
    assert DischargeSummary.objects.get().visit.surgeries.get().body_site_id == "ABDOMEN"


def test_an_agencys_preventive_check_and_care_wish(world, upload, admin_user):
    from healthbank.ingest.models import Credential
    from healthbank.ingest.tests.helpers import credential_for

    token = credential_for(world.cdc, scopes=["preventive_check", "care_wish"])
    assert Credential.objects.get(key_id=token.split(".")[0]).scopes[0] == "preventive_check"
    check = {
        "type": "preventive_check",
        "id": "P1",
        "national_id": world.alice.national_id,
        "checked_on": days_ago(30),
        "height_cm": 160.5,
        "weight_kg": "55.0",
        "systolic": 120,
        "blood_pressure_result": "normal",
        "lipid_result": "normal",
        "glucose_result": "normal",
        "kidney_result": "normal",
        "urine_protein": "-",
        "metabolic_syndrome_result": "normal",
        "liver_result": "normal",
        "hbsag": "negative",
        "anti_hcv": "not_done",
    }
    wish = {
        "type": "care_wish",
        "id": "W1",
        "national_id": world.alice.national_id,
        "kind": "organ_donation",
        "signed_on": days_ago(100),
        "noted_on": days_ago(90),
    }
    batch = upload(token, ndjson(check, wish, {**wish, "id": "W2", "noted_on": days_ago(200)}))
    assert [p[:2] for p in problems(batch)] == [(3, "noted_on")]
    assert PreventiveCheck.objects.get().urine_protein == "-"
    assert CareWish.objects.get().kind == "organ_donation"


def test_a_batch_whose_worker_died_is_queued_again_and_finished(world, small_chunks):
    """A worker killed mid-batch leaves it 'processing' with nothing queued; the worker's
    periodic task queues it again once it has been silent for STALLED_AFTER."""
    batch = received(world, ndjson(*[visit_row(f"V{i}") for i in range(5)]))
    with pytest.raises(Stop):
        processing.process_batch(batch.pk, after_chunk=stop_at_chunk(2))

    assert tasks.resume_stalled() == []  # silent only a moment: maybe still running
    later = timezone.now() + rules.STALLED_AFTER + dt.timedelta(seconds=1)
    assert tasks.resume_stalled(later) == [batch.pk]
    assert tasks.resume_stalled(later) == []  # queued once, not at every tick
    call_command("worker", "--batch", "--interval", "0.01")

    done = Batch.objects.get(pk=batch.pk)
    assert (done.status, done.accepted, done.received) == ("done", 5, 5)
    assert Visit.objects.count() == 5 and VisitDiagnosis.objects.count() == 10
