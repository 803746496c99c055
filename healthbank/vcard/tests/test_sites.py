"""Staff keep the list of providers that accept the virtual card (虛擬健保卡適用院所): add one
by picking the provider, tick its services, and find sites by service, county or name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from healthbank.records.models import Provider
from healthbank.vcard.models import AcceptingSite
from tests.fixtures.personas import seed_personas

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def vcard_dir(settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"


@pytest.fixture
def seeded(db) -> None:
    seed_personas(today=TODAY)


def url(view: str, *args) -> str:
    return reverse(f"admin:vcard_acceptingsite_{view}", args=args)


def _not_accepting() -> Provider:
    return (
        Provider.objects.filter(kind=Provider.Kind.CLINIC, vcard_site__isnull=True)
        .order_by("code")
        .first()
    )


def test_staff_add_a_provider_with_its_services(admin_client, seeded):
    provider = _not_accepting()
    response = admin_client.post(
        url("add"),
        {"provider": provider.pk, "home_care": "on", "video": "on", "since": "2026-11-01"},
    )
    assert response.status_code == 302
    site = AcceptingSite.objects.get(provider=provider)
    assert (site.outpatient, site.video, site.telemedicine, site.home_care) == (
        False,
        True,
        False,
        True,
    )
    assert site.since == dt.date(2026, 11, 1)


def test_a_site_needs_at_least_one_service(admin_client, seeded):
    provider = _not_accepting()
    response = admin_client.post(url("add"), {"provider": provider.pk, "since": "2026-11-01"})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not AcceptingSite.objects.filter(provider=provider).exists()


def test_the_provider_is_picked_by_autocomplete(admin_client, seeded):
    page = admin_client.get(url("add")).content.decode()
    assert "admin-autocomplete" in page
    provider = _not_accepting()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": provider.code,
            "app_label": "vcard",
            "model_name": "acceptingsite",
            "field_name": "provider",
        },
    )
    assert [row["id"] for row in response.json()["results"]] == [str(provider.pk)]


def test_the_provider_of_a_site_cannot_be_changed(admin_client, seeded):
    site = AcceptingSite.objects.order_by("provider__code").first()
    other = _not_accepting()
    response = admin_client.post(
        url("change", site.pk),
        {"provider": other.pk, "telemedicine": "on", "since": "2026-01-02"},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.provider_id != other.pk
    assert (site.outpatient, site.telemedicine) == (False, True)
    assert not AcceptingSite.objects.filter(provider=other).exists()


def test_sites_are_filtered_by_service_and_county_and_searched_by_code(admin_client, seeded):
    response = admin_client.get(url("changelist"), {"service": "home_care"})
    listed = response.context["cl"].result_list
    assert listed and all(site.home_care for site in listed)

    site = AcceptingSite.objects.select_related("provider").order_by("provider__code").last()
    county = site.provider.county_id
    response = admin_client.get(url("changelist"), {"provider__county__code__exact": county})
    listed = response.context["cl"].result_list
    assert listed and all(s.provider.county_id == county for s in listed)

    response = admin_client.get(url("changelist"), {"q": site.provider.code})
    assert [s.pk for s in response.context["cl"].result_list] == [site.pk]
