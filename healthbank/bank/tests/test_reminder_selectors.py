"""The reminders (貼心叮嚀) and duplicate-medication warnings gathered from a person's records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from healthbank.codes.models import Drug
from healthbank.people.models import Person
from healthbank.records import reminders as rules
from healthbank.records.models import (
    PreventiveCheck,
    Provider,
    ServiceOrder,
    Visit,
)
from healthbank.records.selectors.reminders import (
    SCALING_CODES,
    duplicate_medications,
    reminders_for,
)
from healthbank.records.tests.factories import DrugOrderFactory, VisitFactory
from tests.fixtures.personas import CHEN, HUANG, LEE, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def person(national_id: str) -> Person:
    return Person.objects.get(national_id=national_id)


def by_kind(reminders, kind: str) -> list:
    return [r for r in reminders if r.kind == kind]


def test_chen_is_reminded_of_scaling_180_days_after_his_last(personas, today):
    chen = person(CHEN)
    last = ServiceOrder.objects.filter(person=chen, service_id__in=SCALING_CODES).aggregate(
        last=Max("visit__visit_date")
    )["last"]
    assert last is not None
    [scaling] = by_kind(reminders_for(chen, today), "scaling")
    assert scaling.start == last + dt.timedelta(days=rules.SCALING_INTERVAL_DAYS)
    assert scaling.end is None


def test_chen_is_reminded_of_his_hypertension_refill_and_revisit(personas, today):
    chen = person(CHEN)
    latest = (
        Visit.objects.filter(person=chen, chronic_refill=True, primary_diagnosis_id="I10")
        .select_related("department", "primary_diagnosis")
        .annotate(days=Max("drug_orders__days"))
        .latest("visit_date")
    )
    expected = rules.refill_reminder(
        latest.visit_date, latest.days, latest.refill_number, today=today
    )
    with translation.override("zh-hant"):
        found = reminders_for(chen, today)
    detail = f"【{latest.department.name_zh}】{latest.primary_diagnosis.name_zh}"
    revisits = [r for r in by_kind(found, "revisit") if r.detail == detail]
    assert [(r.start, r.end) for r in revisits] == [(expected.revisit_from, expected.revisit_to)]
    pickups = [r for r in by_kind(found, "refill_pickup") if r.detail == detail]
    if expected.next_refill is None:
        assert pickups == []
    else:
        assert [(r.start, r.end) for r in pickups] == [(expected.pick_up_from, expected.pick_up_to)]


def test_chen_is_reminded_of_his_next_preventive_check(personas, today):
    chen = person(CHEN)
    last = PreventiveCheck.objects.filter(person=chen).aggregate(last=Max("checked_on"))["last"]
    [check] = by_kind(reminders_for(chen, today), "preventive_check")
    assert check.start == rules.next_preventive_check(chen.birth_date, last, today)


def test_reminders_are_in_the_seeds_order(personas, today):
    kinds = [r.kind for r in reminders_for(person(CHEN), today)]
    assert kinds[0] == "scaling" and kinds[-1] == "preventive_check"
    assert {"refill_pickup", "revisit"} <= set(kinds[1:-1])


def test_titles_follow_the_language(personas, today):
    with translation.override("en"):
        [scaling] = by_kind(reminders_for(person(CHEN), today), "scaling")
    assert scaling.title == "Time for a dental scaling"


def test_a_finished_prescription_has_no_reminder(personas, today):
    lee = person(LEE)
    latest = (
        Visit.objects.filter(person=lee, chronic_refill=True)
        .annotate(days=Max("drug_orders__days"))
        .latest("visit_date")
    )
    ends = rules.refill_reminder(latest.visit_date, latest.days, latest.refill_number).revisit_to
    assert by_kind(reminders_for(lee, ends), "revisit")
    later = reminders_for(lee, ends + dt.timedelta(days=1))
    assert by_kind(later, "revisit") == [] and by_kind(later, "refill_pickup") == []


def test_person_without_records_is_only_reminded_of_the_preventive_check(personas, today):
    wu = person(WU)  # 29: her first check is due on her 30th birthday
    [check] = reminders_for(wu, today)
    assert check.kind == "preventive_check"
    assert check.start == max(today, rules.add_years(wu.birth_date, 30))


def test_child_gets_no_adult_reminders(personas, today):
    kinds = {r.kind for r in reminders_for(person(LIN_DAUGHTER), today)}
    assert "preventive_check" not in kinds and "scaling" not in kinds


def test_reminders_take_two_queries(personas, today, django_assert_max_num_queries):
    chen = person(CHEN)
    with django_assert_max_num_queries(2):
        reminders_for(chen, today)


def test_reminders_template_shows_each_line(personas, today):
    with translation.override("en"):
        found = reminders_for(person(CHEN), today)
        page = render_to_string("bank/includes/reminders.html", {"reminders": found})
    assert "Time for a dental scaling" in page
    assert found[0].start.isoformat() in page
    refill = by_kind(found, "revisit")[0]
    assert refill.detail in page and refill.end.isoformat() in page


def test_reminders_template_has_an_empty_state():
    with translation.override("en"):
        page = render_to_string("bank/includes/reminders.html", {"reminders": []})
    assert "No reminders right now." in page


# --- Duplicate medication ------------------------------------------------------------------


def _visit(subject: Person, provider: Provider, day: dt.date, drug: Drug, **kw) -> Visit:
    model = Visit.objects.filter(person__national_id=CHEN, kind=Visit.Kind.WESTERN).first()
    visit = VisitFactory(
        person=subject,
        provider=provider,
        source_id=f"TEST-{provider.pk}-{day}-{drug.pk}-{kw.get('refill_number')}",
        kind=kw.pop("kind", Visit.Kind.WESTERN),
        visit_date=day,
        department_id=model.department_id,
        primary_diagnosis_id=model.primary_diagnosis_id,
        copayment=0,
        points=100,
        **kw,
    )
    DrugOrderFactory(visit=visit, drug=drug)
    return visit


@pytest.fixture
def huang(personas) -> Person:
    return person(HUANG)  # 24, dental only: no blood-pressure medicine of his own


@pytest.fixture
def clinics(personas) -> tuple[Provider, Provider, Provider]:
    chen_visits = Visit.objects.filter(person__national_id=CHEN).select_related("provider")
    clinic = chen_visits.filter(kind=Visit.Kind.WESTERN).first().provider
    other = chen_visits.exclude(provider=clinic).exclude(kind=Visit.Kind.PHARMACY).first()
    pharmacy = chen_visits.filter(kind=Visit.Kind.PHARMACY).first().provider
    return clinic, other.provider, pharmacy


def test_same_class_from_two_providers_on_overlapping_days_is_a_duplicate(huang, clinics, today):
    clinic, hospital, _ = clinics
    losartan, valsartan = Drug.objects.get(pk="BC22035100"), Drug.objects.get(pk="BC23373100")
    _visit(huang, clinic, today - dt.timedelta(days=20), losartan)  # to today + 7
    _visit(huang, hospital, today - dt.timedelta(days=5), valsartan)
    with translation.override("en"):
        [duplicate] = duplicate_medications(huang, today)
    assert duplicate.atc_class == "C09CA"
    assert duplicate.atc_name == "Angiotensin II receptor blockers (ARBs), plain"
    assert duplicate.provider_names == (clinic.name, hospital.name)
    assert [c.drug_name for c in duplicate.courses] == [losartan.name_en, valsartan.name_en]
    assert (duplicate.overlap_from, duplicate.overlap_to) == (today - dt.timedelta(days=5), today)


def test_duplicate_warning_names_the_class_drugs_providers_and_dates(huang, clinics, today):
    clinic, hospital, _ = clinics
    drug = Drug.objects.get(pk="BC22035100")
    _visit(huang, clinic, today - dt.timedelta(days=20), drug)
    _visit(huang, hospital, today - dt.timedelta(days=5), drug)
    with translation.override("en"):
        page = render_to_string(
            "bank/includes/duplicate_warning.html",
            {"duplicates": duplicate_medications(huang, today)},
        )
    assert "The same kind of medicine (ATC class C09CA" in page
    assert "prescribed by different providers for overlapping days" in page
    assert clinic.name in page and hospital.name in page and drug.name_en in page
    assert (today - dt.timedelta(days=5)).isoformat() in page
    assert "doctor or pharmacist" in page


def test_no_warning_without_duplicates(huang, today):
    assert duplicate_medications(huang, today) == []
    assert (
        render_to_string("bank/includes/duplicate_warning.html", {"duplicates": []}).strip() == ""
    )


def test_refill_collected_early_at_a_pharmacy_is_not_a_duplicate(huang, clinics, today):
    clinic, _, pharmacy = clinics
    drug = Drug.objects.get(pk="BC22035100")
    _visit(huang, clinic, today - dt.timedelta(days=25), drug, chronic_refill=True, refill_number=1)
    _visit(
        huang,
        pharmacy,
        today - dt.timedelta(days=1),
        drug,
        kind=Visit.Kind.PHARMACY,
        chronic_refill=True,
        refill_number=2,
    )
    assert duplicate_medications(huang, today) == []


def test_same_provider_twice_is_not_a_duplicate(huang, clinics, today):
    clinic, _, _ = clinics
    drug = Drug.objects.get(pk="BC22035100")
    _visit(huang, clinic, today - dt.timedelta(days=20), drug)
    _visit(huang, clinic, today - dt.timedelta(days=5), drug)
    assert duplicate_medications(huang, today) == []


def test_personas_have_no_false_duplicates_from_their_refills(personas, today):
    for national_id in (CHEN, LEE):
        assert duplicate_medications(person(national_id), today) == []


def test_duplicates_take_one_query(huang, clinics, today, django_assert_num_queries):
    clinic, hospital, _ = clinics
    drug = Drug.objects.get(pk="BC22035100")
    for days_ago in (20, 15, 10, 5):
        _visit(huang, clinic if days_ago % 10 else hospital, today - dt.timedelta(days_ago), drug)
    with django_assert_num_queries(1):
        assert len(duplicate_medications(huang, today)) == 1


def test_another_persons_orders_are_not_counted(huang, clinics, today):
    clinic, hospital, _ = clinics
    drug = Drug.objects.get(pk="BC22035100")
    _visit(huang, clinic, today - dt.timedelta(days=20), drug)
    _visit(person(WU), hospital, today - dt.timedelta(days=5), drug)
    assert duplicate_medications(huang, today) == []
