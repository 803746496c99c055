"""The download service's actions: request a package and retry one that failed. Both queue
the making for the worker (tasks.py); the making itself is generation.py's."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from healthbank.core.rocdate import to_roc
from healthbank.downloads.models import PackageRequest
from healthbank.downloads.package import MONTHLY
from healthbank.downloads.tasks import generate_package
from healthbank.people.locks import lock_person
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE, EVERYTHING

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
    choices = _checked(choices)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        lock_person(person.pk)  # one request at a time
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


def retry(*, person: Person, package_id: int) -> PackageRequest:
    """產製失敗 → 重新產製: the same request goes back to the queue."""
    package = PackageRequest.objects.get(pk=package_id, person=person, status=Status.FAILED)
    package.status, package.error = Status.PENDING, ""
    package.started_at = package.finished_at = None
    package.save(update_fields=["status", "error", "started_at", "finished_at"])
    transaction.on_commit(lambda: generate_package.enqueue(package.pk))
    return package
