"""The person's package requests, always read starting from the person."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone

from healthbank.downloads.models import PackageRequest
from healthbank.people.models import Person
from healthbank.records.categories import EVERYTHING

LISTED = 20


def packages(person: Person) -> list[PackageRequest]:
    """產製清單: the latest requests, newest first."""
    return list(
        PackageRequest.objects.filter(person=person).order_by("-requested_at", "-pk")[:LISTED]
    )


def package(person: Person, pk: int) -> PackageRequest:
    return get_object_or_404(PackageRequest, pk=pk, person=person)


def todays_data(person: Person) -> PackageRequest | None:
    """申請結果 in the app: the newest request of every category (申請本日資料) made today."""
    today = PackageRequest.objects.filter(
        person=person, requested_at__date=timezone.localdate()
    ).order_by("-requested_at", "-pk")
    return next((p for p in today if p.categories == EVERYTHING), None)
