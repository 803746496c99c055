"""Making a package and removing packages past their days: the work the background worker
runs (tasks.py). services.py queues it and never runs it itself."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from healthbank.downloads.models import PackageRequest
from healthbank.downloads.package import write_package

log = logging.getLogger(__name__)
Status = PackageRequest.Status


def generate(package_id: int) -> PackageRequest:
    """Make the ZIP (the worker's task). A failure is recorded as failed, never as ready."""
    with transaction.atomic():
        package = (
            PackageRequest.objects.select_for_update().select_related("person").get(pk=package_id)
        )
        if package.status != Status.PENDING:
            return package  # already made, or being made by another worker
        package.status, package.started_at = Status.RUNNING, timezone.now()
        package.save(update_fields=["status", "started_at"])
    generated_at = timezone.now()
    try:
        path, counts = write_package(
            person=package.person,
            choices=package.categories,
            today=timezone.localdate(package.requested_at),
            generated_at=generated_at,
        )
    except Exception as exc:
        log.exception("package %s failed", package.pk)
        package.status, package.error = Status.FAILED, f"{type(exc).__name__}: {exc}"[:200]
        package.finished_at = timezone.now()
        package.save(update_fields=["status", "error", "finished_at"])
        return package
    package.finished_at, package.row_counts = timezone.now(), counts
    if path is None:
        package.status = Status.EMPTY
    else:
        package.status = Status.READY
        package.stored_as = str(path.relative_to(settings.DOWNLOAD_DIR))
        package.size = path.stat().st_size
        package.expires_at = package.finished_at + dt.timedelta(days=settings.DOWNLOAD_DAYS)
    package.save()
    return package


def stored_path(package: PackageRequest) -> Path:
    return Path(settings.DOWNLOAD_DIR) / package.stored_as


def delete_expired(now: dt.datetime | None = None) -> int:
    """Delete the files of packages past their download days; the rows stay, as 已逾期."""
    now = now or timezone.now()
    done = 0
    for package in PackageRequest.objects.filter(status=Status.READY, expires_at__lte=now):
        stored_path(package).unlink(missing_ok=True)
        package.status, package.stored_as = Status.EXPIRED, ""
        package.save(update_fields=["status", "stored_as"])
        done += 1
    # A worker killed mid-package leaves a .part file and a row stuck as running.
    stale = now - dt.timedelta(hours=1)
    for package in PackageRequest.objects.filter(status=Status.RUNNING, started_at__lt=stale):
        package.status, package.error = Status.FAILED, "worker stopped"
        package.save(update_fields=["status", "error"])
    for partial in Path(settings.DOWNLOAD_DIR).glob("*/*.zip.part"):
        if partial.stat().st_mtime < stale.timestamp():
            partial.unlink(missing_ok=True)
    return done
