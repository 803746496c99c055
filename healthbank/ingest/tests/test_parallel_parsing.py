"""A large file is parsed by worker processes (processing._parsed): the rows and problems are
those of the reading thread's path, a stopped run resumes without doubles, and a worker that
dies or raises fails the batch with a message instead of leaving it waiting."""

from __future__ import annotations

import json
import os

import pytest

from healthbank.files.models import FileChunk, StoredFile
from healthbank.files.storage import local_copies_folder
from healthbank.ingest import processing, rules, services, validate
from healthbank.ingest.models import Batch
from healthbank.ingest.tests.helpers import NOBODY, ndjson, problems, visit_row
from healthbank.records.models import DrugOrder, ServiceOrder, Visit, VisitDiagnosis

pytestmark = pytest.mark.django_db

PARENT = os.getpid()


@pytest.fixture
def workers(settings, monkeypatch):
    """Every file parsed by two worker processes, in chunks of three rows."""
    monkeypatch.setattr(rules, "PARALLEL_PARSE_FROM_BYTES", 0)
    settings.INGEST_PARSE_WORKERS = 2
    settings.INGEST_CHUNK_ROWS = 3


def mixed_file() -> bytes:
    """Good visits among lines refused for every reason a line can be."""
    good = [visit_row(f"V{i}") for i in range(8)]
    bad = [
        visit_row("NOONE", national_id=NOBODY),
        visit_row("LATER", visit_date="2999-01-01"),
        visit_row("CODE", diagnoses=["ZZZ.9"]),
        {"type": "visit", "id": "V3", "void": True},
        visit_row("V5", copayment=70),  # sent again in the file: the last one wins
    ]
    lines = ndjson(*good[:4]).splitlines() + [b"{not json", b""]
    lines += ndjson(*good[4:], *bad).splitlines() + [b'{"id": "V9", "id": "V9"}']
    return b"\n".join(lines) + b"\n"


def upload(token: str, data: bytes, **options) -> Batch:
    credential = services.authenticate(token)
    batch = services.receive_batch(credential=credential, chunks=[data], format="ndjson", **options)
    processing.process_batch(batch.pk)
    return Batch.objects.get(pk=batch.pk)


def snapshot(provider) -> dict:
    """A provider's visits and their orders by the provider's ids, without our keys."""
    rows = {}
    for visit in Visit.objects.filter(provider=provider).order_by("source_id"):
        rows[visit.source_id] = (
            visit.person_id,
            visit.visit_date,
            visit.copayment,
            list(VisitDiagnosis.objects.filter(visit=visit).values_list("diagnosis", "rank")),
            list(DrugOrder.objects.filter(visit=visit).values_list("drug", "days", "quantity")),
            list(ServiceOrder.objects.filter(visit=visit).values_list("service", "quantity")),
        )
    return rows


def outcome(batch: Batch) -> tuple:
    counts = (batch.status, batch.received, batch.accepted, batch.voided, batch.rejected)
    return counts, batch.checkpoint, problems(batch)


@pytest.mark.parametrize("all_or_nothing", [False, True])
def test_workers_give_the_rows_and_problems_of_one_process(
    world, settings, monkeypatch, all_or_nothing
):
    settings.INGEST_CHUNK_ROWS = 3
    alone = upload(world.hospital_token, mixed_file(), all_or_nothing=all_or_nothing)
    assert processing.parse_workers(alone) == 0

    monkeypatch.setattr(rules, "PARALLEL_PARSE_FROM_BYTES", 0)
    settings.INGEST_PARSE_WORKERS = 2
    shared = upload(world.clinic_token, mixed_file(), all_or_nothing=all_or_nothing)
    assert processing.parse_workers(shared) == 2

    assert outcome(shared) == outcome(alone)
    assert snapshot(world.clinic) == snapshot(world.hospital)
    positions = [p[:2] for p in problems(shared)]
    assert positions == [(5, ""), (11, "national_id"), (12, "visit_date"), (13, "diagnoses[0]"),
                         (16, "")]  # fmt: skip
    if not all_or_nothing:
        assert sorted(snapshot(world.clinic)) == ["V0", "V1", "V2", "V4", "V5", "V6", "V7"]
        assert snapshot(world.clinic)["V5"][2] == 70


class Stop(Exception):
    pass


def test_a_run_stopped_between_chunks_resumes_without_doubles(world, workers):
    data = ndjson(*[visit_row(f"V{i}") for i in range(10)], visit_row("BAD", national_id=NOBODY))
    batch = services.receive_batch(
        credential=services.authenticate(world.hospital_token), chunks=[data], format="ndjson"
    )
    seen = []

    def stop_at_second(batch):
        seen.append(batch.checkpoint)
        if len(seen) == 2:
            raise Stop

    with pytest.raises(Stop):
        processing.process_batch(batch.pk, after_chunk=stop_at_second)
    batch.refresh_from_db()
    assert (batch.status, batch.checkpoint, batch.accepted) == ("processing", 3, 3)

    done = processing.process_batch(batch.pk)
    assert (done.status, done.received, done.accepted, done.rejected) == ("done", 11, 10, 1)
    assert Visit.objects.count() == DrugOrder.objects.count() == 10
    assert VisitDiagnosis.objects.count() == 20
    assert [p[:2] for p in problems(done)] == [(11, "national_id")]


def die_in_worker(*args, **kwargs):
    if os.getpid() == PARENT:  # never the test run itself
        raise AssertionError("parsed outside the worker processes")
    os._exit(1)


def raise_in_worker(*args, **kwargs):
    raise RuntimeError("parse_row broke")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (die_in_worker, "processing stopped: a process parsing the file died"),
        (raise_in_worker, "processing stopped: a process parsing the file failed"),
    ],
)
def test_a_broken_worker_fails_the_batch_with_a_message(
    world, workers, monkeypatch, broken, message
):
    monkeypatch.setattr(validate, "parse_row", broken)
    batch = upload(world.hospital_token, ndjson(*[visit_row(f"V{i}") for i in range(7)]))
    assert (batch.status, batch.accepted, batch.checkpoint) == ("failed", 0, 0)
    [(position, _field, text)] = problems(batch)
    assert position == 1 and text.startswith(message) and text.endswith("send the file again")
    assert not Visit.objects.exists()


def test_a_line_too_long_is_refused_by_the_reader_not_a_worker(world, workers):
    long_line = json.dumps(visit_row("LONG", card_sequence="x" * rules.MAX_LINE_BYTES))
    data = ndjson(visit_row("V1")) + long_line.encode() + b"\n" + ndjson(visit_row("V2"))
    batch = upload(world.hospital_token, data)
    assert (batch.accepted, batch.rejected) == (2, 1)
    assert [p[:2] for p in problems(batch)] == [(2, "")]
    assert sorted(Visit.objects.values_list("source_id", flat=True)) == ["V1", "V2"]


def test_a_large_upload_kept_in_the_database_is_parsed_by_workers_from_a_local_copy(
    world, database_files, settings, tmp_path
):
    """Over 4 MiB, so processes parse it (fork, reading a real file): from the database
    storage they read a copy on this host's disk, which is gone when the batch is done."""
    settings.INGEST_PARSE_WORKERS = 2
    scratch = settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "scratch"
    scratch.mkdir()
    visits = 13_000
    data = ndjson(*(visit_row(f"V{i}") for i in range(visits)))
    assert len(data) > rules.PARALLEL_PARSE_FROM_BYTES
    pieces = (data[at : at + 64 * 1024] for at in range(0, len(data), 64 * 1024))
    credential = services.authenticate(world.hospital_token)
    batch = services.receive_batch(credential=credential, chunks=pieces, format="ndjson")
    assert processing.parse_workers(batch) == 2
    assert StoredFile.objects.get(name=batch.stored_name).size == len(data)

    copies = []
    folder = local_copies_folder()
    processing.process_batch(
        batch.pk, after_chunk=lambda _: copies.append([p.stat().st_size for p in folder.iterdir()])
    )
    batch.refresh_from_db()
    assert (batch.status, batch.accepted, batch.rejected) == ("done", visits, 0)
    assert Visit.objects.filter(provider=world.hospital).count() == visits
    assert copies and all(sizes == [len(data)] for sizes in copies)  # one whole copy
    assert list(scratch.iterdir()) == [folder] and not any(folder.iterdir())
    assert not settings.INGEST_DIR.exists()
    kept = StoredFile.objects.filter(bucket="ingest")
    assert not kept.exists() and not FileChunk.objects.filter(file__bucket="ingest").exists()
