"""The curated code tables agree with the public reference files in ../shared/data.

These files are not part of the repository; where they are absent the tests skip.
"""

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings

from healthbank.codes.models import AtcClass, Department, Drug, LabItem, Service

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data"
NHI_LAB_CODE = re.compile(r"\d{5}[A-Z]")
CALCULATED_LAB_ITEMS = {"EGFR"}  # computed from creatinine, age and sex; no NHI code


def _reference(name: str) -> list[dict[str, str]]:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"reference file {path} is absent (../shared/data is only on CI and dev)")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_service_is_an_nhi_code_with_the_same_chinese_name():
    names = {
        row["code"]: row["display"]
        for row in _reference("nhi_medical_service_payment_twcore_113.csv")
    }
    unknown = [s.code for s in Service.objects.all() if s.code not in names]
    renamed = [
        s.code for s in Service.objects.all() if s.code in names and s.name_zh != names[s.code]
    ]
    assert not unknown, f"not NHI service codes: {unknown}"
    assert not renamed, f"Chinese name differs from the NHI list: {renamed}"


def test_lab_items_are_nhi_lab_codes_also_in_service_table():
    lab_codes = {row["code"] for row in _reference("nhi_lab_codes_twcore.csv")}
    items = [i.code for i in LabItem.objects.exclude(code__in=CALCULATED_LAB_ITEMS)]
    assert items
    assert not [c for c in items if c not in lab_codes], "lab items that are not NHI lab codes"
    services = dict(Service.objects.filter(code__in=items).values_list("code", "category"))
    wrong = [c for c in items if services.get(c) != Service.Category.LAB]
    assert not wrong, f"lab items missing from service.csv as category lab: {wrong}"


def test_calculated_lab_items_have_no_nhi_shaped_code():
    for code in CALCULATED_LAB_ITEMS:
        assert LabItem.objects.filter(code=code).exists()
        assert not NHI_LAB_CODE.fullmatch(code)


def test_atc_english_names_agree_with_tfda_list():
    names = {row["code"]: row["display"] for row in _reference("atc_tfda_twcore.csv")}
    differ = [
        (a.code, a.name_en, names[a.code])
        for a in AtcClass.objects.all()
        if a.code in names and a.name_en != names[a.code]
    ]
    assert not differ, f"ATC names that differ from the TFDA list: {differ}"


def test_department_codes_exist():
    names = {
        row["code"]: row["display"] for row in _reference("nhi_treatment_department_twcore.csv")
    }
    unknown = [d.code for d in Department.objects.all() if d.code not in names]
    renamed = [
        d.code for d in Department.objects.all() if d.code in names and d.name_zh != names[d.code]
    ]
    assert not unknown, f"not NHI department codes: {unknown}"
    assert not renamed, f"Chinese name differs from the NHI list: {renamed}"


def test_western_drugs_have_a_level_five_atc_class_and_tcm_none():
    assert not Drug.objects.filter(kind=Drug.Kind.TCM, atc__isnull=False).exists()
    western = Drug.objects.filter(kind=Drug.Kind.WESTERN)
    assert not western.filter(atc__isnull=True).exists()
    assert {len(code) for code in western.values_list("atc", flat=True)} == {7}


def test_atc_table_holds_every_ancestor_of_a_used_class():
    codes = set(AtcClass.objects.values_list("code", flat=True))
    used = set(Drug.objects.exclude(atc=None).values_list("atc", flat=True))
    missing = {c[:n] for c in used for n in (1, 3, 4, 5)} - codes
    assert not missing, f"ATC ancestors missing from atcclass.csv: {sorted(missing)}"


def test_drug_codes_have_ten_characters():
    assert not [c for c in Drug.objects.values_list("code", flat=True) if len(c) != 10]
