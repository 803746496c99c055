"""The synthetic care network and employers: providers and insured units per township.

Made once per database, the first time a population is seeded, and reused after.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from healthbank.ingest.rules import AGENCY_CODES
from healthbank.people.models import InsuredUnit, Township
from healthbank.records.models import Provider
from healthbank.synth.streets import street_address

Kind = Provider.Kind

# Outpatient places per township, and hospitals per county.
PER_TOWNSHIP = {
    Kind.CLINIC: 8,
    Kind.DENTAL_CLINIC: 4,
    Kind.TCM_CLINIC: 3,
    Kind.PHARMACY: 5,
    Kind.HEALTH_STATION: 1,
}
# Digit that follows the area code in a provider code, by kind (hospitals 1, clinics 3 ...).
KIND_DIGIT: dict[str, str] = {
    Kind.MEDICAL_CENTRE: "1",
    Kind.REGIONAL_HOSPITAL: "1",
    Kind.DISTRICT_HOSPITAL: "1",
    Kind.CLINIC: "3",
    Kind.DENTAL_CLINIC: "4",
    Kind.TCM_CLINIC: "6",
    Kind.PHARMACY: "5",
    Kind.HEALTH_STATION: "2",
    Kind.AGENCY: "9",
}
CLINIC_NAMES = (
    "仁愛", "安康", "康寧", "博愛", "慈心", "永康", "信義", "和平", "德恩", "長青", "佳音",
    "光明", "福安", "惠民", "明德", "祥和", "健安", "家庭", "中山", "文化", "育仁", "晨光",
)  # fmt: skip
SUFFIX = {
    Kind.CLINIC: ("診所", "內科診所", "家庭醫學科診所", "耳鼻喉科診所", "小兒科診所", "骨科診所"),
    Kind.DENTAL_CLINIC: ("牙醫診所",),
    Kind.TCM_CLINIC: ("中醫診所",),
    Kind.PHARMACY: ("藥局", "健保藥局"),
}
EMPLOYER_WORDS = (
    "科技", "電子", "精密", "食品", "貿易", "建設", "物流", "紡織", "光電", "生技", "機械",
    "塑膠", "化學", "資訊", "金屬", "餐飲", "企業", "實業", "工業", "開發",
)  # fmt: skip


@dataclass(frozen=True)
class Network:
    providers: dict[str, dict[str, list[int]]]  # township -> kind -> provider ids
    hospitals: dict[str, list[tuple[int, str]]]  # county -> (provider id, kind)
    agencies: dict[str, int]  # "cdc", "hpa", "mohw" -> provider id
    employers: dict[str, list[int]]  # township -> unit ids (category 1)
    unions: dict[str, int]  # township -> unit id (category 2)
    farmers: dict[str, int]  # township -> unit id (category 3)
    offices: dict[str, int]  # township -> unit id (category 6, the township office)


def _phone(rng: random.Random, area: str) -> str:
    return f"({area}){rng.randint(2000, 8999)}-{rng.randint(0, 9999):04d}"


AREA_CODES = {
    "63000": "02",
    "65000": "02",
    "10017": "02",
    "68000": "03",
    "66000": "04",
    "67000": "06",
    "64000": "07",
    "10002": "03",
    "10004": "03",
    "10018": "03",
    "10005": "037",
    "10007": "04",
    "10008": "049",
    "10009": "05",
    "10010": "05",
    "10020": "05",
    "10013": "08",
    "10014": "089",
    "10015": "03",
    "10016": "06",
    "09020": "082",
    "09007": "0836",
}


def build_network(townships: list[str], seed: int) -> Network:
    """Create providers and units for these townships (and their counties) if none exist."""
    if not Provider.objects.exists():
        _create(townships, random.Random(f"network:{seed}"))
    return _load(townships)


AGENCY_NAMES = {
    "cdc": "衛生福利部疾病管制署",
    "hpa": "衛生福利部國民健康署",
    "mohw": "衛生福利部醫事司",
}
HOSPITAL_KINDS = (Kind.MEDICAL_CENTRE, Kind.REGIONAL_HOSPITAL, Kind.DISTRICT_HOSPITAL)


def _create(townships: list[str], rng: random.Random) -> None:
    towns = Township.objects.filter(code__in=townships).select_related("county")
    town_rows = {t.code: t for t in towns}
    counties = sorted({t.county for t in town_rows.values()}, key=lambda c: c.code)
    providers: list[Provider] = []

    def provider(kind: str, name: str, town: Township, code: str = "") -> None:
        area = AREA_CODES.get(town.county_id, "02")
        serial = len(providers) + 1
        providers.append(
            Provider(
                code=code or f"{int(town.county_id[:2]):02d}{KIND_DIGIT[kind]}{serial:07d}",
                name=name,
                kind=kind,
                county=town.county,
                township=town,
                phone=_phone(rng, area),
                address=f"{town.county.name_zh}{town.name_zh}{street_address(rng, town.code)}",
            )
        )

    for county in counties:
        town = next(t for t in town_rows.values() if t.county_id == county.code)
        short = county.name_zh.removesuffix("市").removesuffix("縣")
        if county.code in {"63000", "64000", "66000", "67000"}:
            provider(Kind.MEDICAL_CENTRE, f"{short}榮民總醫院", town)
            provider(Kind.MEDICAL_CENTRE, f"{short}醫學大學附設醫院", town)
        provider(Kind.REGIONAL_HOSPITAL, f"衛生福利部{short}醫院", town)
        provider(Kind.REGIONAL_HOSPITAL, f"{short}基督教醫院", town)
        provider(Kind.DISTRICT_HOSPITAL, f"{short}仁愛醫院", town)
    for code in townships:
        town = town_rows[code]
        for kind, count in PER_TOWNSHIP.items():
            for _ in range(count):
                if kind == Kind.HEALTH_STATION:
                    name = f"{town.county.name_zh}{town.name_zh}衛生所"
                else:
                    name = f"{rng.choice(CLINIC_NAMES)}{rng.choice(SUFFIX[kind])}"
                provider(kind, name, town)
    # The agencies sit in Taipei (63000) when it is among the townships.
    capital = next(
        (t for t in town_rows.values() if t.county_id == "63000"), town_rows[townships[0]]
    )
    for key, code in AGENCY_CODES.items():
        provider(Kind.AGENCY, AGENCY_NAMES[key], capital, code)
    Provider.objects.bulk_create(providers)

    units: list[InsuredUnit] = []

    def unit(kind: str, name: str, town: Township) -> None:
        units.append(
            InsuredUnit(
                code=f"{len(units) + 1:09d}",
                name=name,
                kind=kind,
                phone=_phone(rng, AREA_CODES.get(town.county_id, "02")),
                address=f"{town.county.name_zh}{town.name_zh}{street_address(rng, town.code)}",
                township=town,
            )
        )

    Unit = InsuredUnit.Kind
    for code in townships:
        town = town_rows[code]
        for _ in range(12):
            word = rng.choice(EMPLOYER_WORDS)
            form = rng.choice(("股份有限公司", "有限公司"))
            unit(Unit.EMPLOYER, f"{rng.choice(CLINIC_NAMES)}{word}{form}", town)
        unit(Unit.UNION, f"{town.county.name_zh}{town.name_zh}職業工會", town)
        unit(Unit.FARMERS, f"{town.name_zh}農會", town)
        unit(Unit.OFFICE, f"{town.county.name_zh}{town.name_zh}公所", town)
    InsuredUnit.objects.bulk_create(units)


def _load(townships: list[str]) -> Network:
    providers: dict[str, dict[str, list[int]]] = {t: {} for t in townships}
    hospitals: dict[str, list[tuple[int, str]]] = {}
    rows = Provider.objects.order_by("id").values_list("id", "kind", "county_id", "township_id")
    for pid, kind, county, town in rows:
        if kind in HOSPITAL_KINDS:
            hospitals.setdefault(county, []).append((pid, kind))
        elif kind != Kind.AGENCY and town in providers:
            providers[town].setdefault(kind, []).append(pid)
    agencies = dict(
        Provider.objects.filter(code__in=AGENCY_CODES.values()).values_list("code", "id")
    )
    employers: dict[str, list[int]] = {t: [] for t in townships}
    by_kind: dict[str, dict[str, int]] = {k: {} for k in InsuredUnit.Kind.values}
    units = InsuredUnit.objects.filter(township__in=townships).order_by("id")
    for uid, kind, town in units.values_list("id", "kind", "township_id"):
        if kind == InsuredUnit.Kind.EMPLOYER:
            employers[town].append(uid)
        else:
            by_kind[kind][town] = uid
    return Network(
        providers=providers,
        hospitals=hospitals,
        agencies={key: agencies[code] for key, code in AGENCY_CODES.items()},
        employers=employers,
        unions=by_kind[InsuredUnit.Kind.UNION],
        farmers=by_kind[InsuredUnit.Kind.FARMERS],
        offices=by_kind[InsuredUnit.Kind.OFFICE],
    )
