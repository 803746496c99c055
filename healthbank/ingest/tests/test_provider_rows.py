"""The rows a provider sends about itself: its profile for the app's provider search
(`facility`) and its emergency room's load (`er_load`). Bad rows are refused one by one with
the field and the reason; the good rows of the same file are kept."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from healthbank.ingest.tests.helpers import ALICE, ndjson, problems
from healthbank.records import rules as record_rules
from healthbank.records.models import EmergencyLoad, Provider

pytestmark = pytest.mark.django_db
TAIPEI = ZoneInfo("Asia/Taipei")


def facility_row(**changes) -> dict:
    row = {
        "type": "facility",
        "id": "profile",
        "latitude": "25.040362",
        "longitude": 121.519987,
        "sessions": ["mon_morning", "mon_evening", "sat_afternoon"],
        "departments": ["01", "02"],
        "emergency_level": "severe",
    }
    row.update(changes)
    return {key: value for key, value in row.items() if value is not None}


def load_row(record_id: str = "ER-1", minutes_ago: int = 3, **changes) -> dict:
    at = timezone.now().astimezone(TAIPEI) - dt.timedelta(minutes=minutes_ago)
    row = {
        "type": "er_load",
        "id": record_id,
        "reported_at": at.replace(microsecond=0).isoformat(),
        "waiting_to_be_seen": 12,
        "waiting_for_bed": 5,
        "waiting_for_admission": 21,
    }
    row.update(changes)
    return {key: value for key, value in row.items() if value is not None}


def test_a_facility_row_sets_the_senders_profile(world, upload):
    batch = upload(world.hospital_token, ndjson(facility_row()))
    assert (problems(batch), batch.accepted) == ([], 1)
    hospital = Provider.objects.get(pk=world.hospital.pk)
    assert (hospital.latitude, hospital.longitude) == (25.040362, 121.519987)
    assert record_rules.session_names(hospital.opening_sessions) == [
        "mon_morning",
        "mon_evening",
        "sat_afternoon",
    ]
    assert sorted(hospital.departments.values_list("code", flat=True)) == ["01", "02"]
    assert hospital.emergency_level == Provider.EmergencyLevel.SEVERE


def test_sending_the_profile_again_replaces_it(world, upload):
    upload(world.hospital_token, ndjson(facility_row()))
    batch = upload(
        world.hospital_token,
        ndjson(facility_row(departments=None, emergency_level=None, sessions=["sun_morning"])),
    )
    assert problems(batch) == []
    hospital = Provider.objects.get(pk=world.hospital.pk)
    assert hospital.departments.count() == 0
    assert hospital.emergency_level == ""
    assert hospital.opening_sessions == record_rules.session_bit(6, "morning")


def test_bad_facility_rows_are_refused_with_their_reasons(world, upload):
    data = ndjson(
        facility_row(latitude="48.85"),  # Paris
        facility_row(sessions=["mon_morning", "monday"]),
        facility_row(departments=["ZZ"]),
        facility_row(national_id=ALICE),
        facility_row(emergency_level="huge"),
        {"type": "facility", "id": "profile", "void": True},
        facility_row(longitude="121.5"),
    )
    batch = upload(world.hospital_token, data)
    found = problems(batch)
    assert [(position, field) for position, field, _ in found] == [
        (1, "latitude"),
        (2, "sessions"),
        (3, "departments[0]"),
        (4, "national_id"),
        (5, "emergency_level"),
        (6, "void"),
    ]
    assert "outside Taiwan" in found[0][2]
    assert "'monday' is not one of" in found[1][2]
    assert "unknown department code 'ZZ'" in found[2][2]
    assert batch.accepted == 1  # the last row, which is right, is kept
    assert Provider.objects.get(pk=world.hospital.pk).longitude == 121.5


def test_facility_rows_in_csv(world, upload):
    data = (
        b"type,id,latitude,longitude,sessions,departments,emergency_level\n"
        b"facility,profile,24.1477,120.6736,mon_morning;tue_afternoon,01,moderate\n"
    )
    batch = upload(world.hospital_token, data, "csv")
    assert problems(batch) == []
    hospital = Provider.objects.get(pk=world.hospital.pk)
    assert record_rules.session_names(hospital.opening_sessions) == [
        "mon_morning",
        "tue_afternoon",
    ]
    assert hospital.emergency_level == "moderate"


def test_an_er_load_row_is_kept_with_its_time(world, upload):
    batch = upload(world.hospital_token, ndjson(load_row()))
    assert (problems(batch), batch.accepted) == ([], 1)
    load = EmergencyLoad.objects.get(provider=world.hospital)
    assert (load.waiting_to_be_seen, load.waiting_for_bed, load.waiting_for_admission) == (
        12,
        5,
        21,
    )
    assert timezone.now() - load.reported_at < dt.timedelta(minutes=4)


def test_an_er_load_sent_again_updates_and_a_void_deletes(world, upload):
    upload(world.hospital_token, ndjson(load_row(), load_row("ER-2")))
    upload(world.hospital_token, ndjson(load_row(waiting_for_bed=9)))
    assert EmergencyLoad.objects.get(source_id="ER-1").waiting_for_bed == 9
    batch = upload(world.hospital_token, ndjson({"type": "er_load", "id": "ER-2", "void": True}))
    assert (batch.voided, EmergencyLoad.objects.count()) == (1, 1)


def test_bad_er_load_rows_are_refused_and_the_good_kept(world, upload):
    future = (timezone.now() + dt.timedelta(hours=1)).astimezone(TAIPEI).isoformat()
    data = ndjson(
        load_row("A", reported_at="2026-12-07 14:00"),  # no T, no offset
        load_row("B", reported_at="2026-12-07T14:00:00"),  # no offset
        load_row("C", reported_at=future),
        load_row("D", waiting_to_be_seen=-1),
        load_row("E", waiting_for_bed="many"),
        load_row("F", national_id=ALICE),
        load_row("G"),
    )
    batch = upload(world.hospital_token, data)
    assert [(p, f) for p, f, _ in problems(batch)] == [
        (1, "reported_at"),
        (2, "reported_at"),
        (3, "reported_at"),
        (4, "waiting_to_be_seen"),
        (5, "waiting_for_bed"),
        (6, "national_id"),
    ]
    assert "with its UTC offset" in problems(batch)[0][2]
    assert "in the future" in problems(batch)[2][2]
    assert list(EmergencyLoad.objects.values_list("source_id", flat=True)) == ["G"]


def test_a_clinic_may_send_its_profile_but_not_an_er_load(world, upload):
    batch = upload(world.clinic_token, ndjson(facility_row(emergency_level=None), load_row()))
    assert [(p, f) for p, f, _ in problems(batch)] == [(2, "type")]
    assert "may not send er_load rows" in problems(batch)[0][2]
    assert Provider.objects.get(pk=world.clinic.pk).latitude == 25.040362


def test_only_a_hospital_may_say_it_is_an_emergency_hospital(world, upload):
    batch = upload(world.clinic_token, ndjson(facility_row(emergency_level="severe")))
    found = problems(batch)
    assert [(p, f) for p, f, _ in found] == [(1, "emergency_level")]
    assert "only a hospital" in found[0][2]
    clinic = Provider.objects.get(pk=world.clinic.pk)
    assert (clinic.emergency_level, clinic.latitude) == ("", None)  # the row is not written


def test_the_last_facility_row_sent_is_the_profile_whatever_its_id(world, upload):
    batch = upload(
        world.hospital_token,
        ndjson(
            facility_row(id="a", latitude="25.1"),
            facility_row(id="b", latitude="25.2"),
            facility_row(id="a", latitude="25.3"),
        ),
    )
    assert problems(batch) == []
    assert Provider.objects.get(pk=world.hospital.pk).latitude == 25.3
