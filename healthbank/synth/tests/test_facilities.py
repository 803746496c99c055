"""The synthetic providers' places, sessions and emergency care (院所查詢, 急症處理)."""

from __future__ import annotations

import pytest

from healthbank.records.models import EmergencyLoad, Provider
from healthbank.records.selectors.providers import Place, haversine_km
from healthbank.synth.facilities import TOWNSHIP_CENTRES, add_facilities

pytestmark = pytest.mark.django_db
Kind = Provider.Kind


def test_every_provider_is_placed_inside_its_township(personas):
    providers = list(Provider.objects.exclude(kind=Kind.AGENCY))
    assert providers
    for provider in providers:
        lat, lon, radius = TOWNSHIP_CENTRES[provider.township_id]
        distance = haversine_km(Place(lat, lon), Place(provider.latitude, provider.longitude))
        assert distance <= radius + 0.01, provider
        assert provider.opening_sessions, provider


def test_hospitals_have_an_emergency_level_and_recent_reports(personas):
    hospitals = Provider.objects.filter(
        kind__in=[Kind.MEDICAL_CENTRE, Kind.REGIONAL_HOSPITAL, Kind.DISTRICT_HOSPITAL]
    )
    assert set(hospitals.values_list("emergency_level", flat=True)) <= {
        "severe",
        "moderate",
        "general",
    }
    assert (
        not Provider.objects.exclude(kind__in=hospitals.values("kind"))
        .exclude(emergency_level="")
        .exists()
    )
    assert EmergencyLoad.objects.filter(provider__in=hospitals).count() == 3 * hospitals.count()


def test_placing_again_changes_nothing(personas):
    before = list(Provider.objects.order_by("pk").values_list("latitude", "longitude"))
    assert add_facilities(seed=1) == 0
    assert list(Provider.objects.order_by("pk").values_list("latitude", "longitude")) == before
