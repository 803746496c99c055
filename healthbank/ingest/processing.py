"""Processing a received batch in chunks that each commit whole with the batch's checkpoint,
and deleting raw files past their keeping: the work the background worker runs (tasks.py).
services.py receives the batches and queues them; it never processes one itself.

A large file is parsed by worker processes (forked, no database) a few chunks ahead, while
this process checks what needs the database and writes (_parsed); a small one by a thread."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import multiprocessing
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from healthbank.core import replicas
from healthbank.files.storage import forget_local_copy, local_path
from healthbank.ingest import rules
from healthbank.ingest.formats import reader_for, split_reader_for
from healthbank.ingest.models import Batch, BatchProblem
from healthbank.ingest.rows import Problem
from healthbank.ingest.validate import Clean, Lookups, check_chunk, parse_chunk
from healthbank.ingest.writes import write_chunk

Status = Batch.Status
log = logging.getLogger(__name__)


def _delete_file(batch: Batch, now: dt.datetime) -> None:
    storages["ingest"].delete(batch.stored_name)
    Batch.objects.filter(pk=batch.pk).update(file_deleted_at=now)


def _release_file(batch: Batch) -> None:
    """A batch done without a problem needs its raw file no more. One that failed or
    refused rows keeps it INGEST_KEEP_REFUSED_DAYS (delete_kept_files)."""
    if batch.status == Status.DONE and not batch.rejected and batch.file_deleted_at is None:
        batch.file_deleted_at = timezone.now()
        _delete_file(batch, batch.file_deleted_at)


def delete_kept_files(now: dt.datetime | None = None) -> int:
    """Deletes the raw files of batches finished INGEST_KEEP_REFUSED_DAYS ago or more, and
    files of the "ingest" storage that no batch holds once they are ORPHAN_AFTER old (an upload cut
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
    storage = storages["ingest"]
    held = set(
        Batch.objects.filter(file_deleted_at__isnull=True).values_list("stored_name", flat=True)
    )
    orphaned_before = now - rules.ORPHAN_AFTER
    for name in set(_stored_names(storage)) - held:
        try:
            orphaned = storage.get_modified_time(name) < orphaned_before
        except FileNotFoundError:
            continue  # deleted meanwhile
        if orphaned:
            storage.delete(name)
            deleted += 1
    return deleted


def _stored_names(storage: Storage) -> list[str]:
    try:
        return storage.listdir("")[1]
    except FileNotFoundError:
        return []  # on disk: nothing was ever uploaded to this folder


# --- processing --------------------------------------------------------------------------


class _Moved(Exception):
    """Another run of the same batch committed a chunk first: this run stops."""


class _Refused(Exception):
    """An all-or-nothing batch had a problem: roll everything back."""


ChunkHook = Callable[[Batch], None]
# Asked between two chunks whether this run's turn is over (tasks.Turn): if so the run stops
# there, the batch still processing, and its caller queues the rest.
PauseHook = Callable[[Batch], bool]
# A row (or raw item) of the file by position, and a chunk read and parsed (no database
# yet): its last position, its rows, their problems.
Item = tuple[int, object]
Parsed = tuple[int, list[Clean], list[Problem]]


def process_batch(
    batch_id: int, *, after_chunk: ChunkHook | None = None, pause: PauseHook | None = None
) -> Batch:
    """Reads, validates and writes a batch a chunk at a time. Each chunk commits whole with
    its problems, counts and the checkpoint, so after a crash a new run resumes after the
    last committed chunk. `after_chunk` runs inside each chunk's transaction (tests use it
    to stop a run halfway); `pause`, between chunks, may end the run there, the batch left
    processing to be resumed from its checkpoint (an all-or-nothing batch, one transaction,
    runs to its end)."""
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
    workers, split = parse_workers(batch), split_reader_for(batch.format)
    # A real file: the readers take it as it goes (rows.py); from a database storage, a
    # copy on this host's disk, kept for the batch's next turn here.
    with local_path(storages["ingest"], batch.stored_name).open("rb") as file:
        # Split when it can be: a resumed run then passes the rows before its checkpoint
        # unread (an all-or-nothing batch starts again from the top).
        after = 0 if batch.all_or_nothing else batch.checkpoint
        items = split[0](file, after=after) if split else reader(file)
        read = Reading(items, split[1] if split else None, workers)
        try:
            with _fewer_collections():
                if batch.all_or_nothing:
                    batch = _process_all_or_nothing(batch, read, after_chunk)
                else:
                    batch = _process_by_chunk(batch, read, after_chunk, pause)
        except WorkerFailed as error:
            # The chunks committed so far stay (and an all-or-nothing batch wrote nothing).
            log.exception("ingest batch %s: %s", batch.pk, error)
            batch.refresh_from_db()
            message = f"processing stopped: {error}; send the file again"
            batch = _fail(batch, [Problem(batch.checkpoint + 1, "", message)])
    if batch.status in (Status.DONE, Status.FAILED):
        forget_local_copy(storages["ingest"], batch.stored_name)
        _release_file(batch)
    return batch


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Reading a file makes millions of small objects (rows, their dicts, dates, Decimals)
    without cycles; the cyclic collector ran every 700 of them and again and again over
    everything Django had loaded, which more than doubled the time of parsing (and of
    unpickling the workers' chunks). So: what exists now is frozen out of its passes (the
    forked workers inherit that, and share those pages), and it runs every 50,000."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*rules.GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@dataclass
class Reading:
    """A batch's file as read: its items, the decoding of raw ones, the parsing processes."""

    items: Iterator[Item]
    decode: Callable | None
    workers: int

    def parsed(self, *, after: int, scopes: list[str]) -> Generator[Parsed, None, None]:
        return _parsed(
            self.items, after=after, scopes=scopes, decode=self.decode, workers=self.workers
        )


def _process_by_chunk(batch: Batch, read: Reading, after_chunk, pause) -> Batch:
    scopes, lookups = list(batch.credential.scopes), Lookups()
    try:
        with closing(read.parsed(after=batch.checkpoint, scopes=scopes)) as chunks:
            for n, chunk in enumerate(chunks):
                # Asked only when a chunk is left, so a paused batch always has one to do.
                if n and pause is not None and pause(batch):
                    return batch
                _commit_chunk(batch, chunk, scopes, lookups, after_chunk)
    except _Moved:
        return Batch.objects.get(pk=batch.pk)
    batch.status, batch.finished_at = Status.DONE, timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    return batch


def _chunks(items: Iterator[Item], *, after: int) -> Iterator[list[Item]]:
    """Rows after the checkpoint in chunks of CHUNK_ROWS; rows of one position (one FHIR
    entry may give several) never straddle two chunks, so the checkpoint can name it."""
    chunk: list[Item] = []
    for position, row in items:
        if position <= after:
            continue
        if len(chunk) >= settings.INGEST_CHUNK_ROWS and position != chunk[-1][0]:
            yield chunk
            chunk = []
        chunk.append((position, row))
    if chunk:
        yield chunk


_END = object()


class WorkerFailed(Exception):
    """A process parsing the file died or raised: the batch fails, its committed chunks stay."""


def parse_workers(batch: Batch) -> int:
    """How many processes parse this batch: none (the reading thread does) for a small file,
    where starting them would cost more than they save."""
    if batch.size < rules.PARALLEL_PARSE_FROM_BYTES:
        return 0
    return settings.INGEST_PARSE_WORKERS or rules.PARSE_WORKERS


def _parse_in_worker(
    chunk: list[Item], decode: Callable | None, scopes: list[str], today: dt.date
) -> Parsed:
    """In a worker process: decode the raw items (formats.split_reader_for) and parse them.
    No database here; the parent does the rest (check_chunk, the writes)."""
    if decode is not None:
        chunk = [(p, raw if isinstance(raw, Problem) else decode(p, raw)) for p, raw in chunk]
    parsed, problems = parse_chunk(chunk, scopes=scopes, today=today)  # type: ignore[arg-type]
    return chunk[-1][0], parsed, problems


def _parsed(
    items: Iterator[Item],
    *,
    after: int,
    scopes: list[str],
    decode: Callable | None = None,
    workers: int = 0,
) -> Generator[Parsed, None, None]:
    """The chunks after the checkpoint, read a chunk or two ahead by a thread of its own
    while this one waits on the database, and parsed by `workers` processes (fork: they
    inherit the loaded code and never touch the database) or, with none, by that thread.
    `decode`, if given, turns each raw item into a row first (in the workers). Chunks come
    out in file order. Close it (contextlib.closing) to stop early."""
    today = timezone.localdate()
    # Chunks in flight: two, as a worker finishes one while the other waits to be written.
    ahead: queue.Queue = queue.Queue(maxsize=1 if workers else 2)
    stop = threading.Event()
    pool = None
    if workers:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        pool.submit(int).result()  # fork them all now, from this thread, before the reader's

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
                args = (chunk, decode, scopes, today)
                done = pool.submit(_parse_in_worker, *args) if pool else _parse_in_worker(*args)
                if not put(done):
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
            if isinstance(item, Future):
                try:
                    item = item.result()
                except BrokenProcessPool as error:
                    raise WorkerFailed("a process parsing the file died") from error
                except Exception as error:
                    raise WorkerFailed(f"a process parsing the file failed: {error!r}") from error
            yield item
    finally:
        stop.set()
        thread.join()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _apply(batch: Batch, chunk: Parsed, lookups: Lookups) -> tuple[int, int, list[Problem]]:
    _last, parsed, problems = chunk
    cleans, problems = check_chunk(parsed, list(problems), lookups=lookups)
    written, refused = write_chunk(provider_id=batch.provider_id, cleans=cleans)
    # Once committed, the persons in the chunk see their new rows on their next page.
    replicas.pin_on_commit(clean.person_id for clean in cleans if clean.person_id is not None)
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


def _process_all_or_nothing(batch: Batch, read: Reading, after_chunk) -> Batch:
    """One transaction for the whole file: any problem and nothing stays written."""
    scopes, lookups = list(batch.credential.scopes), Lookups()
    problems: list[Problem] = []
    accepted = voided = last = 0
    try:
        with transaction.atomic():
            with closing(read.parsed(after=0, scopes=scopes)) as chunks:
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
