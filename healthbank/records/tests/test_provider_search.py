"""院所查詢 and 急症處理 selectors: filters, distance order, opening sessions, the virtual
card, emergency hospitals and their latest emergency-room load."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from healthbank.people.models import Township
from healthbank.records import rules
from healthbank.records.models import EmergencyLoad, FirstAidGuide, Provider
from healthbank.records.selectors import providers as search
from healthbank.records.selectors.providers import Place
from healthbank.records.tests.factories import ProviderFactory
from healthbank.vcard.models import AcceptingSite

pytestmark = pytest.mark.django_db
Kind = Provider.Kind
# Taipei Main Station, and places at known distances from it.
STATION = Place(25.0478, 121.5170)
HOSPITAL = Kind.REGIONAL_HOSPITAL


def at(place: Place, **fields) -> Provider:
    return ProviderFactory(latitude=place.latitude, longitude=place.longitude, **fields)


def names(found) -> list[str]:
    rows = found.rows if isinstance(found, search.Found) else found
    return [p.name for p in rows]


def test_near_me_lists_the_nearest_first_and_leaves_out_the_far():
    at(Place(25.0330, 121.5654), name="Taipei 101")  # about 5.2 km
    at(Place(25.0495, 121.5190), name="Next door")  # about 0.3 km
    at(Place(25.0136, 121.4637), name="Banqiao")  # about 6.7 km
    at(Place(22.6273, 120.3014), name="Kaohsiung")  # about 300 km: outside the radius
    ProviderFactory(name="Nowhere")  # no coordinates yet
    result = search.search_providers(near=STATION)
    found = result.rows
    assert (names(found), result.count) == (["Next door", "Taipei 101", "Banqiao"], 3)
    assert [round(p.distance_km, 1) for p in found] == [
        round(search.haversine_km(STATION, Place(p.latitude, p.longitude)), 1) for p in found
    ]
    assert 0.2 < found[0].distance_km < 0.4
    assert 5.0 < found[1].distance_km < 5.5


def test_the_bounding_box_holds_every_point_of_the_radius():
    south, north, west, east = search.bounding_box(STATION, 10)
    for bearing_point in (
        Place(north - 1e-6, STATION.longitude),
        Place(STATION.latitude, east - 1e-6),
        Place(south + 1e-6, STATION.longitude),
    ):
        assert search.haversine_km(STATION, bearing_point) <= 10.0001


def test_kind_department_place_and_name_filters():
    towns = list(Township.objects.order_by("code")[:2])
    hospital = ProviderFactory(name="仁愛醫院", kind=Kind.REGIONAL_HOSPITAL, township=towns[0])
    hospital.departments.add("02", "22")
    clinic = ProviderFactory(name="安康牙醫診所", kind=Kind.DENTAL_CLINIC, township=towns[1])
    ProviderFactory(name="衛生福利部醫事司", kind=Kind.AGENCY, township=towns[0])
    assert names(search.search_providers(kinds=[Kind.REGIONAL_HOSPITAL])) == ["仁愛醫院"]
    assert names(search.search_providers(department="22")) == ["仁愛醫院"]
    assert names(search.search_providers(township=towns[1].code)) == ["安康牙醫診所"]
    assert (
        names(search.search_providers(county=towns[0].county_id))
        == [
            "仁愛醫院",
            "安康牙醫診所",
        ][: 2 if towns[0].county_id == towns[1].county_id else 1]
    )
    assert names(search.search_providers(query="牙醫")) == ["安康牙醫診所"]
    assert names(search.search_providers(query=clinic.code)) == ["安康牙醫診所"]
    # Agencies give no care: never found, even by name or asked for.
    assert names(search.search_providers(query="醫事司")) == []
    assert names(search.search_providers(kinds=[Kind.AGENCY])) == []
    assert names(search.search_providers(kinds=["nonsense"])) == []


def test_open_on_a_day_and_session():
    mornings = rules.sessions_mask(["mon_morning", "tue_morning"])
    ProviderFactory(name="Mornings", opening_sessions=mornings)
    ProviderFactory(name="Monday evening", opening_sessions=rules.sessions_mask(["mon_evening"]))
    ProviderFactory(name="Never said")
    assert names(search.search_providers(weekday=0, session="morning")) == ["Mornings"]
    assert names(search.search_providers(weekday=0, session="evening")) == ["Monday evening"]
    assert names(search.search_providers(weekday=0)) == ["Monday evening", "Mornings"]
    assert names(search.search_providers(session="morning")) == ["Mornings"]
    assert names(search.search_providers(weekday=2)) == []
    assert names(search.search_providers(weekday=7)) == []
    assert names(search.search_providers(session="night")) == []


def test_accepting_the_virtual_card():
    accepting = ProviderFactory(name="Accepts")
    ProviderFactory(name="Does not")
    AcceptingSite.objects.create(provider=accepting, outpatient=True)
    assert names(search.search_providers(virtual_card=True)) == ["Accepts"]


def test_a_page_of_the_nearest_in_two_queries(django_assert_num_queries):
    for i in range(5):
        at(Place(25.0478 + i * 0.001, 121.5170), name=f"P{i}")
    with django_assert_num_queries(2):
        page = search.search_providers(near=STATION, limit=2, offset=1)
    assert (names(page), page.count) == (["P1", "P2"], 5)
    with django_assert_num_queries(2):
        page = search.search_providers(query="P", limit=2, offset=3)
    assert (names(page), page.count) == (["P3", "P4"], 5)


def test_filters_combine_with_near_me():
    near = at(Place(25.0495, 121.5190), name="Near clinic", kind=Kind.CLINIC)
    at(Place(25.0480, 121.5175), name="Near pharmacy", kind=Kind.PHARMACY)
    near.opening_sessions = rules.sessions_mask(["fri_evening"])
    near.save()
    found = search.search_providers(kinds=[Kind.CLINIC], weekday=4, session="evening", near=STATION)
    assert names(found) == ["Near clinic"]
    assert names(search.search_providers(near=Place(float("nan"), 121.5))) == []


def test_session_rules_read_both_ways():
    assert rules.session_names(rules.sessions_mask(["sun_evening", "mon_morning"])) == [
        "mon_morning",
        "sun_evening",
    ]
    assert rules.session_at(dt.datetime(2026, 12, 7, 11, 59, tzinfo=dt.UTC)) == (0, "morning")
    assert rules.session_at(dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)) == (0, "afternoon")
    assert rules.session_at(dt.datetime(2026, 12, 13, 19, 30, tzinfo=dt.UTC)) == (6, "evening")


def test_emergency_hospitals_nearest_first_with_their_latest_load():
    far = at(Place(24.1477, 120.6736), name="Taichung", emergency_level="severe", kind=HOSPITAL)
    near = at(Place(25.0400, 121.5200), name="Near", emergency_level="moderate", kind=HOSPITAL)
    at(Place(25.0478, 121.5171), name="Clinic next door")  # no emergency care
    now = timezone.now()
    for minutes, waiting in ((20, 3), (2, 9), (60, 1)):
        EmergencyLoad.objects.create(
            provider=near,
            source_id=f"R{minutes}",
            reported_at=now - dt.timedelta(minutes=minutes),
            waiting_to_be_seen=waiting,
            waiting_for_bed=0,
            waiting_for_admission=0,
        )
    found = search.emergency_hospitals(near=STATION)
    assert names(found) == ["Near", "Taichung"]
    loads = search.latest_loads(p.pk for p in found)
    assert set(loads) == {near.pk}
    assert loads[near.pk].waiting_to_be_seen == 9
    assert far.pk not in loads


def test_latest_loads_is_one_query(django_assert_num_queries):
    hospitals = [ProviderFactory(emergency_level="general") for _ in range(3)]
    for i, hospital in enumerate(hospitals):
        EmergencyLoad.objects.create(
            provider=hospital,
            source_id="x",
            reported_at=timezone.now(),
            waiting_to_be_seen=i,
            waiting_for_bed=i,
            waiting_for_admission=i,
        )
    with django_assert_num_queries(1):
        loads = search.latest_loads(h.pk for h in hospitals)
    assert sorted(load.waiting_for_bed for load in loads.values()) == [0, 1, 2]


def test_emergency_hospitals_of_a_county_most_capable_first():
    town = Township.objects.order_by("code").first()
    ProviderFactory(name="B general", emergency_level="general", township=town, kind=HOSPITAL)
    ProviderFactory(name="A severe", emergency_level="severe", township=town, kind=HOSPITAL)
    ProviderFactory(name="Clinic", township=town)
    assert names(search.emergency_hospitals(county=town.county_id)) == ["A severe", "B general"]


def test_only_a_hospital_is_listed_as_an_emergency_hospital():
    """急救責任醫院 are hospitals MOHW designates: a clinic or pharmacy with a level (a feed's
    or a staff member's slip) would send a person in an emergency to a place that cannot
    treat them."""
    town = Township.objects.order_by("code").first()
    at(Place(25.0480, 121.5172), name="Pharmacy", kind=Kind.PHARMACY, emergency_level="severe")
    ProviderFactory(name="Clinic", kind=Kind.CLINIC, emergency_level="general", township=town)
    at(Place(25.0400, 121.5200), name="Hospital", kind=HOSPITAL, emergency_level="general")
    assert names(search.emergency_hospitals(near=STATION)) == ["Hospital"]
    assert "Clinic" not in names(search.emergency_hospitals(county=town.county_id))


def test_first_aid_guides_are_seeded_and_only_the_published_shown():
    slugs = list(search.first_aid_guides().values_list("slug", flat=True))
    assert slugs[:5] == ["cpr", "stroke", "burns", "choking", "fracture"]
    FirstAidGuide.objects.filter(slug="burns").update(published=False)
    assert "burns" not in set(search.first_aid_guides().values_list("slug", flat=True))
    for guide in FirstAidGuide.objects.all():
        assert "119" in guide.body_zh.splitlines()[0]
        assert "119" in guide.body_en.splitlines()[0]
