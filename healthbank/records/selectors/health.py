"""健康資料 that is not a visit: the person's own measurements and their vaccinations."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet, Subquery

from healthbank.people.models import Person
from healthbank.records.models import Measurement, Vaccination
from healthbank.records.rules import Window


def latest_measurements(person: Person) -> dict[str, Measurement]:
    """The latest of each kind the person entered (我【最近】的生理量測紀錄), in one query.

    One uncorrelated subquery per kind (evaluated once, down the (person, kind, time) index),
    so the cost does not grow with the person's history.
    """
    latest = Q()
    for kind in Measurement.Kind.values:
        newest = (
            Measurement.objects.filter(person=person, kind=kind)
            .order_by("-measured_at", "-pk")
            .values("pk")[:1]
        )
        latest |= Q(kind=kind, pk=Subquery(newest))
    return {m.kind: m for m in Measurement.objects.filter(latest, person=person)}


def measurement_history(person: Person, since: dt.datetime | None) -> list[Measurement]:
    """The person's own measurements since `since` (all with None), newest sitting first."""
    rows = Measurement.objects.filter(person=person)
    if since is not None:
        rows = rows.filter(measured_at__gte=since)
    return list(rows.order_by("-measured_at", "kind", "pk"))


def measurements_between(person: Person, window: Window) -> list[Measurement]:
    """The person's own measurements taken on the window's days (local time), newest first."""
    return list(
        Measurement.objects.filter(
            person=person,
            measured_at__date__gte=window.start,
            measured_at__date__lte=window.end,
        ).order_by("-measured_at", "kind")
    )


def vaccinations(person: Person, window: Window, order_by: list[str]) -> QuerySet[Vaccination]:
    """預防接種存摺: the person's vaccinations in the window, with vaccine and provider."""
    return (
        Vaccination.objects.filter(
            person=person, given_on__gte=window.start, given_on__lte=window.end
        )
        .select_related("vaccine", "provider")
        .order_by(*order_by, "pk")
    )
