"""Counties, townships and villages: loading, idempotence, bad input, and the NLSC list."""

from __future__ import annotations

import csv
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from healthbank.people.loading import (
    DATA_DIR,
    DivisionDataError,
    load_divisions,
    synthetic_townships,
    township_weights,
)
from healthbank.people.models import County, Township, Village

NLSC_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "tw_villages_nlsc_1120928.csv"


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in ("counties.csv", "townships.csv", "villages.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def _replace_line(path: Path, number: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.django_db
def test_all_counties_and_townships_load():
    counts = load_divisions()

    assert counts["counties"] == County.objects.count() == 22
    assert counts["townships"] == Township.objects.count() == 368
    assert counts["villages"] == Village.objects.count() > 1000
    taipei = County.objects.get(code="63000")
    assert (taipei.letter, taipei.name_zh, taipei.name_en) == ("A", "臺北市", "Taipei City")
    daan = Township.objects.get(code="63000030")
    assert (daan.name_en, daan.postal_code, daan.county_id) == ("Da'an District", "106", "63000")


@pytest.mark.django_db
def test_second_run_changes_nothing():
    first = load_divisions()
    before = list(
        Township.objects.values_list("code", "county", "name_zh", "name_en", "postal_code")
    )

    second = load_divisions()

    assert second == first
    after = list(
        Township.objects.values_list("code", "county", "name_zh", "name_en", "postal_code")
    )
    assert after == before
    assert Village.objects.count() == first["villages"]


@pytest.mark.django_db
def test_second_run_updates_a_changed_name(data_copy):
    load_divisions()
    _replace_line(data_copy / "counties.csv", 2, "09007,Z,連江縣,Matsu")

    load_divisions(data_dir=data_copy)

    assert County.objects.get(code="09007").name_en == "Matsu"


def test_every_township_belongs_to_a_listed_county():
    counties = {row["code"] for row in _csv("counties.csv")}
    townships = _csv("townships.csv")

    assert all(row["county"] in counties for row in townships)
    assert {row["county"] for row in townships} == counties


@pytest.mark.django_db
def test_every_loaded_township_has_its_county():
    load_divisions()

    assert not Township.objects.exclude(county__in=County.objects.all()).exists()
    assert not Village.objects.exclude(township__in=Township.objects.all()).exists()


@pytest.mark.django_db
def test_broken_file_names_its_line_and_writes_nothing(data_copy):
    load_divisions()
    # A valid change in one file and a broken line in the next: neither may be written.
    _replace_line(data_copy / "counties.csv", 2, "09007,Z,連江縣,Matsu")
    _replace_line(data_copy / "townships.csv", 101, "1000901X,10009,斗六市,Douliu City,640,107000")

    with pytest.raises(DivisionDataError) as caught:
        load_divisions(data_dir=data_copy)

    assert caught.value.line == 101
    assert "townships.csv, line 101" in str(caught.value)
    assert County.objects.get(code="09007").name_en == "Lienchiang County"


@pytest.mark.parametrize(
    ("name", "line", "text", "message"),
    [
        ("counties.csv", 3, "09020,W,金門縣", "wrong number of fields"),
        ("counties.csv", 4, "10002,g,宜蘭縣,Yilan County", "upper-case letter"),
        ("counties.csv", 5, "09007,Z,連江縣,Lienchiang County", "appears twice"),
        ("townships.csv", 2, "09007010,99999,南竿鄉,Nangan Township,209,7900", "county code"),
        ("townships.csv", 3, "09007020,09020,北竿鄉,Beigan Township,210,2600", "not in county"),
        ("townships.csv", 4, "09007030,09007,莒光鄉,Juguang Township,21,1600", "postal code"),
        ("townships.csv", 5, "09007040,09007,東引鄉,Dongyin Township,212,many", "whole number"),
        ("villages.csv", 2, "09007010001,09007010,,Jieshou Vil.", "name_zh"),
    ],
)
def test_bad_lines_are_reported(data_copy, name, line, text, message):
    _replace_line(data_copy / name, line, text)

    with pytest.raises(DivisionDataError, match=f"{name}, line {line}: .*{message}"):
        load_divisions(data_dir=data_copy)


def test_missing_column_is_reported(data_copy):
    _replace_line(data_copy / "villages.csv", 1, "code,township,name_zh")

    with pytest.raises(
        DivisionDataError, match=r"villages.csv, line 1: missing column\(s\): name_en"
    ):
        load_divisions(data_dir=data_copy)


@pytest.mark.django_db
def test_command_prints_counts():
    out = StringIO()

    call_command("loaddivisions", stdout=out)

    assert "counties: 22" in out.getvalue()
    assert "townships: 368" in out.getvalue()


def test_command_reports_a_bad_file(data_copy):
    (data_copy / "counties.csv").unlink()

    with pytest.raises(CommandError, match="counties.csv"):
        call_command("loaddivisions", data_dir=data_copy, stdout=StringIO())


def test_township_weights_cover_every_township():
    weights = township_weights()

    assert len(weights) == 368
    assert all(weight > 0 and weight % 100 == 0 for weight in weights.values())
    assert weights["65000010"] > weights["09007010"]  # Banqiao outnumbers Nangan
    assert 22_000_000 < sum(weights.values()) < 24_500_000


def test_synthetic_townships_span_every_county():
    codes = synthetic_townships()

    assert 35 <= len(codes) <= 50
    counties = {row["code"] for row in _csv("counties.csv")}
    assert {code[:5] for code in codes} == counties
    assert set(codes) == {row["township"] for row in _csv("villages.csv")}


# Cross-checks against the NLSC village list in ../shared/data (present in CI).


@pytest.fixture(scope="module")
def nlsc() -> list[dict[str, str]]:
    if not NLSC_FILE.is_file():
        pytest.skip(f"the NLSC village list is not here ({NLSC_FILE}); cross-checks need ../shared")
    with NLSC_FILE.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_counties_match_nlsc(nlsc):
    expected = {row["COUNTYCODE"]: (row["COUNTYID"], row["COUNTYNAME"]) for row in nlsc}

    ours = {row["code"]: (row["letter"], row["name_zh"]) for row in _csv("counties.csv")}

    assert ours == expected


def test_townships_match_nlsc(nlsc):
    expected = {row["TOWNCODE"]: (row["COUNTYCODE"], row["TOWNNAME"]) for row in nlsc}

    ours = {row["code"]: (row["county"], row["name_zh"]) for row in _csv("townships.csv")}

    assert ours == expected


def test_villages_match_nlsc(nlsc):
    expected = {
        row["VILLCODE"]: (row["TOWNCODE"], row["VILLNAME"], row["VILLENG"])
        for row in nlsc
        if row["VILLNAME"]
    }
    ours = {
        row["code"]: (row["township"], row["name_zh"], row["name_en"])
        for row in _csv("villages.csv")
    }

    assert {code: expected.get(code) for code in ours} == ours
    # Every named village of a chosen township is there, none left out.
    chosen = set(synthetic_townships())
    assert {code for code, value in expected.items() if value[0] in chosen} == set(ours)
