"""Background work of provider feeds, run by `healthbank worker`; queued by services.py and
here, done by processing.py."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from healthbank.ingest import processing, rules
from healthbank.ingest.models import Batch

log = logging.getLogger(__name__)
Status = Batch.Status


@task()
def process_batch_task(batch_id: int) -> str:
    try:
        return processing.process_batch(batch_id).status
    except Exception:
        # The chunks committed so far stay; the provider sees a failed batch, not a wait.
        log.exception("ingest batch %s stopped", batch_id)
        processing.fail_batch(batch_id, "processing stopped on an internal error; send it again")
        raise


def resume_stalled(now: dt.datetime | None = None) -> list[int]:
    """Queue again the batches whose run stopped without finishing (a worker killed or a
    machine lost): unfinished, with no progress for STALLED_AFTER. A run still alive
    meanwhile is harmless: the two meet at the next chunk and one stops (processing._Moved)."""
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


@task()
def resume_stalled_batches() -> list[int]:
    return resume_stalled()


@task()
def delete_kept_files() -> int:
    return processing.delete_kept_files()
