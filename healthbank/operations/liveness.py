"""Which task workers are alive, and the tasks left running by those that are not.

Each `healthbank worker` on PostgreSQL holds a session advisory lock named after its worker
id, on a connection of its own, for as long as it lives. The server drops the lock the
moment that connection ends: a worker killed (kill -9, out of memory) at once, a host lost
once the server's TCP keepalive gives up on it. Every few seconds each worker puts back in
the queue the tasks marked RUNNING by a worker whose lock is gone, and another worker runs
them again; every task is written to be run again (an ingest batch goes on from its
checkpoint, a record package is made afresh, mail is sent at least once).

SQLite has no such locks and runs on one host, where the periodic look for stalled batches
(ingest.tasks.resume_stalled) is the fallback."""

from __future__ import annotations

import logging
import threading
import time
import zlib

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from healthbank.core.unavailable import UNREACHABLE

log = logging.getLogger(__name__)

# The first key of our advisory locks ("HB"): apart from any other use of them.
LOCK_SPACE = 0x4842
# A task whose worker died this many times is failed, not run again: it may be what kills
# them (a package too big for the memory), and it must not take every worker down in turn.
MAX_RUNS = 3

LIVE_WORKER_KEYS = """
    SELECT objid::bigint FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND classid = %s AND objsubid = 2
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def worker_key(worker_id: str) -> int:
    """The lock's second key: a 31-bit checksum of the id (two ids sharing one only make
    a dead worker look alive, never a live one dead)."""
    return zlib.crc32(worker_id.encode()) & 0x7FFFFFFF


def requeue_orphans(using: str = "default") -> list[str]:
    """Puts back in the queue the tasks running on workers that no longer hold their lock,
    and fails those whose workers died MAX_RUNS times; returns the ids put back. Rows are
    locked as they are changed, so two workers looking at once change different ones."""
    tasks = DBTaskResult.objects.using(using)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(LIVE_WORKER_KEYS, [LOCK_SPACE])
        alive = {key for (key,) in cursor.fetchall()}
        running = tasks.running().select_for_update(skip_locked=True)
        orphans = {
            pk: len(worker_ids)
            for pk, worker_ids in running.values_list("pk", "worker_ids")
            if not worker_ids or worker_key(worker_ids[-1]) not in alive
        }
        again = [pk for pk, runs in orphans.items() if runs < MAX_RUNS]
        tasks.filter(pk__in=again).update(status=TaskResultStatus.READY, started_at=None)
        tasks.filter(pk__in=set(orphans) - set(again)).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{__name__}.WorkerLost",
            traceback=f"its worker died each of {MAX_RUNS} times it ran: not run again",
        )
    for pk in orphans:
        if pk in again:
            log.warning("task %s: its worker is gone; queued again", pk)
        else:
            log.error("task %s: its workers died %s times; failed", pk, MAX_RUNS)
    return [str(pk) for pk in again]


class WorkerLost(Exception):
    """A task's exception class when its workers died MAX_RUNS times (shown in the admin)."""


class Liveness(threading.Thread):
    """The worker's lock, held on this thread's own database connection (Django's are one
    per thread), and the look for other workers' orphaned tasks.

    After a failover the new primary holds no one's lock until each worker has taken its
    own again, so a worker judges others only once its own lock has been held for
    WORKER_LIVENESS_GRACE seconds: by then the live ones have theirs back."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="liveness", daemon=True)
        self.key = worker_key(worker_id)
        self.stop = threading.Event()
        self.held_since: float | None = None
        self.first_look = threading.Event()  # the worker claims no task before it

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    self.look()
                except UNREACHABLE:
                    # The primary is gone, and the lock with it: take it again on the next.
                    log.warning("worker liveness: database unreachable; trying again")
                    self.held_since = None
                    connections["default"].close()
                self.first_look.set()
                self.stop.wait(settings.WORKER_LIVENESS_SECONDS)
        finally:
            connections["default"].close()

    def look(self) -> None:
        with connections["default"].cursor() as cursor:
            if self.held_since is None:
                # Not taken only when another live worker's id has the same key: that one's
                # lock speaks for both meanwhile, and this one judges nobody.
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, self.key])
                if cursor.fetchone()[0]:
                    self.held_since = time.monotonic()
            else:  # a connection gone is noticed now, not at the next look for orphans
                cursor.execute("SELECT 1")
        since = self.held_since
        if since is not None and time.monotonic() - since >= settings.WORKER_LIVENESS_GRACE:
            requeue_orphans()
