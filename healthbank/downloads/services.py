"""The download service's actions: request a package, make it (in a worker), retry one that
failed, and delete packages past their seven days."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from healthbank.core.rocdate import to_roc
from healthbank.downloads.categories import BY_CODE, EVERYTHING
from healthbank.downloads.models import PackageRequest
from healthbank.downloads.package import MONTHLY, write_package
from healthbank.people.models import Person

log = logging.getLogger(__name__)
Status = PackageRequest.Status


class DownloadError(Exception):
    """A request the person must change; `code` names the message the page shows."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _checked(choices: list[dict[str, str]]) -> list[dict[str, str]]:
    clean, seen = [], set()
    for choice in choices:
        category = BY_CODE.get(choice.get("code", ""))
        if category is None or category.code in seen:
            raise DownloadError("unknown_category")
        mode = choice.get("mode", "merged")
        if mode not in (PackageRequest.Mode.MERGED, PackageRequest.Mode.MONTHLY):
            raise DownloadError("unknown_mode")
        if mode == MONTHLY and not category.monthly:
            raise DownloadError("no_monthly")
        seen.add(category.code)
        clean.append({"code": category.code, "mode": mode})
    if not clean:
        raise DownloadError("nothing_chosen")
    order = list(BY_CODE)
    return sorted(clean, key=lambda c: order.index(c["code"]))


def _file_name(day: dt.date, serial: int) -> str:
    # 健康存摺_1151124_1.zip: the ROC date without slashes, then the day's serial.
    return f"健康存摺_{to_roc(day).replace('/', '')}_{serial}.zip"


def request_package(
    *,
    person: Person,
    requested_by: Person,
    choices: list[dict[str, str]],
    now: dt.datetime | None = None,
) -> PackageRequest:
    """Queue a package of the chosen categories ({"code", "mode"}) for the worker."""
    from healthbank.downloads.tasks import generate_package

    choices = _checked(choices)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one request at a time
        mine = PackageRequest.objects.filter(person=person)
        in_flight = mine.filter(status__in=(Status.PENDING, Status.RUNNING)).count()
        if in_flight >= settings.DOWNLOAD_MAX_IN_FLIGHT:
            raise DownloadError("too_many")
        serial = mine.filter(requested_at__date=today).count() + 1
        while True:
            try:
                with transaction.atomic():
                    package = PackageRequest.objects.create(
                        person=person,
                        requested_by=requested_by,
                        requested_at=now,
                        categories=choices,
                        serial=serial,
                        file_name=_file_name(today, serial),
                    )
                break
            except IntegrityError:  # a name of today already taken (a deleted row's serial)
                serial += 1
        transaction.on_commit(lambda: generate_package.enqueue(package.pk))
    return package


def request_everything(*, person: Person, requested_by: Person) -> PackageRequest:
    """Every category, merged: the NHI Express app's "apply for today's data" (seed 002)."""
    return request_package(person=person, requested_by=requested_by, choices=EVERYTHING)


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


def retry(*, person: Person, package_id: int) -> PackageRequest:
    """產製失敗 → 重新產製: the same request goes back to the queue."""
    from healthbank.downloads.tasks import generate_package

    package = PackageRequest.objects.get(pk=package_id, person=person, status=Status.FAILED)
    package.status, package.error = Status.PENDING, ""
    package.started_at = package.finished_at = None
    package.save(update_fields=["status", "error", "started_at", "finished_at"])
    transaction.on_commit(lambda: generate_package.enqueue(package.pk))
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
