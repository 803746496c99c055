"""Public reads of providers (院所查詢) and emergency care (急症處理): the app's provider
search, the nearest emergency-responsible hospitals and their emergency rooms' latest load.

Nothing here is personal: no person is taken. The search near a place filters on a bounding
box over the indexed (latitude, longitude) in the database, then orders the few rows left by
the exact great-circle distance here.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from healthbank.records import rules
from healthbank.records.models import EmergencyLoad, FirstAidGuide, Provider

EARTH_RADIUS_KM = 6371.0088
# What "hospital" means as a search kind: the three hospital levels (醫院層級).
HOSPITAL_KINDS = (
    Provider.Kind.MEDICAL_CENTRE,
    Provider.Kind.REGIONAL_HOSPITAL,
    Provider.Kind.DISTRICT_HOSPITAL,
)
# The kinds a person searches for (not the agencies, which give no care).
SEARCH_KINDS = tuple(k for k in Provider.Kind.values if k != Provider.Kind.AGENCY)


@dataclass(frozen=True)
class Place:
    """A point on the map, in degrees (WGS 84, what a phone's location gives)."""

    latitude: float
    longitude: float

    def is_valid(self) -> bool:
        return (
            math.isfinite(self.latitude)
            and math.isfinite(self.longitude)
            and -90 <= self.latitude <= 90
            and -180 <= self.longitude <= 180
        )


def bounding_box(place: Place, radius_km: float) -> tuple[float, float, float, float]:
    """South, north, west and east edges of a box that holds every point within radius_km."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(place.latitude)), 0.01)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat))
    return (
        place.latitude - dlat,
        place.latitude + dlat,
        place.longitude - dlon,
        place.longitude + dlon,
    )


def haversine_km(a: Place, b: Place) -> float:
    """The great-circle distance between two places (for tests and checks in Python)."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Found:
    """One page of a search: the rows (near a place, each with `distance_km`) and how many
    match in all."""

    count: int
    rows: list[Provider]


def _listed() -> QuerySet[Provider]:
    """Providers as lists show them: places joined, and `accepts_vcard` (the virtual card
    app's table, joined by its relation's name)."""
    return Provider.objects.select_related("county", "township").annotate(
        accepts_vcard=ExpressionWrapper(Q(vcard_site__isnull=False), output_field=BooleanField())
    )


def _by_distance(
    found: QuerySet[Provider], place: Place, radius_km: float | None
) -> list[tuple[float, int]]:
    """(distance, id) of the providers within radius_km of place (all, if None), nearest
    first: the bounding box on the indexed coordinates in the database, the exact distance
    of the few rows left here."""
    if radius_km is not None:
        south, north, west, east = bounding_box(place, radius_km)
        found = found.filter(latitude__range=(south, north), longitude__range=(west, east))
    else:
        found = found.filter(latitude__isnull=False, longitude__isnull=False)
    near = []
    for pk, latitude, longitude in found.values_list("pk", "latitude", "longitude"):
        if latitude is None or longitude is None:  # a range filter never lets one through
            continue
        distance = haversine_km(place, Place(latitude, longitude))
        if radius_km is None or distance <= radius_km:
            near.append((distance, pk))
    near.sort()
    return near


def _page(near: list[tuple[float, int]]) -> list[Provider]:
    """The providers of (distance, id) pairs, in their order, each with `distance_km`."""
    rows = _listed().in_bulk([pk for _, pk in near])
    page = []
    for distance, pk in near:
        row = rows[pk]
        row.distance_km = distance  # type: ignore[attr-defined]
        page.append(row)
    return page


def search_providers(
    *,
    kinds: Collection[str] = (),
    department: str = "",
    county: str = "",
    township: str = "",
    query: str = "",
    weekday: int | None = None,
    session: str = "",
    virtual_card: bool = False,
    near: Place | None = None,
    radius_km: float = rules.NEAR_RADIUS_KM,
    limit: int = rules.PROVIDER_PAGE,
    offset: int = 0,
) -> Found:
    """院所查詢: providers by kind (a hospital level, clinic, dental, Chinese medicine,
    pharmacy), department, county and township, name or code, open on a weekday (Monday 0)
    and session, accepting the virtual card. Near a place: only those within radius_km,
    nearest first, each with `distance_km`; else by county, township and name. Two queries."""
    nothing = Found(0, [])
    found = Provider.objects.exclude(kind=Provider.Kind.AGENCY)
    wanted = [k for k in kinds if k in SEARCH_KINDS]
    if kinds and not wanted:
        return nothing
    if wanted:
        found = found.filter(kind__in=wanted)
    if department:
        found = found.filter(departments=department)
    if county:
        found = found.filter(county_id=county)
    if township:
        found = found.filter(township_id=township)
    query = query.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if query:
        found = found.filter(Q(name__icontains=query) | Q(code=query))
    if session and session not in rules.SESSIONS:
        return nothing
    bits = _bits(weekday, session)
    if bits is None:
        return nothing
    if bits:
        found = found.alias(open_bits=F("opening_sessions").bitand(bits)).filter(open_bits__gt=0)
    if virtual_card:
        found = found.filter(vcard_site__isnull=False)
    if near is not None:
        if not near.is_valid():
            return nothing
        ranked = _by_distance(found, near, radius_km)
        return Found(len(ranked), _page(ranked[offset : offset + limit]))
    order = ("county_id", "township_id", "name", "pk")
    rows = _listed().filter(pk__in=found.values("pk")).order_by(*order)
    return Found(found.count(), list(rows[offset : offset + limit]))


def _bits(weekday: int | None, session: str) -> int | None:
    """The opening bits a day and session ask for: 0 when neither is asked, None if invalid.
    A day alone means any session of it; a session alone, that session on any day."""
    if weekday is not None and not 0 <= weekday < len(rules.WEEKDAYS):
        return None
    days = range(len(rules.WEEKDAYS)) if weekday is None else [weekday]
    sessions = rules.SESSIONS if not session else (session,)
    if weekday is None and not session:
        return 0
    return sum(rules.session_bit(d, s) for d in days for s in sessions)


def emergency_hospitals(
    *, near: Place | None = None, county: str = "", limit: int = rules.EMERGENCY_HOSPITALS_SHOWN
) -> list[Provider]:
    """急救責任醫院: near a place, the nearest (however far: an island's nearest may be
    across the sea), each with `distance_km`; else those of a county, most capable first.
    Hospitals only, whatever level another kind of provider was given."""
    # Only hospitals are designated (MOHW): a level on a clinic or pharmacy is a slip.
    found = Provider.objects.exclude(emergency_level="").filter(kind__in=HOSPITAL_KINDS)
    if near is not None:
        if not near.is_valid():
            return []
        return _page(_by_distance(found, near, None)[:limit])
    if county:
        found = found.filter(county_id=county)
    level_order = {level: i for i, level in enumerate(Provider.EmergencyLevel.values)}
    rows = list(_listed().filter(pk__in=found.values("pk")).order_by("name", "pk"))
    rows.sort(key=lambda p: level_order.get(p.emergency_level, 9))
    return rows if county else rows[:limit]


def latest_loads(provider_ids: Iterable[int]) -> dict[int, EmergencyLoad]:
    """Each hospital's latest emergency-room report, in one query."""
    ids = list(provider_ids)
    if not ids:
        return {}
    newest = (
        EmergencyLoad.objects.filter(provider=OuterRef("provider"))
        .order_by("-reported_at", "-pk")
        .values("pk")[:1]
    )
    rows = EmergencyLoad.objects.filter(provider__in=ids, pk=Subquery(newest))
    return {row.provider_id: row for row in rows}


def first_aid_guides() -> QuerySet[FirstAidGuide]:
    """The published first-aid guides, in the order staff gave them."""
    return FirstAidGuide.objects.filter(published=True).order_by("position", "slug")
