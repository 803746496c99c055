"""NHI Express on a phone, signed out: 院所查詢 near the phone's location lists the nearest
providers in order with a maps link; 急症處理 shows the 119 button, the first-aid guides and
the load a hospital's feed reported seconds earlier (sent through the providers' upload API
and processed by the worker, as in production)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import urllib.request
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from healthbank.ingest import services
from healthbank.ingest.models import Credential
from healthbank.people.models import Township
from healthbank.records.models import EmergencyLoad, Provider
from healthbank.records.tests.factories import ProviderFactory
from tests.e2e.test_app import PHONE

pytestmark = pytest.mark.e2e
# The phone stands at Taipei Main Station.
HERE = {"latitude": 25.0478, "longitude": 121.5170}


@pytest.fixture
def reference_data(transactional_db):
    from healthbank.codes.loading import load_code_tables
    from healthbank.people.loading import load_divisions

    load_divisions()
    load_code_tables()
    # The first-aid guides the data migration seeds (a transactional test empties tables).
    importlib.import_module("healthbank.records.migrations.0005_first_aid_guides").add(apps, None)


def phone(browser, live_server, language: str):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-TW" if language == "zh-hant" else "en-US",
        geolocation=HERE,
        permissions=["geolocation"],
        **PHONE,
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context


@pytest.fixture
def places(reference_data):
    town = Township.objects.get(code="63000030")
    made = {}
    for name, lat, lon, kind in (
        ("台北車站旁診所", 25.0482, 121.5175, Provider.Kind.CLINIC),  # about 60 m
        ("中正藥局", 25.0420, 121.5160, Provider.Kind.PHARMACY),  # about 650 m
        ("大安醫院", 25.0330, 121.5430, Provider.Kind.REGIONAL_HOSPITAL),  # about 3 km
        ("遠方診所", 24.1477, 120.6736, Provider.Kind.CLINIC),  # Taichung: not near
    ):
        made[name] = ProviderFactory(
            name=name, kind=kind, latitude=lat, longitude=lon, township=town
        )
    made["大安醫院"].emergency_level = Provider.EmergencyLevel.MODERATE
    made["大安醫院"].save()
    return made


def test_near_me_lists_the_nearest_providers_in_order(browser, live_server, places):
    context = phone(browser, live_server, "zh-hant")
    page: Page = context.new_page()
    page.goto("/app/")
    page.get_by_role("link", name="院所查詢").first.click()
    expect(page.get_by_role("heading", name="院所查詢")).to_be_visible()
    page.get_by_role("button", name="附近院所", exact=True).click()
    rows = page.locator("[data-providers-results] li")
    expect(rows).to_have_count(3)
    names = [rows.nth(i).locator("strong").inner_text() for i in range(3)]
    assert names == ["台北車站旁診所", "中正藥局", "大安醫院"]
    expect(rows.nth(0).locator("[data-kind]")).to_contain_text("公尺")
    expect(rows.nth(2).locator("[data-kind]")).to_contain_text("公里")
    map_link = rows.nth(0).get_by_role("link", name="開啟地圖")
    assert map_link.get_attribute("href").startswith("geo:25.0482,121.5175")
    assert rows.nth(0).get_by_role("link", name="02-23456789").get_attribute("href") == (
        "tel:0223456789"
    )
    expect(page.locator("[data-providers-count]")).to_have_text("共 3 家院所。")
    # The page fits a 390 px phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_search_conditions_in_english(browser, live_server, places):
    context = phone(browser, live_server, "en")
    page = context.new_page()
    page.goto("/app/#providers")
    page.get_by_label("Kind of provider").select_option(label="Pharmacy")
    page.get_by_role("button", name="Search", exact=True).click()
    rows = page.locator("[data-providers-results] li")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("中正藥局")
    expect(rows.first).to_contain_text("Pharmacy")
    context.close()


def _report_load(hospital: Provider, live_server) -> None:
    """The hospital's feed sends its emergency room's count through /providers/api/v1/."""
    token = services.issue_credential(credential=Credential(provider=hospital, scopes=[]))
    at = timezone.now().astimezone(ZoneInfo("Asia/Taipei")).replace(microsecond=0)
    row = {
        "type": "er_load",
        "id": f"ER-{at:%H%M%S}",
        "reported_at": at.isoformat(),
        "waiting_to_be_seen": 17,
        "waiting_for_bed": 6,
        "waiting_for_admission": 23,
    }
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{live_server.url}/providers/api/v1/batches",
        data=(json.dumps(row) + "\n").encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 202
    call_command("worker", "--batch", "--interval", "0.01")  # the background worker's turn
    assert EmergencyLoad.objects.filter(provider=hospital).count() == 1


def test_emergency_shows_a_load_reported_seconds_earlier(browser, live_server, places):
    hospital = places["大安醫院"]
    _report_load(hospital, live_server)
    context = phone(browser, live_server, "zh-hant")
    page = context.new_page()
    page.goto("/app/")
    page.get_by_role("link", name="急症處理").first.click()
    call = page.get_by_role("link", name="撥打 119")
    expect(call).to_be_visible()
    assert call.get_attribute("href") == "tel:119"
    page.get_by_role("button", name="以我的位置找最近的醫院").click()
    rows = page.locator("[data-emergency-results] > li")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("strong")).to_have_text("大安醫院")
    expect(rows.first).to_contain_text("中度級急救責任醫院")
    load = rows.first.locator("[data-load]")
    expect(load.locator("[data-to-be-seen]")).to_have_text("17")
    expect(load.locator("[data-for-bed]")).to_have_text("6")
    expect(load.locator("[data-for-admission]")).to_have_text("23")
    expect(load.locator("[data-reported]")).to_contain_text("剛剛")
    expect(load.locator("[data-stale]")).to_have_count(0)
    # First aid: every guide starts with calling 119.
    guide = page.locator("[data-guide=cpr]")
    guide.locator("summary").click()
    expect(guide.locator("li").first).to_contain_text("119")
    expect(page.locator("[data-guide]")).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_report_hours_old_is_marked_out_of_date(browser, live_server, places):
    hospital = places["大安醫院"]
    EmergencyLoad.objects.create(
        provider=hospital,
        source_id="old",
        reported_at=timezone.now() - dt.timedelta(hours=2),
        waiting_to_be_seen=1,
        waiting_for_bed=1,
        waiting_for_admission=1,
    )
    context = phone(browser, live_server, "en")
    page = context.new_page()
    page.goto("/app/#emergency")
    page.get_by_role("button", name="Find the nearest by my location").click()
    load = page.locator("[data-emergency-results] [data-load]")
    expect(load.locator("[data-stale]")).to_contain_text("Out of date")
    expect(load.locator("[data-reported]")).to_contain_text("120 minutes ago")
    context.close()
