"""Loading the code tables from CSV: idempotent, all-or-nothing, clear errors."""

import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from healthbank.codes.loading import DATA_DIR, CodeDataError, load_code_tables
from healthbank.codes.models import AtcClass, Diagnosis, Drug, LabItem, Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the real data folder that a test may break."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


def _snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in (Diagnosis, AtcClass, Drug, Service, LabItem)
    }


def test_every_table_is_loaded():
    counts = load_code_tables()
    assert set(counts) == {
        "department",
        "diagnosis",
        "atcclass",
        "drug",
        "service",
        "labitem",
        "vaccine",
        "toothposition",
        "bodysite",
    }
    assert Diagnosis.objects.count() == counts["diagnosis"] >= 300
    assert Drug.objects.filter(kind=Drug.Kind.WESTERN).count() >= 200
    assert Drug.objects.filter(kind=Drug.Kind.TCM).count() >= 30
    assert counts["toothposition"] == 52


def test_loading_twice_changes_nothing():
    load_code_tables()
    before = _snapshot()
    counts = load_code_tables()
    assert _snapshot() == before
    assert counts == load_code_tables()


def test_loading_updates_a_changed_row(data_dir):
    path = data_dir / "bodysite.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("膝部", "膝關節"), encoding="utf-8")
    load_code_tables(data_dir=data_dir)
    from healthbank.codes.models import BodySite

    assert BodySite.objects.get(code="KNEE").name_zh == "膝關節"


def _break(path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_unknown_atc_code_names_file_and_line_and_writes_nothing(data_dir):
    Diagnosis.objects.all().delete()
    path = data_dir / "drug.csv"
    line = 5
    atc = path.read_text(encoding="utf-8").splitlines()[line - 1].split(",")[5]
    _break(path, line, f",{atc},", ",Z99ZZ99,")
    with pytest.raises(CodeDataError) as error:
        load_code_tables(data_dir=data_dir)
    assert "drug.csv, line 5" in str(error.value)
    assert "Z99ZZ99" in str(error.value)
    assert not Diagnosis.objects.exists()


def test_bad_category_is_reported(data_dir):
    path = data_dir / "service.csv"
    _break(path, 3, ",consultation,", ",chitchat,")
    with pytest.raises(CodeDataError, match=r"service\.csv, line 3: category 'chitchat'"):
        load_code_tables(data_dir=data_dir)


def test_missing_column_is_reported(data_dir):
    path = data_dir / "labitem.csv"
    _break(path, 1, ",reference_text", "")
    with pytest.raises(
        CodeDataError, match=r"labitem\.csv, line 1: missing column\(s\): reference"
    ):
        load_code_tables(data_dir=data_dir)


def test_duplicate_code_is_reported(data_dir):
    path = data_dir / "department.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("01,家醫科,Family medicine\n")
    with pytest.raises(CodeDataError, match="code 01 appears twice"):
        load_code_tables(data_dir=data_dir)


def test_bad_file_leaves_earlier_tables_untouched(data_dir):
    load_code_tables()
    before = _snapshot()
    (data_dir / "diagnosis.csv").write_text(
        "code,name_zh,name_en,chronic\nI10,高血壓,Hypertension,1\n", encoding="utf-8"
    )
    _break(data_dir / "bodysite.csv", 2, ",head", ",nowhere_at_all_region")
    with pytest.raises(CodeDataError, match=r"bodysite\.csv, line 2: region"):
        load_code_tables(data_dir=data_dir)
    assert _snapshot() == before


def test_command_prints_counts():
    out = StringIO()
    call_command("loadcodes", stdout=out)
    assert "diagnosis: " in out.getvalue()
    assert "drug: " in out.getvalue()
