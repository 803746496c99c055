"""Batches share the workers in turns (tasks.py): a small upload is not held behind a big
one, several workers on several providers' batches write every row once, and a worker killed
mid-batch leaves the rest to another. With the real worker: in this process, and on
PostgreSQL as `healthbank worker` processes too."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from healthbank.ingest import services, tasks
from healthbank.ingest.models import Batch
from healthbank.ingest.tests.helpers import credential_for, days_ago, ndjson, visit_row
from healthbank.records.models import Visit
from healthbank.records.selectors.calendar import visits_between
from healthbank.records.tests.factories import ProviderFactory

HEALTHBANK = Path(sys.executable).parent / "healthbank"
ROOT = Path(__file__).resolve().parents[3]
Status = Batch.Status


@pytest.fixture
def one_chunk_turns(settings):
    """Chunks of 10 rows, and a turn over after one chunk when another task waits: what a
    second's turn does to a big file, without a test that waits seconds."""
    settings.INGEST_CHUNK_ROWS = 10
    settings.INGEST_SLICE_SECONDS = 0


def receive(token: str, rows: list[dict], capture) -> Batch:
    """Receives an upload as the API does; its first turn is queued on commit."""
    with capture(execute=True):
        return services.receive_batch(
            credential=services.authenticate(token), chunks=[ndjson(*rows)], format="ndjson"
        )


def visits(prefix: str, count: int) -> list[dict]:
    return [visit_row(f"{prefix}{i}") for i in range(count)]


def run_worker_recording(on_finish) -> None:
    """Runs the worker until the queue is empty, calling on_finish(batch id) as each batch's
    task finishes (in the worker, between tasks)."""

    def finished(sender, task_result, **kwargs):
        if task_result.task.name == "process_batch_task":
            on_finish(task_result.args[0])

    task_finished.connect(finished)
    try:
        call_command("worker", "--batch", "--interval", "0.01")
    finally:
        task_finished.disconnect(finished)


def test_a_one_visit_batch_is_visible_before_the_big_batch_queued_ahead_finishes(
    world, one_chunk_turns, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    big = receive(world.hospital_token, visits("B", 300), capture)
    small = receive(world.clinic_token, [visit_row("S1", visit_date=days_ago(5))], capture)
    day = dt.date.fromisoformat(days_ago(5))
    seen: dict = {}

    def on_finish(batch_id: int) -> None:
        if batch_id == small.pk and not seen:
            seen["visits"] = visits_between(world.alice, day, day)
            seen["big"] = Batch.objects.get(pk=big.pk)

    run_worker_recording(on_finish)

    # The person saw the clinic's visit while the hospital's batch was still being written.
    assert [visit.provider for visit in seen["visits"]] == [world.clinic]
    assert seen["big"].status == Status.PROCESSING
    assert seen["big"].accepted < 300
    big.refresh_from_db()
    assert (big.status, big.accepted, big.received, big.checkpoint) == (Status.DONE, 300, 300, 300)
    assert Visit.objects.filter(provider=world.hospital).count() == 300


def test_a_providers_many_batches_do_not_hold_back_another_providers_one(
    world, one_chunk_turns, django_capture_on_commit_callbacks
):
    hospital = [
        receive(world.hospital_token, visits(f"H{n}-", 5), django_capture_on_commit_callbacks)
        for n in range(3)
    ]
    clinic = receive(world.clinic_token, visits("C", 5), django_capture_on_commit_callbacks)
    finished: list[int] = []

    run_worker_recording(finished.append)

    # First in, first out would finish the clinic's last.
    assert finished == [hospital[0].pk, clinic.pk, hospital[1].pk, hospital[2].pk]


def test_an_all_or_nothing_batch_is_not_cut_into_turns(
    world, one_chunk_turns, django_capture_on_commit_callbacks
):
    rows = [*visits("A", 30), visit_row("bad", national_id="B100000002")]
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.receive_batch(
            credential=services.authenticate(world.hospital_token),
            chunks=[ndjson(*rows)],
            format="ndjson",
            all_or_nothing=True,
        )
    receive(world.clinic_token, visits("C", 1), django_capture_on_commit_callbacks)

    run_worker_recording(lambda batch_id: None)

    batch.refresh_from_db()
    assert (batch.status, batch.accepted) == (Status.FAILED, 0)
    assert not Visit.objects.filter(provider=world.hospital).exists()
    assert Visit.objects.filter(provider=world.clinic).count() == 1


# --- `healthbank worker` processes on PostgreSQL ------------------------------------------


@pytest.fixture
def start_worker(tmp_path):
    """start_worker(slice_seconds=0) -> a `healthbank worker` process on the test database,
    stopped (or found killed) at the end of the test."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "worker processes race each other on PostgreSQL only: SQLite takes one writer "
            "at a time, and has no advisory locks to show a worker is alive"
        )
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")} | {
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT),
    }
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    started: list[subprocess.Popen] = []
    logs = []

    def start(slice_seconds: float = 0) -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        logs.append(log)
        worker = subprocess.Popen(  # noqa: S603 - our own command
            [HEALTHBANK, "worker", "--interval", "0.05"],
            env=env
            | {  # the test's settings, as they are when the worker starts
                "INGEST_DIR": str(settings.INGEST_DIR),
                "INGEST_CHUNK_ROWS": str(settings.INGEST_CHUNK_ROWS),
                "INGEST_SLICE_SECONDS": str(slice_seconds),
                # A dead worker's task taken over in a second or two, not after 15 s.
                "WORKER_LIVENESS_SECONDS": "0.5",
                "WORKER_LIVENESS_GRACE": "1",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in started:
        worker.wait(timeout=60)
    for log in logs:
        log.close()


def wait_until(check, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the workers did not get there in time"
        time.sleep(0.1)


def all_finished() -> bool:
    return not Batch.objects.filter(status__in=tasks.UNFINISHED).exists()


def upload(token: str, prefix: str, rows: int) -> Batch:
    """An upload of `rows` visits with record ids `<prefix><n>`, received (committed, and its
    first turn queued) as the API does: the worker processes see it."""
    data = ndjson(*visits(prefix, rows))
    credential = services.authenticate(token)
    return services.receive_batch(credential=credential, chunks=[data], format="ndjson")


def assert_written_once(batch: Batch, prefix: str, rows: int) -> None:
    batch.refresh_from_db()
    assert (batch.status, batch.accepted, batch.rejected, batch.received) == (
        Status.DONE,
        rows,
        0,
        rows,
    )
    assert batch.checkpoint == rows  # its last line
    written = Visit.objects.filter(provider=batch.provider, source_id__startswith=prefix)
    assert written.count() == len(set(written.values_list("source_id", flat=True))) == rows


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_several_providers_batches_each_task_run_once(
    world, start_worker, settings
):
    settings.INGEST_CHUNK_ROWS = 20
    providers = [world.hospital, world.clinic, ProviderFactory(code="0131010003")]
    tokens = [world.hospital_token, world.clinic_token, credential_for(providers[2])]
    sizes = [400, 250, 120, 300, 1]
    batches = [upload(tokens[n % 3], f"P{n}-", rows) for n, rows in enumerate(sizes)]
    start_worker()
    start_worker()

    wait_until(all_finished)

    for n, (batch, rows) in enumerate(zip(batches, sizes, strict=True)):
        assert_written_once(batch, f"P{n}-", rows)
    runs = DBTaskResult.objects.filter(task_path__endswith="process_batch_task")
    assert runs.count() > len(batches)  # the big batches took several turns
    assert set(runs.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert all(len(run.worker_ids) == 1 for run in runs)  # each task claimed once
    assert len({run.worker_ids[0] for run in runs}) == 2  # both workers served the queue


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_worker_is_killed_is_finished_by_the_other(world, start_worker, settings):
    settings.INGEST_CHUNK_ROWS = 20
    batch = upload(world.hospital_token, "K", 6000)
    first = start_worker(slice_seconds=3600)  # keeps the batch: no turn ends
    wait_until(lambda: Batch.objects.get(pk=batch.pk).checkpoint >= 200)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    stopped = Batch.objects.get(pk=batch.pk)
    assert stopped.status == Status.PROCESSING
    assert stopped.checkpoint < 6000
    start_worker()

    # No clean-up run, no 15 minutes' wait: the other worker sees the first one's lock gone.
    wait_until(all_finished, timeout=60)

    assert_written_once(batch, "K", 6000)
    (run,) = DBTaskResult.objects.filter(task_path__endswith="process_batch_task")
    assert run.status == "SUCCESSFUL"
    assert len(run.worker_ids) == 2 and run.worker_ids[0].endswith(f"-{first.pid}")
