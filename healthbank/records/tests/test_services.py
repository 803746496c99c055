"""The services that write a person's own records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from healthbank.people.models import Person
from healthbank.records.models import Measurement
from healthbank.records.services import add_measurements, delete_measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> Person:
    return Person.objects.create(
        national_id="A123456789", name="王小明", sex="M", birth_date=dt.date(1980, 1, 1)
    )


@pytest.fixture
def bob() -> Person:
    return Person.objects.create(
        national_id="A223456781", name="王小華", sex="F", birth_date=dt.date(1982, 1, 1)
    )


AT = dt.datetime(2024, 6, 1, 7, 30, tzinfo=dt.UTC)


def test_add_measurements_saves_one_row_per_value_given(alice):
    rows = add_measurements(
        person=alice,
        measured_at=AT,
        values={"weight": Decimal("56.5"), "systolic": Decimal(107), "diastolic": Decimal(71)},
    )
    assert [r.kind for r in rows] == ["weight", "systolic", "diastolic"]
    saved = {m.kind: m.value for m in Measurement.objects.filter(person=alice, measured_at=AT)}
    assert saved == {"weight": Decimal("56.5"), "systolic": 107, "diastolic": 71}


def test_add_measurements_skips_empty_values(alice):
    rows = add_measurements(
        person=alice, measured_at=AT, values={"height": None, "heart_rate": Decimal(80)}
    )
    assert [r.kind for r in rows] == ["heart_rate"]


@pytest.mark.parametrize(
    ("values", "at"),
    [
        ({}, AT),
        ({"height": None}, AT),
        ({"temperature": Decimal(37)}, AT),
        ({"height": Decimal(160)}, AT.replace(tzinfo=None)),
    ],
)
def test_add_measurements_refuses_nothing_unknown_kinds_and_naive_times(alice, values, at):
    with pytest.raises(ValueError):
        add_measurements(person=alice, measured_at=at, values=values)
    assert not Measurement.objects.exists()


def test_delete_measurement_removes_the_persons_own_row(alice):
    [row] = add_measurements(person=alice, measured_at=timezone.now(), values={"weight": 60})
    delete_measurement(person=alice, pk=row.pk)
    assert not Measurement.objects.filter(pk=row.pk).exists()


def test_delete_measurement_of_another_person_is_refused_and_kept(alice, bob):
    [row] = add_measurements(person=alice, measured_at=AT, values={"weight": Decimal(60)})
    with pytest.raises(Measurement.DoesNotExist):
        delete_measurement(person=bob, pk=row.pk)
    assert Measurement.objects.filter(pk=row.pk, person=alice).exists()


def test_delete_measurement_that_does_not_exist_is_refused(alice):
    with pytest.raises(Measurement.DoesNotExist):
        delete_measurement(person=alice, pk=999_999)
