"""Background work of provider feeds, run by `healthbank worker`; queued by services.py and
here, done by processing.py.

A batch is processed in turns (rules.py): one task runs a turn and, when others wait, queues
the rest of the batch as a new task, so every worker on every host serves small uploads
between a big one's turns, and each task is claimed by one worker only (django-tasks-db
locks the row it claims: SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from healthbank.core.unavailable import UNREACHABLE, wait_for_database
from healthbank.ingest import processing, rules
from healthbank.ingest.models import Batch

log = logging.getLogger(__name__)
Status = Batch.Status
UNFINISHED = [Status.RECEIVED, Status.PROCESSING]


def queue_batch(batch_id: int, *, first_turn: bool) -> None:
    """Queues a turn of the batch at its priority (rules.py): a first turn before any later
    one, and a step lower for each other unfinished batch of the same provider."""
    process_batch_task.using(priority=turn_priority(batch_id, first_turn=first_turn)).enqueue(
        batch_id
    )


def turn_priority(batch_id: int, *, first_turn: bool) -> int:
    provider_id = Batch.objects.filter(pk=batch_id).values("provider_id")
    backlog = (
        Batch.objects.filter(provider_id__in=provider_id, status__in=UNFINISHED)
        .exclude(pk=batch_id)
        .count()
    )
    base = rules.FIRST_TURN_PRIORITY if first_turn else rules.LATER_TURN_PRIORITY
    return base - min(backlog, rules.PROVIDER_BACKLOG_STEPS)


def _waiting_before(priority: int) -> bool:
    """Whether a queued task would run before a turn queued now at `priority`."""
    backend = task_backends[process_batch_task.backend]
    if not isinstance(backend, DatabaseBackend):
        return False
    ready = DBTaskResult.objects.ready().filter(
        backend_name=backend.alias, queue_name=process_batch_task.queue_name
    )
    return ready.filter(priority__gte=priority).exists()


class Turn:
    """A run's turn: over once INGEST_SLICE_SECONDS have passed and another task waits that
    would go before the batch's next turn. processing.process_batch asks between chunks."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.ends_at = time.monotonic() + settings.INGEST_SLICE_SECONDS
        self.next_priority: int | None = None
        self.over = False

    def __call__(self, batch: Batch) -> bool:
        if time.monotonic() < self.ends_at:
            return False
        if self.next_priority is None:
            self.next_priority = turn_priority(self.batch_id, first_turn=False)
        self.over = _waiting_before(self.next_priority)
        return self.over


@task(priority=rules.FIRST_TURN_PRIORITY)
def process_batch_task(batch_id: int) -> str:
    turn = Turn(batch_id)
    try:
        batch = processing.process_batch(batch_id, pause=turn)
    except UNREACHABLE:
        # A failover: the chunk under way went with the old primary, whole (chunks commit
        # whole). Once the new primary answers, the rest of the batch goes on from its
        # checkpoint, not failed and not after the stalled-batch wait.
        log.warning("ingest batch %s: database unreachable; resuming when it is back", batch_id)
        wait_for_database()
        queue_batch(batch_id, first_turn=False)
        return Status.PROCESSING
    except Exception:
        # The chunks committed so far stay; the provider sees a failed batch, not a wait.
        log.exception("ingest batch %s stopped", batch_id)
        processing.fail_batch(batch_id, "processing stopped on an internal error; send it again")
        raise
    if turn.over and batch.status == Status.PROCESSING:
        # Behind the tasks waiting; if this worker dies first, resume_stalled queues it.
        process_batch_task.using(priority=turn.next_priority).enqueue(batch_id)
    return batch.status


def resume_stalled(now: dt.datetime | None = None) -> list[int]:
    """Queue again the batches whose run stopped without finishing (a worker killed or a
    machine lost): unfinished, with no progress for STALLED_AFTER. A run still alive
    meanwhile is harmless: the two meet at the next chunk and one stops (processing._Moved)."""
    silent_since = (now or timezone.now()) - rules.STALLED_AFTER
    stalled = Batch.objects.filter(
        Q(progress_at__lt=silent_since) | Q(progress_at__isnull=True, created_at__lt=silent_since),
        status__in=UNFINISHED,
    )
    ids = list(stalled.values_list("pk", flat=True))
    Batch.objects.filter(pk__in=ids).update(progress_at=now or timezone.now())
    for batch_id in ids:
        queue_batch(batch_id, first_turn=False)
    return ids


@task()
def resume_stalled_batches() -> list[int]:
    return resume_stalled()


@task()
def delete_kept_files() -> int:
    return processing.delete_kept_files()
