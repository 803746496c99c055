"""Processing a received batch in chunks that each commit whole with the batch's checkpoint,
and deleting raw files past their keeping: the work the background worker runs (tasks.py).
services.py receives the batches and queues them; it never processes one itself."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from healthbank.ingest import rules
from healthbank.ingest.formats import reader_for
from healthbank.ingest.models import Batch, BatchProblem
from healthbank.ingest.rows import Problem
from healthbank.ingest.validate import Clean, Lookups, check_chunk, parse_chunk
from healthbank.ingest.writes import write_chunk

Status = Batch.Status


def stored_path(batch: Batch) -> Path:
    return Path(settings.INGEST_DIR) / batch.stored_name


def _delete_file(batch: Batch, now: dt.datetime) -> None:
    stored_path(batch).unlink(missing_ok=True)
    Batch.objects.filter(pk=batch.pk).update(file_deleted_at=now)


def _release_file(batch: Batch) -> None:
    """A batch done without a problem needs its raw file no more. One that failed or
    refused rows keeps it INGEST_KEEP_REFUSED_DAYS (delete_kept_files)."""
    if batch.status == Status.DONE and not batch.rejected and batch.file_deleted_at is None:
        batch.file_deleted_at = timezone.now()
        _delete_file(batch, batch.file_deleted_at)


def delete_kept_files(now: dt.datetime | None = None) -> int:
    """Deletes the raw files of batches finished INGEST_KEEP_REFUSED_DAYS ago or more, and
    files under INGEST_DIR that no batch holds once they are ORPHAN_AFTER old (an upload cut
    off by a killed server). Run by the worker periodically; returns how many it deleted."""
    now = now or timezone.now()
    kept_until = now - dt.timedelta(days=settings.INGEST_KEEP_REFUSED_DAYS)
    done = Batch.objects.filter(
        file_deleted_at__isnull=True,
        status__in=[Status.DONE, Status.FAILED],
        finished_at__lte=kept_until,
    )
    deleted = 0
    for batch in done.only("pk", "stored_name").iterator():
        _delete_file(batch, now)
        deleted += 1
    folder = Path(settings.INGEST_DIR)
    if not folder.is_dir():
        return deleted
    held = set(
        Batch.objects.filter(file_deleted_at__isnull=True).values_list("stored_name", flat=True)
    )
    orphaned_before = (now - rules.ORPHAN_AFTER).timestamp()
    for path in folder.iterdir():
        if path.name not in held and path.is_file() and path.stat().st_mtime < orphaned_before:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


# --- processing ---------------------------------------------------------------------------


# --- processing --------------------------------------------------------------------------


class _Moved(Exception):
    """Another run of the same batch committed a chunk first: this run stops."""


class _Refused(Exception):
    """An all-or-nothing batch had a problem: roll everything back."""


ChunkHook = Callable[[Batch], None]


def process_batch(batch_id: int, *, after_chunk: ChunkHook | None = None) -> Batch:
    """Reads, validates and writes a batch a chunk at a time. Each chunk commits whole with
    its problems, counts and the checkpoint, so after a crash a new run resumes after the
    last committed chunk. `after_chunk` runs inside each chunk's transaction (tests use it
    to stop a run halfway)."""
    batch = Batch.objects.select_related("credential").get(pk=batch_id)
    if batch.status in (Status.DONE, Status.FAILED):
        return batch
    if batch.status == Status.RECEIVED:
        batch.status, batch.started_at = Status.PROCESSING, timezone.now()
    batch.progress_at = timezone.now()
    batch.save(update_fields=["status", "started_at", "progress_at"])
    reader = reader_for(batch.format)
    if reader is None:
        return _fail(batch, [Problem(0, "", f"the {batch.format} reader is not available")])
    with stored_path(batch).open("rb") as file:  # read as it goes: see rows.py
        if batch.all_or_nothing:
            batch = _process_all_or_nothing(batch, reader(file), after_chunk)
        else:
            batch = _process_by_chunk(batch, reader(file), after_chunk)
    _release_file(batch)
    return batch


def _process_by_chunk(batch: Batch, items, after_chunk) -> Batch:
    scopes, lookups = list(batch.credential.scopes), Lookups()
    try:
        with closing(_parsed(items, after=batch.checkpoint, scopes=scopes)) as chunks:
            for chunk in chunks:
                _commit_chunk(batch, chunk, scopes, lookups, after_chunk)
    except _Moved:
        return Batch.objects.get(pk=batch.pk)
    batch.status, batch.finished_at = Status.DONE, timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    return batch


def _chunks(
    items: Iterator[tuple[int, dict | Problem]], *, after: int
) -> Iterator[list[tuple[int, dict | Problem]]]:
    """Rows after the checkpoint in chunks of CHUNK_ROWS; rows of one position (one FHIR
    entry may give several) never straddle two chunks, so the checkpoint can name it."""
    chunk: list[tuple[int, dict | Problem]] = []
    for position, row in items:
        if position <= after:
            continue
        if len(chunk) >= settings.INGEST_CHUNK_ROWS and position != chunk[-1][0]:
            yield chunk
            chunk = []
        chunk.append((position, row))
    if chunk:
        yield chunk


# A chunk read and parsed (no database yet): its last position, its rows, their problems.
Parsed = tuple[int, list[Clean], list[Problem]]
_END = object()


def _parsed(
    items: Iterator[tuple[int, dict | Problem]], *, after: int, scopes: list[str]
) -> Generator[Parsed, None, None]:
    """The chunks after the checkpoint, read and parsed a chunk or two ahead in a thread of
    their own: reading and parse_row are pure Python, and run while this thread waits on
    the database (psycopg lets go of the GIL while it waits), which on PostgreSQL is about
    half of a chunk's time. Close it (contextlib.closing) to stop the thread early."""
    today = timezone.localdate()
    ahead: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for chunk in _chunks(items, after=after):
                parsed, problems = parse_chunk(chunk, scopes=scopes, today=today)
                if not put((chunk[-1][0], parsed, problems)):
                    return
            put(_END)
        except BaseException as error:  # handed to the consumer, which raises it
            put(error)

    thread = threading.Thread(target=work, name="ingest-parse", daemon=True)
    thread.start()
    try:
        while (item := ahead.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _apply(batch: Batch, chunk: Parsed, lookups: Lookups) -> tuple[int, int, list[Problem]]:
    _last, parsed, problems = chunk
    cleans, problems = check_chunk(parsed, list(problems), lookups=lookups)
    written, refused = write_chunk(provider_id=batch.provider_id, cleans=cleans)
    return written.accepted, written.voided, sorted(problems + refused, key=_by_position)


def _by_position(problem: Problem) -> int:
    return problem.position


def _rows_refused(problems: list[Problem]) -> int:
    return len({p.position for p in problems})


def _commit_chunk(
    batch: Batch, chunk: Parsed, scopes: list[str], lookups: Lookups, after_chunk
) -> None:
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.checkpoint != batch.checkpoint or locked.status != Status.PROCESSING:
            raise _Moved
        accepted, voided, problems = _apply(batch, chunk, lookups)
        _save_problems(batch, problems)
        rejected = _rows_refused(problems)
        batch.accepted += accepted
        batch.voided += voided
        batch.rejected += rejected
        batch.received += accepted + voided + rejected
        batch.checkpoint = chunk[0]
        batch.progress_at = timezone.now()
        batch.save(
            update_fields=[
                "accepted",
                "voided",
                "rejected",
                "received",
                "checkpoint",
                "progress_at",
            ]
        )
        if after_chunk is not None:
            after_chunk(batch)


def _process_all_or_nothing(batch: Batch, items, after_chunk) -> Batch:
    """One transaction for the whole file: any problem and nothing stays written."""
    scopes, lookups = list(batch.credential.scopes), Lookups()
    problems: list[Problem] = []
    accepted = voided = last = 0
    try:
        with transaction.atomic():
            with closing(_parsed(items, after=0, scopes=scopes)) as chunks:
                for chunk in chunks:
                    written, void_rows, found = _apply(batch, chunk, lookups)
                    accepted, voided, last = accepted + written, voided + void_rows, chunk[0]
                    problems.extend(found)
                    if after_chunk is not None:
                        after_chunk(batch)
            if problems:
                raise _Refused
            batch.accepted, batch.voided, batch.received = accepted, voided, accepted + voided
            batch.checkpoint, batch.status, batch.finished_at = last, Status.DONE, timezone.now()
            batch.save()
    except _Refused:
        # Nothing was written: the rows that passed are not counted as accepted.
        batch.rejected = _rows_refused(problems)
        batch.received = accepted + voided + batch.rejected
        return _fail(batch, problems)
    return batch


def _fail(batch: Batch, problems: list[Problem]) -> Batch:
    with transaction.atomic():
        _save_problems(batch, problems)
        batch.status, batch.finished_at = Status.FAILED, timezone.now()
        batch.save()
    return batch


def _save_problems(batch: Batch, problems: list[Problem]) -> None:
    BatchProblem.objects.bulk_create(
        BatchProblem(batch=batch, position=p.position, field=p.field[:100], message=p.message)
        for p in problems
    )


def fail_batch(batch_id: int, message: str) -> None:
    """A batch whose processing broke off with an error of ours: the provider sees it failed
    (its committed chunks stay) rather than waiting."""
    batch = Batch.objects.get(pk=batch_id)
    if batch.status not in (Status.DONE, Status.FAILED):
        _fail(batch, [Problem(batch.checkpoint + 1, "", message)])
