"""Background work of provider feeds, run by `healthbank worker`."""

from __future__ import annotations

import logging

from django_tasks import task

from healthbank.ingest import services

log = logging.getLogger(__name__)


@task()
def process_batch_task(batch_id: int) -> str:
    try:
        return services.process_batch(batch_id).status
    except Exception:
        # The chunks committed so far stay; the provider sees a failed batch, not a wait.
        log.exception("ingest batch %s stopped", batch_id)
        services.fail_batch(batch_id, "processing stopped on an internal error; send it again")
        raise


@task()
def resume_stalled_batches() -> list[int]:
    return services.resume_stalled()


@task()
def delete_kept_files() -> int:
    return services.delete_kept_files()
