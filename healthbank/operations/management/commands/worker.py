"""`healthbank worker`: run background tasks (record packages, provider uploads, mail) as they
are queued, and every few minutes queue the periodic ones: the clean-up of expired packages
and of expired web sessions, queueing again the uploads whose worker died, deleting
uploaded files kept past their days (and this host's copies of uploads no batch reads),
and the audit trail's monthly partitions (made ahead, dropped past retention). On
PostgreSQL it also shows it is alive, and runs again the tasks of workers that are not
(liveness.py)."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from healthbank.audit.tasks import keep_partitions
from healthbank.core.unavailable import UNREACHABLE, wait_for_database
from healthbank.downloads.tasks import delete_expired_packages
from healthbank.files.storage import sweep_local_copies
from healthbank.identity.tasks import delete_expired_sessions
from healthbank.ingest.tasks import delete_kept_files, resume_stalled_batches
from healthbank.operations.liveness import Liveness

log = logging.getLogger(__name__)
# A batch's turns on a host are seconds apart; a copy unused for an hour is of no batch here.
LOCAL_COPIES_KEPT_SECONDS = 3600


def queue_periodic() -> None:
    delete_expired_packages.enqueue()
    delete_expired_sessions.enqueue()
    resume_stalled_batches.enqueue()
    delete_kept_files.enqueue()
    keep_partitions.enqueue()


def queue_cleanup_every(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        queue_periodic()
        # This host's own: copies of uploads whose batch ended, or went on elsewhere.
        sweep_local_copies(unused_for=LOCAL_COPIES_KEPT_SECONDS)


class Command(BaseCommand):
    help = "Run background tasks; queue the clean-up and the stalled uploads periodically."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--cleanup-every", type=float, default=600, help="seconds")
        parser.add_argument("--interval", type=float, default=1, help="seconds between polls")

    def handle(self, *args, batch, cleanup_every, interval, **options):
        queue_periodic()  # once at start, then periodically
        stop = threading.Event()
        if not batch:
            threading.Thread(
                target=queue_cleanup_every, args=(cleanup_every, stop), daemon=True
            ).start()
        # Named by host and process, so a task's row tells which worker ran it.
        worker_id = f"{socket.gethostname()[:50]}-{os.getpid()}"
        arguments = ["--interval", str(interval), "--no-startup-delay"]
        arguments += ["--worker-id", worker_id]
        liveness = Liveness(worker_id)
        if not batch and connection.vendor == "postgresql":
            liveness.start()  # a task of this worker's, left by its death, goes to another
            liveness.first_look.wait(timeout=30)  # its lock before its first task
        try:
            while True:
                try:
                    call_command("db_worker", *arguments, *(["--batch"] if batch else []))
                    return
                except UNREACHABLE:
                    # A failover under way: wait for the new primary rather than exit, so
                    # the worker needs no supervisor to come back.
                    log.warning("worker %s: database unreachable; waiting for it", worker_id)
                    wait_for_database(seconds=float("inf"))
        finally:
            stop.set()
            liveness.stop.set()
