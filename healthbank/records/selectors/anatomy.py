"""Dental visits by tooth and surgeries by body site (牙醫門診資料, 手術資料): one person's rows
in a window, for the tooth charts and the body figure."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from healthbank.codes.models import BodySite, ToothPosition
from healthbank.people.models import Person
from healthbank.records.models import ServiceOrder, Surgery, Visit
from healthbank.records.rules import Window


def tooth_positions() -> dict[str, ToothPosition]:
    """Every FDI tooth position by code (a code table: 52 rows, no personal data)."""
    return {tooth.code: tooth for tooth in ToothPosition.objects.all()}


def body_sites() -> dict[str, BodySite]:
    """Every body site by code (a code table, no personal data)."""
    return {site.code: site for site in BodySite.objects.all()}


def _dental_orders(person: Person, window: Window) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(
        person=person,
        tooth__isnull=False,
        visit__person=person,
        visit__kind=Visit.Kind.DENTAL,
        visit__visit_date__range=(window.start, window.end),
    )


def dental_visits_by_tooth(person: Person, window: Window) -> dict[str, int]:
    """How many dental visits in the window had an order on each tooth (teeth without any
    are left out): the ● of the seed's tooth chart."""
    rows = (
        _dental_orders(person, window)
        .values("tooth")
        .annotate(visits=Count("visit", distinct=True))
        .order_by()
    )
    return {row["tooth"]: row["visits"] for row in rows}


def dental_visits(
    person: Person, window: Window, *, tooth: str | None, order_by: Sequence[str]
) -> list[Visit]:
    """The person's dental visits in the window, each with `.teeth` (the tooth codes its
    orders name, sorted); with `tooth`, only the visits with an order on that tooth."""
    visits = Visit.objects.filter(
        person=person,
        kind=Visit.Kind.DENTAL,
        visit_date__range=(window.start, window.end),
    )
    if tooth:
        on_tooth = ServiceOrder.objects.filter(person=person, visit=OuterRef("pk"), tooth=tooth)
        visits = visits.filter(Exists(on_tooth))
    toothed = ServiceOrder.objects.filter(person=person, tooth__isnull=False).only(
        "visit_id", "tooth_id"
    )
    rows = list(
        visits.select_related("provider", "primary_diagnosis")
        .prefetch_related(Prefetch("service_orders", queryset=toothed, to_attr="toothed"))
        .order_by(*order_by, "-pk")
    )
    for visit in rows:
        visit.teeth = sorted({order.tooth_id for order in visit.toothed})  # type: ignore[attr-defined]
    return list(rows)


def surgery_counts(person: Person, window: Window) -> dict[str, int]:
    """How many surgeries in the window were done on each body site, by site code."""
    rows = (
        Surgery.objects.filter(person=person, performed_on__range=(window.start, window.end))
        .values("body_site")
        .annotate(surgeries=Count("id"))
        .order_by()
    )
    return {row["body_site"]: row["surgeries"] for row in rows}


def surgeries(
    person: Person,
    window: Window,
    *,
    sites: Sequence[str] | None,
    order_by: Sequence[str],
) -> list[Surgery]:
    """The person's surgeries done in the window, with their visit (dates, provider,
    copayment, points), service and body site; with `sites`, only those on these site codes."""
    rows = Surgery.objects.filter(
        person=person, performed_on__range=(window.start, window.end), visit__person=person
    )
    if sites is not None:
        rows = rows.filter(body_site__in=sites)
    return list(
        rows.select_related("visit__provider", "service", "body_site").order_by(*order_by, "-pk")
    )
