"""Background work of the audit trail, run by `healthbank worker`."""

from __future__ import annotations

import logging

from django_tasks import task

from healthbank.audit import partitions

log = logging.getLogger(__name__)


@task()
def keep_partitions() -> None:
    """Next month's partition made ahead, months past retention dropped."""
    done = partitions.upkeep()
    if done.created or done.dropped or done.deleted_rows:
        log.info(
            "audit trail: partitions made %s, dropped %s; %d rows past retention deleted",
            done.created,
            done.dropped,
            done.deleted_rows,
        )
