"""What synthetic providers report of themselves (院所資料, the feed's `facility` row): a place
inside their township, opening sessions, departments and, for hospitals, an emergency-care
level; and what their emergency rooms report (`er_load`), for the app's 院所查詢 and 急症處理.

Filled in for providers that have no place yet, so a database seeded before these fields
existed gets them on its next seed (and the benchmark on its next build).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db import transaction
from django.utils import timezone

from healthbank.records import rules
from healthbank.records.models import EmergencyLoad, Provider

Kind = Provider.Kind

# Approximate centres of the built-up part of the townships the synthetic population lives
# in (people/data/SOURCES.md), in degrees, read by hand off OpenStreetMap's map (ODbL); and
# how far from it (km) a synthetic provider may be. Not survey data: for the demo only.
TOWNSHIP_CENTRES: dict[str, tuple[float, float, float]] = {
    "09007010": (26.155, 119.945, 1.0),  # 連江縣南竿鄉
    "09020010": (24.425, 118.318, 1.2),  # 金門縣金城鎮
    "10002010": (24.757, 121.753, 1.5),  # 宜蘭市
    "10004010": (24.838, 121.004, 2.0),  # 竹北市
    "10005050": (24.688, 120.905, 2.0),  # 頭份市
    "10007010": (24.081, 120.538, 2.0),  # 彰化市
    "10008010": (23.910, 120.685, 2.0),  # 南投市
    "10009010": (23.711, 120.544, 2.0),  # 斗六市
    "10010050": (23.551, 120.428, 1.5),  # 民雄鄉
    "10013010": (22.671, 120.488, 2.0),  # 屏東市
    "10014010": (22.756, 121.144, 2.0),  # 臺東市
    "10015010": (23.976, 121.604, 1.5),  # 花蓮市
    "10016010": (23.567, 119.579, 1.5),  # 馬公市
    "10017060": (25.121, 121.720, 1.0),  # 基隆市安樂區
    "10018010": (24.801, 120.971, 1.5),  # 新竹市東區
    "10020020": (23.480, 120.441, 1.2),  # 嘉義市西區
    "63000030": (25.026, 121.543, 1.2),  # 臺北市大安區
    "63000080": (24.989, 121.570, 1.5),  # 臺北市文山區
    "63000100": (25.083, 121.588, 1.5),  # 臺北市內湖區
    "63000110": (25.093, 121.525, 1.5),  # 臺北市士林區
    "63000120": (25.132, 121.501, 1.5),  # 臺北市北投區
    "64000030": (22.687, 120.295, 1.5),  # 高雄市左營區
    "64000040": (22.728, 120.326, 1.5),  # 高雄市楠梓區
    "64000050": (22.648, 120.319, 1.5),  # 高雄市三民區
    "64000120": (22.627, 120.358, 1.5),  # 高雄市鳳山區
    "65000010": (25.011, 121.459, 1.5),  # 新北市板橋區
    "65000020": (25.062, 121.488, 1.2),  # 新北市三重區
    "65000030": (24.999, 121.499, 1.2),  # 新北市中和區
    "65000050": (25.036, 121.450, 1.5),  # 新北市新莊區
    "65000060": (24.968, 121.538, 1.5),  # 新北市新店區
    "65000100": (25.170, 121.441, 1.5),  # 新北市淡水區
    "66000060": (24.181, 120.640, 1.5),  # 臺中市西屯區
    "66000080": (24.182, 120.686, 1.5),  # 臺中市北屯區
    "66000270": (24.127, 120.718, 1.5),  # 臺中市太平區
    "66000280": (24.099, 120.678, 1.5),  # 臺中市大里區
    "67000310": (23.026, 120.257, 1.5),  # 臺南市永康區
    "67000320": (22.982, 120.224, 1.2),  # 臺南市東區
    "67000350": (23.047, 120.185, 2.0),  # 臺南市安南區
    "68000010": (24.993, 121.301, 1.5),  # 桃園市桃園區
    "68000020": (24.965, 121.225, 1.5),  # 桃園市中壢區
    "68000100": (24.946, 121.218, 1.5),  # 桃園市平鎮區
}
EARTH_KM_PER_DEGREE = 111.195

# Departments each kind offers (codes of codes/data/department.csv).
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    Kind.MEDICAL_CENTRE: ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11",
                          "12", "13", "14", "22", "40", "60", "81", "82"),
    Kind.REGIONAL_HOSPITAL: ("01", "02", "03", "04", "05", "06", "09", "10", "12", "14",
                             "22", "40", "82"),
    Kind.DISTRICT_HOSPITAL: ("01", "02", "03", "04", "06", "14", "22"),
    Kind.CLINIC: ("01", "02", "04", "09", "06", "11", "10"),
    Kind.DENTAL_CLINIC: ("40", "50"),
    Kind.TCM_CLINIC: ("60",),
    Kind.HEALTH_STATION: ("01",),
}  # fmt: skip
HOSPITALS = (Kind.MEDICAL_CENTRE, Kind.REGIONAL_HOSPITAL, Kind.DISTRICT_HOSPITAL)
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _sessions(kind: str, rng: random.Random) -> int:
    """Opening sessions as such places keep them: hospitals' outpatient clinics on weekdays
    and Saturday mornings, clinics mostly with evenings and a day or half-day off."""
    names: list[str] = []
    if kind in HOSPITALS:
        names = [f"{d}_{s}" for d in WORKDAYS for s in rules.SESSIONS] + ["sat_morning"]
    elif kind == Kind.HEALTH_STATION:
        names = [f"{d}_{s}" for d in WORKDAYS for s in ("morning", "afternoon")]
    elif kind == Kind.PHARMACY:
        days = [*WORKDAYS, "sat"] + (["sun"] if rng.random() < 0.5 else [])
        names = [f"{d}_{s}" for d in days for s in rules.SESSIONS]
    else:
        off = rng.choice(("sun", "sun", "thu", "wed"))
        for day in (*WORKDAYS, "sat", "sun"):
            if day == off:
                continue
            names.append(f"{day}_morning")
            if day != "sat" or rng.random() < 0.5:
                names.append(f"{day}_afternoon")
            if day not in {"sat", "sun"} and rng.random() < 0.7:
                names.append(f"{day}_evening")
    return rules.sessions_mask(names)


def _emergency_level(kind: str, rng: random.Random) -> str:
    level = Provider.EmergencyLevel
    if kind == Kind.MEDICAL_CENTRE:
        return level.SEVERE
    if kind == Kind.REGIONAL_HOSPITAL:
        return level.SEVERE if rng.random() < 0.3 else level.MODERATE
    if kind == Kind.DISTRICT_HOSPITAL:
        return level.GENERAL
    return ""


def _near(centre: tuple[float, float, float], rng: random.Random) -> tuple[float, float]:
    """A point uniformly within the township's radius of its centre."""
    lat, lon, radius = centre
    distance = radius * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / EARTH_KM_PER_DEGREE
    dlon = distance * math.sin(bearing) / (EARTH_KM_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


@transaction.atomic
def add_facilities(seed: int) -> int:
    """Give every provider without a place one inside its township, with its sessions,
    departments and emergency level. Returns how many were placed."""
    rng = random.Random(f"facilities:{seed}")
    unplaced = list(
        Provider.objects.filter(latitude__isnull=True)
        .exclude(kind=Kind.AGENCY)
        .order_by("pk")
        .only("pk", "kind", "township_id")
    )
    through = Provider.departments.through
    links = []
    for provider in unplaced:
        centre = TOWNSHIP_CENTRES.get(provider.township_id or "")
        if centre is None:
            continue
        provider.latitude, provider.longitude = _near(centre, rng)
        provider.opening_sessions = _sessions(provider.kind, rng)
        provider.emergency_level = _emergency_level(provider.kind, rng)
        offered = DEPARTMENTS.get(provider.kind, ())
        if provider.kind == Kind.CLINIC and offered:
            offered = ("01", *rng.sample(offered[1:], 2))
        links += [through(provider_id=provider.pk, department_id=code) for code in offered]
    Provider.objects.bulk_update(
        unplaced, ["latitude", "longitude", "opening_sessions", "emergency_level"], batch_size=500
    )
    through.objects.bulk_create(links, ignore_conflicts=True, batch_size=2000)
    return sum(1 for p in unplaced if p.latitude is not None)


def add_emergency_loads(seed: int, now: dt.datetime | None = None) -> int:
    """Three reports of the last half hour from each emergency hospital, as their feeds send
    them; one hospital in ten last reported two hours ago (shown as out of date)."""
    now = now or timezone.now()
    rng = random.Random(f"er-loads:{seed}")
    loads = []
    hospitals = Provider.objects.exclude(emergency_level="").order_by("pk")
    for provider in hospitals.only("pk", "emergency_level"):
        size = {"severe": 40, "moderate": 20, "general": 8}[provider.emergency_level]
        silent = rng.random() < 0.1
        for step in range(3):
            minutes = (120 if silent else rng.randint(1, 8)) + step * 10
            at = now - dt.timedelta(minutes=minutes)
            loads.append(
                EmergencyLoad(
                    provider_id=provider.pk,
                    source_id=f"ER-{at:%Y%m%d%H%M}",
                    reported_at=at,
                    waiting_to_be_seen=rng.randint(0, size // 2),
                    waiting_for_bed=rng.randint(0, size // 4),
                    waiting_for_admission=rng.randint(0, size),
                )
            )
    EmergencyLoad.objects.bulk_create(loads, ignore_conflicts=True)
    return len(loads)
