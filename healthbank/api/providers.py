"""院所查詢 and 急症處理 in the app's API: provider search, the nearest emergency hospitals with
their emergency rooms' load, and first-aid guides. Public: no sign-in.

A phone's position travels only in a POST body, never in a URL, so no access log holds it;
it is used for the one query and not kept.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.errors import ValidationError
from pydantic import BeforeValidator, StrictBool

from healthbank.codes.models import Department
from healthbank.core.http import page_bounds
from healthbank.core.schemas import NO_NUL, Body, ErrorOut, JsonFloat, JsonInt, json_number
from healthbank.people.models import County, Township
from healthbank.records import rules
from healthbank.records.models import EmergencyLoad, Provider
from healthbank.records.selectors import providers as selectors
from healthbank.records.selectors.providers import Place

router = Router(tags=["providers"])
ERRORS = {400: ErrorOut}

Kind = Provider.Kind
# What the app offers to search for: the hospital levels, then the other kinds.
KIND_CHOICES = Literal[
    "medical_centre",
    "regional_hospital",
    "district_hospital",
    "clinic",
    "dental_clinic",
    "tcm_clinic",
    "pharmacy",
    "health_station",
]
SESSION_LABELS = {
    "morning": _("Morning"),
    "afternoon": _("Afternoon"),
    "evening": _("Evening"),
}
DAY_LABELS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class Position(Schema):
    latitude: JsonFloat = Field(ge=-90, le=90)
    longitude: JsonFloat = Field(ge=-180, le=180)


class SearchIn(Body):
    kinds: list[KIND_CHOICES] = Field(default=[], max_length=8)
    department: str = Field(default="", max_length=12, pattern=NO_NUL)
    county: str = Field(default="", max_length=5, pattern=r"^[0-9]*$")
    township: str = Field(default="", max_length=8, pattern=r"^[0-9]*$")
    q: str = Field(default="", max_length=50, description="name or provider code")
    weekday: Annotated[int, Field(ge=0, le=6), BeforeValidator(json_number)] | None = Field(
        default=None, description="Monday 0"
    )
    session: Literal["", "morning", "afternoon", "evening"] = ""
    virtual_card: StrictBool = False
    near: Position | None = Field(default=None, description="the phone's position, not kept")
    limit: JsonInt = Field(default=rules.PROVIDER_PAGE, ge=1, le=100)
    offset: JsonInt = Field(default=0, ge=0, le=10_000)


class ProviderOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    county: str
    township: str
    address: str
    phone: str
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    sessions: list[str] = Field(description="the sessions it is open: mon_morning ...")
    open_now: bool
    virtual_card: bool
    emergency_level: str
    emergency_level_label: str


class SearchOut(Schema):
    count: int
    results: list[ProviderOut]


class Option(Schema):
    code: str
    label: str


class TownshipOption(Option):
    county: str


class OptionsOut(Schema):
    kinds: list[Option]
    counties: list[Option]
    townships: list[TownshipOption]
    departments: list[Option]
    days: list[Option]
    sessions: list[Option]
    now: dict[str, Any] = Field(description="{weekday, session}: today's, for the defaults")


class EmergencyIn(Body):
    near: Position | None = Field(default=None, description="the phone's position, not kept")
    county: str = Field(default="", max_length=5, pattern=r"^[0-9]*$")


class LoadOut(Schema):
    reported_at: Any = Field(description="ISO 8601 time of the count")
    minutes_ago: int
    stale: bool
    waiting_to_be_seen: int
    waiting_for_bed: int
    waiting_for_admission: int


class HospitalOut(ProviderOut):
    load: LoadOut | None


class EmergencyOut(Schema):
    hospitals: list[HospitalOut]
    stale_after_minutes: int


class GuideOut(Schema):
    slug: str
    title: str
    steps: list[str]


def _english() -> bool:
    return not (get_language() or "").startswith("zh")


def _place_name(place: County | Township | None) -> str:
    if place is None:
        return ""
    return place.name_en if _english() else place.name_zh


class _Shown:
    """How a provider reads in the app, with the labels looked up once a request."""

    def __init__(self) -> None:
        weekday, session = rules.session_at(timezone.localtime())
        self.now_bit = rules.session_bit(weekday, session)
        self.kinds = {k: str(label) for k, label in Kind.choices}
        self.levels = {k: str(label) for k, label in Provider.EmergencyLevel.choices}
        self.english = _english()

    def place(self, place: County | Township | None) -> str:
        if place is None:
            return ""
        return place.name_en if self.english else place.name_zh

    def provider(self, provider: Provider) -> dict[str, Any]:
        distance = getattr(provider, "distance_km", None)
        return {
            "code": provider.code,
            "name": provider.name,
            "kind": provider.kind,
            "kind_label": self.kinds.get(provider.kind, ""),
            "county": self.place(provider.county),
            "township": self.place(provider.township),
            "address": provider.address,
            "phone": provider.phone,
            "latitude": provider.latitude,
            "longitude": provider.longitude,
            "distance_km": None if distance is None else round(distance, 2),
            "sessions": rules.session_names(provider.opening_sessions),
            "open_now": bool(provider.opening_sessions & self.now_bit),
            "virtual_card": bool(getattr(provider, "accepts_vcard", False)),
            "emergency_level": provider.emergency_level,
            "emergency_level_label": self.levels.get(provider.emergency_level, ""),
        }


def _require_object(request: HttpRequest) -> None:
    """A body whose fields all have defaults is read from anything; only an object is one."""
    try:
        parsed = json.loads(request.body or b"null")
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValidationError([{"loc": ["body"], "msg": "the body must be a JSON object"}])


@router.post("/providers/search", auth=None, response={200: SearchOut, **ERRORS})
def search(request: HttpRequest, body: SearchIn) -> dict[str, Any]:
    """院所查詢: providers by kind, department, place, name or code, opening session and the
    virtual card; with `near`, those within 30 km, nearest first."""
    _require_object(request)
    limit, offset = page_bounds(body.limit, body.offset, most=100)
    found = selectors.search_providers(
        kinds=body.kinds,
        department=body.department,
        county=body.county,
        township=body.township,
        query=body.q,
        weekday=body.weekday,
        session=body.session,
        virtual_card=body.virtual_card,
        near=None if body.near is None else Place(body.near.latitude, body.near.longitude),
        limit=limit,
        offset=offset,
    )
    shown = _Shown()
    return {"count": found.count, "results": [shown.provider(p) for p in found.rows]}


@router.get("/providers/options", auth=None, response={200: OptionsOut, **ERRORS})
def options(request: HttpRequest) -> dict[str, Any]:
    """What the search form offers: kinds, counties and townships with providers,
    departments, days and sessions."""
    searched = Provider.objects.exclude(kind=Kind.AGENCY)
    counties = County.objects.filter(pk__in=searched.values("county_id")).order_by("code")
    towns = Township.objects.filter(pk__in=searched.values("township_id")).order_by("code")
    weekday, session = rules.session_at(timezone.localtime())
    return {
        "kinds": [{"code": k, "label": str(Kind(k).label)} for k in selectors.SEARCH_KINDS],
        "counties": [{"code": c.code, "label": _place_name(c)} for c in counties],
        "townships": [
            {"code": t.code, "label": _place_name(t), "county": t.county_id} for t in towns
        ],
        "departments": [{"code": d.code, "label": d.name} for d in Department.objects.all()],
        "days": [{"code": str(i), "label": str(label)} for i, label in enumerate(DAY_LABELS)],
        "sessions": [{"code": s, "label": str(SESSION_LABELS[s])} for s in rules.SESSIONS],
        "now": {"weekday": weekday, "session": session},
    }


def _load(load: EmergencyLoad | None, now: dt.datetime) -> dict[str, Any] | None:
    if load is None:
        return None
    age = now - load.reported_at
    return {
        "reported_at": load.reported_at,
        "minutes_ago": max(0, int(age.total_seconds() // 60)),
        "stale": age > rules.EMERGENCY_LOAD_STALE_AFTER,
        "waiting_to_be_seen": load.waiting_to_be_seen,
        "waiting_for_bed": load.waiting_for_bed,
        "waiting_for_admission": load.waiting_for_admission,
    }


@router.post("/emergency", auth=None, response={200: EmergencyOut, **ERRORS})
def emergency(request: HttpRequest, body: EmergencyIn) -> dict[str, Any]:
    """急症處理: the nearest emergency-responsible hospitals (or a county's), each with its
    emergency room's latest reported load."""
    _require_object(request)
    near = None if body.near is None else Place(body.near.latitude, body.near.longitude)
    hospitals = selectors.emergency_hospitals(near=near, county=body.county)
    loads = selectors.latest_loads(h.pk for h in hospitals)
    now, shown = timezone.now(), _Shown()
    return {
        "hospitals": [
            {**shown.provider(h), "load": _load(loads.get(h.pk), now)} for h in hospitals
        ],
        "stale_after_minutes": int(rules.EMERGENCY_LOAD_STALE_AFTER.total_seconds() // 60),
    }


@router.get("/first-aid", auth=None, response={200: list[GuideOut], **ERRORS})
def first_aid(request: HttpRequest) -> list[dict[str, Any]]:
    """First-aid guides for common emergencies, one step a line; always call 119 first."""
    english = _english()
    return [
        {
            "slug": guide.slug,
            "title": guide.title_en if english else guide.title_zh,
            "steps": [
                line.strip()
                for line in (guide.body_en if english else guide.body_zh).splitlines()
                if line.strip()
            ],
        }
        for guide in selectors.first_aid_guides()
    ]
