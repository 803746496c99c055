"""Synthetic addresses name a road of their own township (not 新北投路 in 板橋區)."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthbank.people.loading import synthetic_townships
from healthbank.people.models import Village
from healthbank.synth.services import Seeder
from healthbank.synth.streets import ROADS, street_address

HOUSE = re.compile(r"(?P<road>.*?)[1-9][0-9]*號")


def road_of(address: str) -> str:
    match = HOUSE.fullmatch(address)
    assert match, address
    return match["road"]


def belongs(address: str, township: str) -> bool:
    """`address` (after the township's name) is a house on one of the township's roads."""
    road = road_of(address)
    return road in ROADS[township] if ROADS[township] else road == ""


def test_every_township_people_live_in_has_its_roads():
    assert set(ROADS) == set(synthetic_townships())
    without = [town for town, roads in ROADS.items() if not roads]
    assert without == ["09007010"]  # 南竿鄉: houses numbered by village
    for roads in ROADS.values():
        assert len(set(roads)) == len(roads)
        assert all(re.fullmatch(r"\w+(路|街|大道)(\w段)?", road) for road in roads), roads


def test_a_road_is_never_another_townships_by_chance():
    assert "新北投路二段" not in ROADS["65000010"]
    rng = random.Random(1)
    assert all(belongs(street_address(rng, "65000010"), "65000010") for _ in range(500))


@pytest.mark.django_db
def test_every_synthetic_household_lives_on_a_road_of_its_township():
    seeder = Seeder(1, dt.date(2026, 11, 23))
    township_of = dict(Village.objects.values_list("code", "township_id"))

    @settings(max_examples=300, deadline=None)
    @given(seed=st.integers(0, 2**32), index=st.integers(0, 10**6))
    def check(seed: int, index: int) -> None:
        seeder.seed = seed
        plan = seeder.random_household(index)
        home = seeder.home(plan, random.Random(f"{seed}:household:{index}:records"))
        assert township_of[home.village] == plan.town
        assert belongs(home.street_address, plan.town), (plan.town, home.street_address)

    check()
