"""Provider and agency feeds: issuing and checking credentials, and receiving a file as a
batch, whose processing it queues for the worker (tasks.py; the processing is
processing.py's)."""

from __future__ import annotations

import codecs
import datetime as dt
import hmac
import io
import secrets
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from healthbank.audit.services import Action, Actor, record
from healthbank.core.credentials import KEY_PREFIX, digest, token_parts
from healthbank.files.storage import ChunksReader
from healthbank.ingest import rules
from healthbank.ingest.formats import READERS, Utf8Check, reader_for
from healthbank.ingest.models import Batch, Credential
from healthbank.ingest.tasks import queue_batch

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LAST_USED_EVERY = dt.timedelta(minutes=1)


class IngestError(Exception):
    """A refused upload; `code` is stable for programs, `message` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code, self.message = code, message


# --- credentials -------------------------------------------------------------------------


def issue_credential(*, credential: Credential, issued_by: User | None = None) -> str:
    """Saves a new (unsaved) credential with a fresh key and secret and returns the token,
    `<key id>.<secret>`, which is shown once and never stored. Empty scopes take the
    provider kind's default."""
    secret = secrets.token_urlsafe(32)
    credential.key_id = KEY_PREFIX + secrets.token_hex(8)
    credential.secret_hash = digest(secret)
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
    """Stores the upload in the "ingest" storage a chunk at a time and queues its processing (after
    the commit). Refused, with nothing kept: a file over the size limit or the credential's
    quota (before reading it when `declared_size`, the Content-Length, says so), empty, not
    UTF-8 (a picture or an archive sent by mistake), or, when sent as a JSON object
    (`json_object`: application/fhir+json), not an object."""
    if format not in READERS or reader_for(format) is None:
        raise IngestError("unknown_format", f"format must be one of: {', '.join(READERS)}")
    held = held_bytes(credential)
    if declared_size is not None:
        check_room(format=format, size=declared_size, held=held)
    storage = storages["ingest"]
    stored_name = f"{uuid.uuid4().hex}.{format}"
    size, head, text = 0, b"", Utf8Check()

    def checked() -> Iterator[bytes]:
        """The upload's chunks, each checked before the storage writes it."""
        nonlocal size, head
        for chunk in chunks:
            size += len(chunk)
            check_room(format=format, size=size, held=held)
            if (line := text.feed(chunk)) is not None:
                raise _not_text(line)
            if json_object and len(head) < rules.SNIFF_BYTES:
                head += chunk[: rules.SNIFF_BYTES - len(head)]
                _check_bundle_start(head, whole=False)
            yield chunk

    try:
        stored_name = storage.save(stored_name, File(io.BufferedReader(ChunksReader(checked()))))
        if size == 0:
            raise IngestError("empty_file", "the file is empty")
        if (line := text.end()) is not None:
            raise _not_text(line)
        if json_object:
            _check_bundle_start(head, whole=True)
        with transaction.atomic():
            # Two uploads of one credential at once: the second waits here, then counts the
            # first's file.
            Credential.objects.select_for_update().get(pk=credential.pk)
            check_room(format=format, size=size, held=held_bytes(credential))
            batch = Batch.objects.create(
                provider_id=credential.provider_id,
                credential=credential,
                format=format,
                file_name=file_name.replace("\x00", "")[:200],  # PostgreSQL refuses NUL
                stored_name=stored_name,
                size=size,
                all_or_nothing=all_or_nothing,
            )
            transaction.on_commit(lambda: queue_batch(batch.pk, first_turn=True))
    except BaseException:
        storage.delete(stored_name)  # on disk a refused upload's first chunks were written
        raise
    return batch
