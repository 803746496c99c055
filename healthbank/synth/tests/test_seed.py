"""Invariants of the synthetic population, checked on a seeded database."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Avg, Count
from django.test import TestCase

from healthbank.codes import models as codes
from healthbank.people.models import (
    Enrolment,
    Household,
    InsuredUnit,
    NhiCard,
    Person,
    PremiumBill,
)
from healthbank.records import models as records
from healthbank.synth.services import seed_population
from healthbank.synth.tests.test_streets import belongs

TODAY = dt.date(2026, 11, 23)
WINDOW_START = dt.date(2023, 11, 24)


def age(person: Person) -> int:
    return person.age_on(TODAY)


def readme_persona_rows() -> list[tuple[str, ...]]:
    """(national ID, card number, name, household number, address) from the README's table."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("## Demo personas", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 6 and cells[1].isdigit():
            rows.append(tuple(cells[:5]))
    return rows


class SeededPopulation(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.report = seed_population(people_count=1200, seed=11, today=TODAY)
        # PostgreSQL defers the foreign-key checks of every seeded row; TestCase checks
        # constraints after each test, and a savepoint's rollback keeps them pending, so
        # each test paid ~12 s for 400,000 checks. Checked here once, nothing stays pending.
        connection.check_constraints()

    def test_report_counts_what_was_written(self):
        assert self.report.people == 1200
        assert Person.objects.count() == 1200 + 10  # and the ten personas
        assert self.report.rows_by_table["visit"] == records.Visit.objects.count()

    def test_age_structure_is_taiwans(self):
        ages = [age(p) for p in Person.objects.all()]
        children = sum(a < 15 for a in ages) / len(ages)
        elderly = sum(a >= 65 for a in ages) / len(ages)
        assert 0.07 < children < 0.18, children
        assert 0.12 < elderly < 0.27, elderly

    def test_records_stay_inside_their_windows(self):
        visits = records.Visit.objects
        assert not visits.filter(visit_date__lt=WINDOW_START).exists()
        assert not visits.filter(visit_date__gt=TODAY).exists()
        assert not visits.filter(discharge_date__gt=TODAY).exists()
        assert not records.LabResult.objects.filter(collected_on__lt=WINDOW_START).exists()
        assert not records.Allergy.objects.filter(recorded_on__lt=dt.date(2015, 1, 1)).exists()
        assert not records.Vaccination.objects.filter(given_on__lt=dt.date(2003, 1, 1)).exists()
        for v in records.Vaccination.objects.select_related("person")[:2000]:
            assert v.person.birth_date <= v.given_on <= TODAY

    def test_visits_are_never_before_birth(self):
        for visit in records.Visit.objects.select_related("person").iterator():
            assert visit.visit_date >= visit.person.birth_date

    def test_chronic_refills_repeat_their_prescription(self):
        fills = records.Visit.objects.filter(chronic_refill=True, refill_number__in=(2, 3))
        assert fills.count() > 50
        for fill in fills.select_related("person")[:300]:
            # The prescription: same card sequence number, 28 days per earlier fill before.
            expected = fill.visit_date - dt.timedelta(days=28 * (fill.refill_number - 1))
            first = records.Visit.objects.get(
                person=fill.person,
                chronic_refill=True,
                refill_number=1,
                card_sequence=fill.card_sequence,
                visit_date__range=(
                    expected - dt.timedelta(days=4),
                    expected + dt.timedelta(days=4),
                ),
            )
            assert fill.kind == records.Visit.Kind.PHARMACY and fill.copayment == 0
            prescribed = sorted(first.drug_orders.values_list("drug_id", "days", "quantity"))
            assert prescribed == sorted(fill.drug_orders.values_list("drug_id", "days", "quantity"))
            assert all(days == 28 for _, days, _ in prescribed)

    def test_children_under_15_are_insured_under_a_parent(self):
        children = [p for p in Person.objects.all() if age(p) < 15]
        assert len(children) > 50
        for child in children:
            cover = child.enrolments.get(end_date__isnull=True)
            assert cover.role == Enrolment.Role.DEPENDANT
            assert cover.relation == Enrolment.Relation.CHILD
            parent = cover.insured_person
            assert parent.household_id == child.household_id
            assert age(parent) >= 18
            assert parent.enrolments.get(end_date__isnull=True).role == Enrolment.Role.INSURED

    def test_everyone_holds_exactly_one_valid_card(self):
        valid = NhiCard.objects.filter(status=NhiCard.Status.VALID)
        assert valid.count() == Person.objects.count()
        assert not Person.objects.annotate(n=Count("cards")).filter(n=0).exists()

    def test_every_household_has_its_head_among_its_members(self):
        for household in Household.objects.prefetch_related("members"):
            assert household.head in household.members.all()

    def test_premiums_are_billed_to_the_insured_only(self):
        payers = set(PremiumBill.objects.values_list("person_id", flat=True).distinct())
        dependants = set(
            Enrolment.objects.filter(role="dependant", end_date__isnull=True).values_list(
                "person_id", flat=True
            )
        )
        assert payers and not payers & dependants

    def test_every_code_used_exists_in_the_code_tables(self):
        checks = [
            (records.Visit, "primary_diagnosis_id", codes.Diagnosis),
            (records.Visit, "department_id", codes.Department),
            (records.VisitDiagnosis, "diagnosis_id", codes.Diagnosis),
            (records.DrugOrder, "drug_id", codes.Drug),
            (records.ServiceOrder, "service_id", codes.Service),
            (records.ServiceOrder, "tooth_id", codes.ToothPosition),
            (records.Surgery, "service_id", codes.Service),
            (records.Surgery, "body_site_id", codes.BodySite),
            (records.LabResult, "item_id", codes.LabItem),
            (records.ImagingReport, "service_id", codes.Service),
            (records.Vaccination, "vaccine_id", codes.Vaccine),
            (records.Allergy, "drug_id", codes.Drug),
        ]
        for model, column, table in checks:
            used = set(model.objects.exclude(**{column: None}).values_list(column, flat=True))
            missing = used - set(table.objects.values_list("code", flat=True))
            assert not missing, f"{model.__name__}.{column}: {sorted(missing)[:10]}"

    def test_visits_are_as_frequent_as_taiwans_and_rise_with_age(self):
        per_person = defaultdict(int)
        outpatient = records.Visit.objects.exclude(kind=records.Visit.Kind.INPATIENT)
        for person_id, n in outpatient.values_list("person_id").annotate(n=Count("id")):
            per_person[person_id] = n
        people = list(Person.objects.all())
        yearly = sum(per_person.values()) / len(people) / 3
        assert 10 <= yearly <= 22, yearly
        young = [per_person[p.id] for p in people if 20 <= age(p) < 40]
        old = [per_person[p.id] for p in people if age(p) >= 65]
        assert sum(old) / len(old) > 1.5 * sum(young) / len(young)

    def test_inpatient_stays_have_summaries_and_surgeries_have_body_sites(self):
        stays = records.Visit.objects.filter(kind=records.Visit.Kind.INPATIENT)
        assert stays.exists()
        assert stays.filter(discharge_summary__isnull=True).count() == 0
        assert not stays.filter(discharge_date__isnull=True).exists()
        assert records.Surgery.objects.exists()

    def test_lab_flags_agree_with_reference_ranges(self):
        for result in records.LabResult.objects.select_related("item").exclude(value=None)[:3000]:
            item = result.item
            if item.reference_high is not None and result.value > item.reference_high:
                assert result.flag == "H"
            elif item.reference_low is not None and result.value < item.reference_low:
                assert result.flag == "L"
            else:
                assert result.flag == ""

    def test_adult_preventive_checks_follow_eligibility(self):
        for check in records.PreventiveCheck.objects.select_related("person"):
            assert check.person.age_on(check.checked_on) >= 40

    def test_personas_are_what_the_readme_says(self):
        chen = Person.objects.get(national_id="A123456789")
        assert chen.name == "陳志明" and age(chen) == 60
        assert records.Visit.objects.filter(
            person=chen, chronic_refill=True, refill_number=3
        ).exists()
        assert chen.cards.get(status="valid").number == "000090000001"

        mother = Person.objects.get(national_id="F223456786")
        kids = Enrolment.objects.filter(insured_person=mother, relation="child", end_date=None)
        assert sorted(age(e.person) for e in kids) == [5, 9]

        dentist_fan = Person.objects.get(national_id="B123456780")
        assert records.Visit.objects.filter(person=dentist_fan, kind="dental").count() >= 10

        ckd = Person.objects.get(national_id="E223456785")
        egfr = records.LabResult.objects.filter(person=ckd, item__short_name__iexact="eGFR")
        values = list(egfr.order_by("collected_on").values_list("value", flat=True))
        assert len(values) >= 6 and values[0] > values[-1]
        assert (
            records.LabResult.objects.filter(person=ckd, item__short_name__icontains="ACR").count()
            >= 3
        )

        hbv = Person.objects.get(national_id="H123456786")
        hbeag = records.LabResult.objects.filter(person=hbv, item__short_name__icontains="HBeAg")
        assert hbeag.exists() and all(r.flag == "A" for r in hbeag)
        assert (
            records.LabResult.objects.filter(person=hbv, item__short_name__icontains="ALT").count()
            >= 3
        )
        liver_scans = records.ImagingReport.objects.filter(person=hbv, body_site_id="LIVER")
        assert liver_scans.count() >= 3

        nobody = Person.objects.get(national_id="K223456780")
        assert not records.Visit.objects.filter(person=nobody).exists()
        assert nobody.enrolments.exists()

    def test_readme_persona_table_is_what_seeding_makes(self):
        """The README's table gives what registration asks for; it must stay true."""
        rows = readme_persona_rows()
        assert len(rows) == 10
        for national_id, card, name, number, address in rows:
            person = Person.objects.select_related("household__village__township__county").get(
                national_id=national_id
            )
            household = person.household
            township = household.village.township
            shown = (
                f"{township.county.name_zh} {township.name_zh} {household.village.name_zh} "
                f"{household.neighbourhood}鄰 {household.street_address}"
            )
            assert (person.name, number, address) == (name, household.number, shown)
            assert person.cards.get(status="valid").number == card

    def test_addresses_name_roads_of_their_own_township(self):
        households = Household.objects.values_list("village__township_id", "street_address")
        assert households
        for township, street in households:
            assert belongs(street, township), (township, street)
        for model in (records.Provider, InsuredUnit):
            for township, county, town, address in model.objects.filter(
                township__isnull=False
            ).values_list(
                "township_id", "township__county__name_zh", "township__name_zh", "address"
            ):
                assert address.startswith(county + town), address
                assert belongs(address.removeprefix(county + town), township), address

    def test_new_rows_after_seeding_get_fresh_ids(self):
        person = Person.objects.create(
            national_id="A100000001", name="新", sex="M", birth_date=dt.date(1990, 1, 1)
        )
        assert person.id > max(Person.objects.exclude(id=person.id).values_list("id", flat=True))


class Determinism(TestCase):
    def fingerprint(self):
        return (
            list(
                Person.objects.order_by("national_id").values_list(
                    "national_id", "name", "birth_date"
                )
            ),
            list(
                records.Visit.objects.order_by(
                    "person__national_id", "visit_date", "kind", "points"
                ).values_list(
                    "person__national_id", "visit_date", "kind", "primary_diagnosis_id", "points"
                )
            ),
            records.LabResult.objects.aggregate(Avg("value")),
            list(
                Household.objects.order_by("number").values_list(
                    "number", "village_id", "neighbourhood", "street_address"
                )
            ),
        )

    def wipe(self):
        Enrolment.objects.all().delete()
        Person.objects.all().delete()
        Household.objects.all().delete()

    def test_same_seed_same_population_other_seed_other_population(self):
        seed_population(people_count=120, seed=5, today=TODAY)
        first = self.fingerprint()
        self.wipe()
        seed_population(people_count=120, seed=5, today=TODAY)
        assert self.fingerprint() == first
        self.wipe()
        seed_population(people_count=120, seed=6, today=TODAY)
        assert self.fingerprint()[0] != first[0]


@pytest.mark.django_db
def test_seed_command_reports_rows_and_refuses_bad_input():
    from io import StringIO

    out = StringIO()
    call_command("seed", people=15, seed=2, no_personas=True, today=TODAY, stdout=out)
    assert "Seeded 15 people" in out.getvalue() and "rows/s" in out.getvalue()
    assert Person.objects.count() == 15
    with pytest.raises(CommandError, match="--people"):
        call_command("seed", people=-1)
    assert Person.objects.count() == 15
