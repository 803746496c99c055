"""/api/v1/providers/… , /api/v1/emergency and /api/v1/first-aid: public, signed out; the
phone's position only in the POST body."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from healthbank.records import rules
from healthbank.records.models import EmergencyLoad, Provider
from healthbank.records.tests.factories import ProviderFactory
from healthbank.vcard.models import AcceptingSite

pytestmark = pytest.mark.django_db
HERE = {"latitude": 25.0478, "longitude": 121.5170}


def post(client, path: str, body: dict, language: str = "zh-hant"):
    client.cookies["django_language"] = language
    return client.post(f"/api/v1/{path}", body, content_type="application/json")


@pytest.fixture
def places(db):
    near = ProviderFactory(
        name="近診所",
        latitude=25.0495,
        longitude=121.5190,
        opening_sessions=rules.sessions_mask(["mon_morning"]),
    )
    near.departments.add("01")
    AcceptingSite.objects.create(provider=near, outpatient=True)
    farther = ProviderFactory(
        name="遠醫院",
        kind=Provider.Kind.MEDICAL_CENTRE,
        latitude=25.0330,
        longitude=121.5654,
        emergency_level="severe",
    )
    return near, farther


def test_search_near_me_signed_out_lists_nearest_first(client, places, django_assert_num_queries):
    with django_assert_num_queries(2):  # the places within the box, then the page
        response = post(client, "providers/search", {"near": HERE})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["name"], second["name"]) == ("近診所", "遠醫院")
    assert first["distance_km"] < 1 < second["distance_km"]
    assert first["virtual_card"] and not second["virtual_card"]
    assert first["sessions"] == ["mon_morning"]
    assert second["emergency_level_label"] == "重度級急救責任醫院"


def test_search_filters_and_english(client, places):
    body = post(
        client,
        "providers/search",
        {"kinds": ["clinic"], "weekday": 0, "session": "morning", "virtual_card": True},
        language="en",
    ).json()
    assert [r["name"] for r in body["results"]] == ["近診所"]
    assert body["results"][0]["kind_label"] == "Western-medicine clinic"
    none = post(client, "providers/search", {"weekday": 3}).json()
    assert none == {"count": 0, "results": []}


def test_bad_search_input_is_a_400_with_a_code(client, places):
    for body in (
        {"near": {"latitude": 91, "longitude": 121}},
        {"kinds": ["agency"]},
        {"session": "night"},
        {"weekday": 9},
        {"county": "'; drop"},
        [None, None],
        "near",
    ):
        response = post(client, "providers/search", body)
        assert response.status_code == 400, body
        assert response.json()["code"] in {"invalid_request", "invalid_json"}


def test_the_position_never_travels_in_the_url(client, places):
    response = client.get("/api/v1/providers/search", HERE)
    assert response.status_code == 405


def test_options_offer_kinds_places_days_and_sessions(client, places):
    client.cookies["django_language"] = "zh-hant"
    body = client.get("/api/v1/providers/options").json()
    assert [k["label"] for k in body["kinds"]][:3] == ["醫學中心", "區域醫院", "地區醫院"]
    assert [s["label"] for s in body["sessions"]] == ["上午", "下午", "晚上"]
    assert len(body["days"]) == 7
    assert body["counties"] and body["townships"]
    assert body["now"]["session"] in rules.SESSIONS


def test_emergency_shows_the_latest_load_with_its_age(client, places):
    _, hospital = places
    now = timezone.now()
    for minutes, waiting in ((50, 30), (4, 7)):
        EmergencyLoad.objects.create(
            provider=hospital,
            source_id=f"R{minutes}",
            reported_at=now - dt.timedelta(minutes=minutes),
            waiting_to_be_seen=waiting,
            waiting_for_bed=2,
            waiting_for_admission=11,
        )
    body = post(client, "emergency", {"near": HERE}).json()
    assert [h["name"] for h in body["hospitals"]] == ["遠醫院"]  # the clinic gives no ER care
    load = body["hospitals"][0]["load"]
    assert (load["waiting_to_be_seen"], load["minutes_ago"], load["stale"]) == (7, 4, False)
    assert body["stale_after_minutes"] == 30


def test_an_old_report_is_marked_stale(client, places):
    _, hospital = places
    EmergencyLoad.objects.create(
        provider=hospital,
        source_id="old",
        reported_at=timezone.now() - dt.timedelta(hours=2),
        waiting_to_be_seen=1,
        waiting_for_bed=1,
        waiting_for_admission=1,
    )
    load = post(client, "emergency", {}).json()["hospitals"][0]["load"]
    assert (load["stale"], load["minutes_ago"]) == (True, 120)


def test_first_aid_in_both_languages(client, db):
    client.cookies["django_language"] = "zh-hant"
    zh = client.get("/api/v1/first-aid").json()
    client.cookies["django_language"] = "en"
    en = client.get("/api/v1/first-aid").json()
    assert [g["slug"] for g in zh] == [g["slug"] for g in en]
    assert zh[0]["title"] == "心跳停止（CPR）" and en[0]["title"] == "Cardiac arrest (CPR)"
    assert all("119" in g["steps"][0] for g in zh + en)


@pytest.mark.parametrize("path", ["providers/search", "emergency"])
@pytest.mark.parametrize(
    "raw",
    [
        '{"near": {"latitude": NaN, "longitude": 121.5}}',
        '{"near": {"latitude": 25.0, "longitude": Infinity}}',
        '{"near": {"latitude": 1e400, "longitude": -1e400}}',
        '{"near": {"latitude": "25.0", "longitude": 121.5}}',
        '{"near": {"latitude": true, "longitude": 121.5}}',
        '{"near": [25.0, 121.5]}',
        '{"county": "' + "9" * 5000 + '"}',
        '{"county": "63\\u0000"}',
        '{"near": {"latitude": 25.0, "longitude": 121.5, "extra": ' + "[" * 500 + "]" * 500 + "}}",
        "{" * 2000,
        '{"limit": 100000000000000000000000000000}',
        '{"limit": -1, "offset": -5}',
        '{"q": "' + "名" * 51 + '"}',
        '{"q": "\' OR 1=1 --\\u0000"}',
        '{"department": "' + "x" * 13 + '"}',
        '{"kinds": ["clinic", "clinic", "clinic", "clinic", "clinic", "clinic", "clinic", '
        '"clinic", "clinic"]}',
    ],
)
def test_hostile_input_is_a_clear_400_never_a_500(client, places, path, raw):
    client.cookies["django_language"] = "en"
    response = client.post(f"/api/v1/{path}", raw, content_type="application/json")
    # A position that is no number on the map is always refused; the rest is refused, or
    # read harmlessly (a name with quotes, a field the path does not take).
    if "NaN" in raw or "Infinity" in raw or "1e400" in raw:
        assert response.status_code == 400
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert response.json()["code"] in {"invalid_request", "invalid_json"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"weekday": 3.0, "limit": 10.0}, 200),  # JSON has one number type: 3.0 is 3
        ({"weekday": 3.5}, 400),
        ({"weekday": False}, 400),  # no number, though pydantic's lax mode takes it as 0
        ({"weekday": "3"}, 400),
        ({"virtual_card": 1}, 400),
        ({"near": {"latitude": 25, "longitude": 121}}, 200),
        ({"near": {"latitude": False, "longitude": 121}}, 400),
    ],
)
def test_numbers_are_json_numbers(client, places, body, status):
    assert post(client, "providers/search", body).status_code == status
