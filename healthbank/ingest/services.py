"""Provider and agency feeds: issuing and checking credentials, receiving a file as a batch,
and processing it in chunks that each commit whole with the batch's checkpoint."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import hmac
import logging
import queue
import secrets
import threading
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from healthbank.audit.services import Action, Actor, record
from healthbank.ingest import rules
from healthbank.ingest.formats import READERS, Utf8Check, reader_for
from healthbank.ingest.models import Batch, BatchProblem, Credential
from healthbank.ingest.rows import Problem
from healthbank.ingest.validate import Clean, Lookups, check_chunk, parse_chunk
from healthbank.ingest.writes import write_chunk

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)
Status = Batch.Status
KEY_PREFIX = "hbk_"
LAST_USED_EVERY = dt.timedelta(minutes=1)


class IngestError(Exception):
    """A refused upload; `code` is stable for programs, `message` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code, self.message = code, message


# --- credentials -------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_credential(*, credential: Credential, issued_by: User | None = None) -> str:
    """Saves a new (unsaved) credential with a fresh key and secret and returns the token,
    `<key id>.<secret>`, which is shown once and never stored. Empty scopes take the
    provider kind's default."""
    secret = secrets.token_urlsafe(32)
    credential.key_id = KEY_PREFIX + secrets.token_hex(8)
    credential.secret_hash = _digest(secret)
    credential.issued_by = issued_by
    if not credential.scopes:
        credential.scopes = rules.default_scopes(credential.provider)
    with transaction.atomic():
        credential.save()
        _audit(Action.CREDENTIAL_ISSUED, credential, issued_by)
    return f"{credential.key_id}.{secret}"


def revoke_credential(*, credential: Credential, revoked_by: User | None = None) -> None:
    """From now on the credential is refused; its batches stay, already processed or not."""
    with transaction.atomic():
        revoked = Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            _audit(Action.CREDENTIAL_REVOKED, credential, revoked_by)


def _audit(action: str, credential: Credential, staff_user: User | None) -> None:
    record(
        action=action,
        person=None,
        actor=Actor.STAFF if staff_user else Actor.SYSTEM,
        actor_id=staff_user.pk if staff_user else None,
        provider=credential.provider_id,
        key_id=credential.key_id,
    )


def token_parts(token: str) -> tuple[str, str] | None:
    """The key id and the secret's digest of a bearer token of ours, or None."""
    key_id, _, secret = token.partition(".")
    if not key_id.startswith(KEY_PREFIX) or not secret or len(token) > 200:
        return None
    return key_id, _digest(secret)


def authenticate(token: str) -> Credential | None:
    """The unrevoked credential this bearer token is, or None."""
    parts = token_parts(token)
    if parts is None:
        return None
    key_id, secret_hash = parts
    credential = (
        Credential.objects.select_related("provider")
        .filter(key_id=key_id, revoked_at__isnull=True)
        .first()
    )
    if credential is None or not hmac.compare_digest(credential.secret_hash, secret_hash):
        return None
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_EVERY:
        credential.last_used_at = now  # one write a minute, not one per request
        Credential.objects.filter(pk=credential.pk).update(last_used_at=now)
    return credential


# --- receiving ---------------------------------------------------------------------------


def stored_path(batch: Batch) -> Path:
    return Path(settings.INGEST_DIR) / batch.stored_name


def max_file_bytes(format: str) -> int:
    """The largest file of this format accepted: INGEST_MAX_FILE_BYTES, and for a FHIR
    Bundle, which is read whole, rules.MAX_BUNDLE_BYTES."""
    limit = settings.INGEST_MAX_FILE_BYTES
    return min(limit, rules.MAX_BUNDLE_BYTES) if format == "fhir" else limit


def held_bytes(credential: Credential) -> int:
    """Bytes of the raw files of this credential's batches still on disk: waiting, being
    processed, or kept after problems. INGEST_QUOTA_BYTES bounds them."""
    held = Batch.objects.filter(credential=credential, file_deleted_at__isnull=True)
    return held.aggregate(total=Sum("size"))["total"] or 0


def check_room(*, format: str, size: int, held: int) -> None:
    """Refuses a file of `size` bytes over the format's limit, or over the credential's
    quota when it already holds `held` bytes."""
    limit = max_file_bytes(format)
    if size > limit:
        raise IngestError(
            "too_large", f"The file is larger than {limit} bytes, the most accepted; split it."
        )
    quota = settings.INGEST_QUOTA_BYTES
    if held + size > quota:
        raise IngestError(
            "quota_exceeded",
            f"This credential's files waiting or kept take {held} bytes; with this one they "
            f"would pass its quota of {quota} bytes. Send it again when its batches are "
            f"processed (a batch with problems keeps its file "
            f"{settings.INGEST_KEEP_REFUSED_DAYS} days).",
        )


def _not_text(line: int) -> IngestError:
    return IngestError(
        "not_text",
        f"The file is not UTF-8 text (line {line}); send NDJSON, CSV or a FHIR JSON Bundle "
        "saved as UTF-8.",
    )


def _check_bundle_start(head: bytes, *, whole: bool) -> None:
    """A Bundle sent as JSON must be one object: an array or a bare value is refused at once
    (sent otherwise, it is refused when the batch is processed)."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if (start or whole) and not start.startswith(b"{"):
        raise IngestError("not_a_bundle", "A FHIR upload must be one JSON object, a Bundle.")


def receive_batch(
    *,
    credential: Credential,
    chunks: Iterable[bytes],
    format: str,
    all_or_nothing: bool = False,
    file_name: str = "",
    declared_size: int | None = None,
    json_object: bool = False,
) -> Batch:
    """Stores the upload under INGEST_DIR a chunk at a time and queues its processing (after
    the commit). Refused, with nothing kept: a file over the size limit or the credential's
    quota (before reading it when `declared_size`, the Content-Length, says so), empty, not
    UTF-8 (a picture or an archive sent by mistake), or, when sent as a JSON object
    (`json_object`: application/fhir+json), not an object."""
    if format not in READERS or reader_for(format) is None:
        raise IngestError("unknown_format", f"format must be one of: {', '.join(READERS)}")
    held = held_bytes(credential)
    if declared_size is not None:
        check_room(format=format, size=declared_size, held=held)
    folder = Path(settings.INGEST_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{uuid.uuid4().hex}.{format}"
    path = folder / stored_name
    size, head, text = 0, b"", Utf8Check()
    try:
        with path.open("xb") as out:
            for chunk in chunks:
                size += len(chunk)
                check_room(format=format, size=size, held=held)
                if (line := text.feed(chunk)) is not None:
                    raise _not_text(line)
                if json_object and len(head) < rules.SNIFF_BYTES:
                    head += chunk[: rules.SNIFF_BYTES - len(head)]
                    _check_bundle_start(head, whole=False)
                out.write(chunk)
        if size == 0:
            raise IngestError("empty_file", "the file is empty")
        if (line := text.end()) is not None:
            raise _not_text(line)
        if json_object:
            _check_bundle_start(head, whole=True)
        from healthbank.ingest.tasks import process_batch_task

        with transaction.atomic():
            # Two uploads of one credential at once: the second waits here, then counts the
            # first's file.
            Credential.objects.select_for_update().get(pk=credential.pk)
            check_room(format=format, size=size, held=held_bytes(credential))
            batch = Batch.objects.create(
                provider_id=credential.provider_id,
                credential=credential,
                format=format,
                file_name=file_name[:200],
                stored_name=stored_name,
                size=size,
                all_or_nothing=all_or_nothing,
            )
            transaction.on_commit(lambda: process_batch_task.enqueue(batch.pk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return batch


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


# --- processing --------------------------------------------------------------------------


class _Moved(Exception):
    """Another run of the same batch committed a chunk first: this run stops."""


class _Refused(Exception):
    """An all-or-nothing batch had a problem: roll everything back."""


ChunkHook = Callable[[Batch], None]
# What a format's reader yields: each row's position, and the row or why it is unreadable.
Items = Iterator[tuple[int, dict[str, Any] | Problem]]


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


def _process_by_chunk(batch: Batch, items: Items, after_chunk: ChunkHook | None) -> Batch:
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


def resume_stalled(now: dt.datetime | None = None) -> list[int]:
    """Queue again the batches whose run stopped without finishing (a worker killed or a
    machine lost): unfinished, with no progress for STALLED_AFTER. A run still alive
    meanwhile is harmless: the two meet at the next chunk and one stops (_Moved)."""
    from healthbank.ingest.tasks import process_batch_task

    silent_since = (now or timezone.now()) - rules.STALLED_AFTER
    stalled = Batch.objects.filter(
        Q(progress_at__lt=silent_since) | Q(progress_at__isnull=True, created_at__lt=silent_since),
        status__in=[Status.RECEIVED, Status.PROCESSING],
    )
    ids = list(stalled.values_list("pk", flat=True))
    Batch.objects.filter(pk__in=ids).update(progress_at=now or timezone.now())
    for batch_id in ids:
        process_batch_task.enqueue(batch_id)
    return ids


def _chunks(items: Items, *, after: int) -> Iterator[list[tuple[int, dict[str, Any] | Problem]]]:
    """Rows after the checkpoint in chunks of CHUNK_ROWS; rows of one position (one FHIR
    entry may give several) never straddle two chunks, so the checkpoint can name it."""
    chunk: list[tuple[int, dict[str, Any] | Problem]] = []
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


def _parsed(items: Items, *, after: int, scopes: list[str]) -> Generator[Parsed, None, None]:
    """The chunks after the checkpoint, read and parsed a chunk or two ahead in a thread of
    their own: reading and parse_row are pure Python, and run while this thread waits on
    the database (psycopg lets go of the GIL while it waits), which on PostgreSQL is about
    half of a chunk's time. Close it (contextlib.closing) to stop the thread early."""
    today = timezone.localdate()
    ahead: queue.Queue[object] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: object) -> bool:
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
            yield cast(Parsed, item)  # anything else put is a parsed chunk
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
    batch: Batch, chunk: Parsed, scopes: list[str], lookups: Lookups, after_chunk: ChunkHook | None
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


def _process_all_or_nothing(batch: Batch, items: Items, after_chunk: ChunkHook | None) -> Batch:
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
