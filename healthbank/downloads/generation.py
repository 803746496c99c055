"""Making a package and removing packages past their days: the work the background worker
runs (tasks.py). services.py queues it and never runs it itself."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from healthbank.downloads.models import PackageRequest
from healthbank.downloads.package import write_package
from healthbank.files.storage import scratch_file

log = logging.getLogger(__name__)
Status = PackageRequest.Status


def generate(package_id: int) -> PackageRequest:
    """Make the ZIP (the worker's task). A failure is recorded as failed, never as ready."""
    with transaction.atomic():
        package = (
            PackageRequest.objects.select_for_update().select_related("person").get(pk=package_id)
        )
        if package.status == Status.RUNNING:
            # Its worker died half-way and the task was queued again (operations/liveness.py,
            # the only way a package's one task runs twice): start afresh.
            storages["downloads"].delete(package.stored_as)
        elif package.status != Status.PENDING:
            return package  # already made
        package.status, package.started_at = Status.RUNNING, timezone.now()
        # Named before it is written: a worker killed half-way leaves a row stuck as running
        # that says what to delete (delete_expired), on any storage.
        package.stored_as = f"{package.person_id}/{uuid.uuid4().hex}.zip"
        package.save(update_fields=["status", "started_at", "stored_as"])
    generated_at = timezone.now()
    storage = storages["downloads"]
    try:
        with scratch_file(".zip.part") as path:
            counts = write_package(
                path=path,
                person=package.person,
                choices=package.categories,
                today=timezone.localdate(package.requested_at),
                generated_at=generated_at,
            )
            if any(counts.values()):
                with path.open("rb") as made:
                    package.stored_as = storage.save(package.stored_as, File(made))
                package.size = path.stat().st_size
    except Exception as exc:
        log.exception("package %s failed", package.pk)
        storage.delete(package.stored_as)  # a half-stored package, if any
        package.status, package.error = Status.FAILED, f"{type(exc).__name__}: {exc}"[:200]
        package.finished_at, package.stored_as = timezone.now(), ""
        package.save(update_fields=["status", "error", "finished_at", "stored_as"])
        return package
    package.finished_at, package.row_counts = timezone.now(), counts
    if not any(counts.values()):
        package.status, package.stored_as = Status.EMPTY, ""
    else:
        package.status = Status.READY
        package.expires_at = package.finished_at + dt.timedelta(days=settings.DOWNLOAD_DAYS)
    package.save()
    return package


def open_package(package: PackageRequest) -> File[bytes]:
    """The stored ZIP, read as it is sent; FileNotFoundError when it is gone."""
    if not package.stored_as:
        raise FileNotFoundError(package.file_name)
    return storages["downloads"].open(package.stored_as)


def delete_expired(now: dt.datetime | None = None) -> int:
    """Delete the files of packages past their download days; the rows stay, as 已逾期."""
    now = now or timezone.now()
    storage = storages["downloads"]
    done = 0
    for package in PackageRequest.objects.filter(status=Status.READY, expires_at__lte=now):
        storage.delete(package.stored_as)
        package.status, package.stored_as = Status.EXPIRED, ""
        package.save(update_fields=["status", "stored_as"])
        done += 1
    # A worker killed mid-package leaves a row stuck as running, and perhaps a half file
    # under the name the row holds.
    stale = now - dt.timedelta(hours=1)
    for package in PackageRequest.objects.filter(status=Status.RUNNING, started_at__lt=stale):
        if package.stored_as:
            storage.delete(package.stored_as)
        package.status, package.error, package.stored_as = Status.FAILED, "worker stopped", ""
        package.save(update_fields=["status", "error", "stored_as"])
    return done
