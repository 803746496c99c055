"""`healthbank persona`: everything registering as a persona asks for, in one place."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from tests.fixtures.personas import seed_personas

TODAY = dt.date(2026, 11, 23)


def run(*args) -> str:
    out = io.StringIO()
    call_command("persona", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def personas(db):
    seed_personas(today=TODAY, seed=5)


def test_prints_card_household_and_full_address(personas):
    out = run("a123456789")
    print(out)
    assert "陳志明" in out
    assert "000090000001" in out
    assert "F0900001" in out
    assert "新北市板橋區文化里5鄰文化路一段88號" in out
    assert "1966-03-15" in out
    assert "not registered" in out
    assert "PIN 123456" in out
    assert "0912000001 (monthly plan)" in out


def test_table_of_all(personas):
    out = run()
    assert out == run("--all")
    print(out)
    assert out.count("not registered") == 10
    assert (
        "K223456780 | 000090000010 | 吳怡君 | F0900006 | 新北市板橋區大觀里7鄰大觀路一段33號" in out
    )


def test_unknown_id_is_an_error(personas):
    with pytest.raises(CommandError, match="not a demo persona"):
        run("A100000001")


def test_persona_not_seeded(db):
    with pytest.raises(CommandError, match="seed it first"):
        run("A123456789")


def test_a_registered_persona_is_told_which_sign_ins_work(personas):
    from django.contrib.auth.models import User

    from healthbank.identity import services
    from healthbank.people.models import Person

    clerk = User.objects.create_superuser("counter", password=None)
    services.register_at_counter(
        person=Person.objects.get(national_id="B123456780"),
        password="Dentist4ever",  # noqa: S106 - test password
        email="huang@example.com",
        staff_id=clerk.pk,
    )

    out = run("B123456780")

    assert "registered (已註冊)" in out and "not registered" not in out
    assert "健保卡 NHI card" in out
    assert "一般登入 ID + card number + password: after one card sign-in" in out
    assert "行動電話認證 refused for 0912000007 (" in out  # a prepaid card
    assert run().count("not registered") == 9


def test_someone_else_with_a_personas_id_is_not_shown(db):
    """A real person may hold a persona's ID: without the demo card they are no persona."""
    from healthbank.people.models import Person

    Person.objects.create(
        national_id="A123456789", name="真的人", sex="M", birth_date=dt.date(1970, 1, 1)
    )

    with pytest.raises(CommandError, match="seed it first"):
        run("A123456789")
