"""Every code the synthetic-data catalogue names exists in the loaded code tables."""

import pytest

from healthbank.codes.models import BodySite, Department, Diagnosis, Drug, LabItem, Service, Vaccine
from healthbank.synth import catalogue as cat

pytestmark = pytest.mark.django_db

REQUIRED_LABS = {
    "hba1c", "glucose_ac", "total_cholesterol", "triglycerides", "hdl", "ldl", "creatinine",
    "egfr", "bun", "urine_protein", "acr", "ast", "alt", "hbsag", "hbeag", "anti_hcv",
    "uric_acid", "afp", "hbv_dna",
}  # fmt: skip

PROVIDER_KINDS = {
    "medical_centre",
    "regional_hospital",
    "district_hospital",
    "clinic",
    "dental_clinic",
    "tcm_clinic",
    "health_station",
}


def _missing(model, codes) -> list[str]:
    codes = set(codes)
    found = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    return sorted(codes - found)


def _illnesses():
    return [*cat.ACUTE, *cat.ADMISSIONS]


def test_diagnoses_exist():
    codes = [d for c in cat.CHRONIC for d in c.diagnoses]
    codes += [d for i in _illnesses() for d in i.diagnoses]
    codes.append(cat.DENTAL_SCALING[0])
    assert not _missing(Diagnosis, codes), f"unknown diagnoses: {_missing(Diagnosis, codes)}"


def test_drugs_exist():
    codes = [d for c in cat.CHRONIC for r in c.regimens for d in r]
    codes += [d for i in _illnesses() for d in i.drugs]
    codes += list(cat.DAILY_UNITS) + [code for code, _ in cat.ALLERGENS]
    assert not _missing(Drug, codes), f"unknown drugs: {_missing(Drug, codes)}"


def test_services_exist():
    codes = [s for i in cat.ACUTE for s in i.services]
    codes += [e.service for e in cat.IMAGING] + [a.surgery for a in cat.ADMISSIONS if a.surgery]
    codes += [*cat.CONSULTATION_FEES.values(), *cat.WARD_FEES.values()]
    codes += [cat.CHRONIC_CONSULTATION_FEE, cat.DISPENSING_FEE, cat.CHRONIC_DISPENSING_FEE]
    codes += [cat.DENTAL_SCALING[1]] + ([cat.DENTAL_EXAM] if cat.DENTAL_EXAM else [])
    assert not _missing(Service, codes), f"unknown services: {_missing(Service, codes)}"


def test_lab_items_exist_and_required_names_are_there():
    assert REQUIRED_LABS <= set(cat.LABS), f"LABS lacks {sorted(REQUIRED_LABS - set(cat.LABS))}"
    assert not _missing(LabItem, cat.LABS.values()), _missing(LabItem, cat.LABS.values())
    used = {lab for c in cat.CHRONIC for lab in c.labs}
    assert used <= set(cat.LABS), f"chronic labs not in LABS: {sorted(used - set(cat.LABS))}"


def test_vaccines_exist():
    codes = [d.vaccine for d in cat.VACCINE_SCHEDULE]
    codes += [cat.FLU_VACCINE, cat.PPV_VACCINE, *cat.COVID_VACCINES]
    assert not _missing(Vaccine, codes), f"unknown vaccines: {_missing(Vaccine, codes)}"


def test_body_sites_exist():
    codes = [e.body_site for e in cat.IMAGING] + [a.body_site for a in cat.ADMISSIONS if a.surgery]
    assert not _missing(BodySite, codes), f"unknown body sites: {_missing(BodySite, codes)}"


def test_departments_exist():
    codes = [c.department for c in cat.CHRONIC] + [i.department for i in _illnesses()]
    assert not _missing(Department, codes), f"unknown departments: {_missing(Department, codes)}"


def test_required_chronic_conditions_are_there():
    keys = {c.key for c in cat.CHRONIC}
    assert {"hypertension", "diabetes", "dyslipidaemia", "ckd", "hepatitis_b"} <= keys
    assert len(keys) == len(cat.CHRONIC)


def test_prevalence_bands_ascend_and_are_shares():
    for condition in cat.CHRONIC:
        ages = [age for age, _ in condition.prevalence]
        assert ages == sorted(ages), condition.key
        assert all(0 < share < 1 for _, share in condition.prevalence), condition.key


def test_chronic_regimens_use_western_drugs():
    codes = {d for c in cat.CHRONIC for r in c.regimens for d in r}
    other = Drug.objects.filter(code__in=codes).exclude(kind=Drug.Kind.WESTERN)
    assert not other.exists(), f"non-western drugs in regimens: {list(other)}"


def test_tcm_illnesses_prescribe_only_tcm_drugs():
    tcm = [i for i in cat.ACUTE if i.kind == "tcm"]
    assert len(tcm) >= 10
    codes = {d for i in tcm for d in i.drugs}
    other = Drug.objects.filter(code__in=codes).exclude(kind=Drug.Kind.TCM)
    assert not other.exists(), f"western drugs in Chinese-medicine illnesses: {list(other)}"
    assert all(i.department == "60" for i in tcm)


def test_western_illnesses_prescribe_only_western_drugs():
    western = [i for i in _illnesses() if getattr(i, "kind", "western") == "western"]
    codes = {d for i in western for d in i.drugs}
    assert not Drug.objects.filter(code__in=codes, kind=Drug.Kind.TCM).exists()


def test_dental_illnesses_use_dental_departments_and_services():
    dental = [i for i in cat.ACUTE if i.kind == "dental"]
    assert len(dental) >= 12
    departments = {i.department for i in dental}
    names = dict(Department.objects.filter(code__in=departments).values_list("code", "name_en"))
    assert all(40 <= int(code) <= 51 for code in departments), names
    services = {s for i in dental for s in i.services}
    categories = set(Service.objects.filter(code__in=services).values_list("category", flat=True))
    assert categories == {Service.Category.DENTAL}


def test_acute_illnesses_are_well_formed():
    assert len([i for i in cat.ACUTE if i.kind == "western"]) >= 40
    assert len({i.key for i in cat.ACUTE}) == len(cat.ACUTE)
    for illness in cat.ACUTE:
        assert illness.kind in {"western", "tcm", "dental"}, illness.key
        assert illness.ages[0] <= illness.ages[1], illness.key
        assert illness.days[0] <= illness.days[1], illness.key
        assert illness.weight > 0 and illness.sex in {"", "M", "F"}, illness.key


def test_imaging_and_admissions_are_well_formed():
    assert len(cat.IMAGING) >= 12 and len(cat.ADMISSIONS) >= 15
    imaging = {e.key for e in cat.IMAGING}
    assert len(imaging) == len(cat.IMAGING)
    assert {e.kind for e in cat.IMAGING} == {"imaging", "pathology"}
    for admission in cat.ADMISSIONS:
        assert set(admission.imaging) <= imaging, admission.key
        assert bool(admission.surgery) == bool(admission.body_site), admission.key
        assert admission.chief_complaint and admission.course and admission.plan, admission.key
    for exam in cat.IMAGING:
        service = Service.objects.get(code=exam.service)
        expected = {"pathology"} if exam.kind == "pathology" else {"imaging"}
        assert service.category in expected, exam.key


def test_fees_cover_every_provider_kind_that_sees_patients():
    assert set(cat.CONSULTATION_FEES) == PROVIDER_KINDS
    assert set(cat.WARD_FEES) == {"medical_centre", "regional_hospital", "district_hospital"}
    categories = dict(Service.objects.values_list("code", "category"))
    assert {categories[c] for c in cat.CONSULTATION_FEES.values()} == {"consultation"}
    assert categories[cat.DISPENSING_FEE] == categories[cat.CHRONIC_DISPENSING_FEE] == "dispensing"
    assert {categories[c] for c in cat.WARD_FEES.values()} == {"ward"}


def test_childhood_schedule_switches_over_time():
    born_2005 = {d.vaccine for d in cat.childhood_schedule(2005)}
    born_2020 = {d.vaccine for d in cat.childhood_schedule(2020)}
    assert {"DTP1", "OPV1", "JE1", "RHEPB1"} <= born_2005
    assert not {"5IN1-1", "PCV13-1", "HEPA1", "JECV1"} & born_2005
    assert {"5IN1-1", "PCV13-1", "HEPA1", "JECV1", "TDAP-IPV", "RHEPB1"} <= born_2020
    assert not {"DTP1", "OPV1", "JE1", "MV"} & born_2020
    bcg = [d for d in cat.childhood_schedule(2020) if d.vaccine == "BCG"]
    assert [d.age_days for d in bcg] == [150]


def test_vaccine_schedule_periods_are_sound():
    for dose in cat.VACCINE_SCHEDULE:
        assert 2003 <= dose.born_from <= dose.born_until, dose
        assert 0 < dose.age_days <= 7 * 365, dose


def test_chronic_labs_are_the_ones_the_generator_models():
    used = {lab for c in cat.CHRONIC for lab in c.labs}
    assert used <= REQUIRED_LABS, f"labs the generator has no values for: {used - REQUIRED_LABS}"


def test_daily_units_are_positive():
    assert all(units > 0 for units in cat.DAILY_UNITS.values())
