"""The e-services' synthetic data (healthbank/synth/eservices.py) on a seeded population:
the same rows for the same seed, shares as the rules have them, reasons on every enrolment."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import TestCase

from healthbank.core.months import add_months
from healthbank.eservices import rules
from healthbank.eservices.models import (
    Case,
    CaseStep,
    CatastrophicIllness,
    FundSubsidy,
    PremiumSubsidy,
    SupplementaryExemption,
)
from healthbank.people.models import Enrolment, Person
from healthbank.synth.eservices import add_eservice_records
from healthbank.synth.population import years_after
from healthbank.synth.services import seed_population

TODAY = dt.date(2026, 11, 23)
MODELS = (PremiumSubsidy, SupplementaryExemption, FundSubsidy, CatastrophicIllness, Case)


def snapshot() -> dict[str, list[tuple]]:
    """Every e-service row of the database without its id, in a stable order."""
    found = {}
    for model in MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        found[model.__name__] = sorted(
            model.objects.values_list(*fields), key=lambda row: tuple(map(str, row))
        )
    found["CaseStep"] = sorted(CaseStep.objects.values_list("case__number", "status", "on"))
    return found


class SeededEservices(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed_population(people_count=1500, seed=5, today=TODAY)
        connection.check_constraints()

    def test_the_same_seed_gives_the_same_rows(self):
        before = snapshot()
        assert sum(len(rows) for rows in before.values()) > 50
        CaseStep.objects.all().delete()
        for model in MODELS:
            model.objects.all().delete()
        created_at = Person.objects.values_list("created_at", flat=True).first()
        add_eservice_records(5, TODAY, created_at)
        again = snapshot()
        # Numbers continue from what is left, so compare all but them.
        for name in ("PremiumSubsidy", "SupplementaryExemption", "FundSubsidy"):
            assert again[name] == before[name], name
        assert len(again["CatastrophicIllness"]) == len(before["CatastrophicIllness"])
        assert len(again["Case"]) == len(before["Case"])

    def test_subsidy_shares_are_the_rules(self):
        allowed = {
            PremiumSubsidy.Kind.DISABILITY: {
                rules.DISABILITY_MILD_SHARE,
                rules.DISABILITY_MODERATE_SHARE,
                rules.DISABILITY_SEVERE_SHARE,
            },
            PremiumSubsidy.Kind.MIDDLE_LOW_INCOME: {
                rules.MIDDLE_LOW_INCOME_SHARE,
                rules.MIDDLE_LOW_INCOME_YOUNG_OLD_SHARE,
            },
            PremiumSubsidy.Kind.ELDERLY: {rules.ELDERLY_MIDDLE_LOW_INCOME_SHARE},
            PremiumSubsidy.Kind.INDIGENOUS: {rules.INDIGENOUS_SHARE},
            PremiumSubsidy.Kind.UNEMPLOYED: {rules.UNEMPLOYED_SHARE},
        }
        kinds = set()
        for kind, share in PremiumSubsidy.objects.values_list("kind", "share"):
            kinds.add(kind)
            assert share in allowed[kind], (kind, share)
        assert {PremiumSubsidy.Kind.DISABILITY, PremiumSubsidy.Kind.MIDDLE_LOW_INCOME} <= kinds

    def test_unemployment_subsidies_last_six_or_nine_months(self):
        for subsidy in PremiumSubsidy.objects.filter(kind=PremiumSubsidy.Kind.UNEMPLOYED):
            months = {rules.UNEMPLOYED_MONTHS, rules.UNEMPLOYED_MONTHS_FROM_45}
            ends = {add_months(subsidy.start_date, m) - dt.timedelta(days=1) for m in months}
            assert subsidy.end_date in ends

    def test_cancer_certificates_last_five_years_from_a_cancer_visit(self):
        cancers = CatastrophicIllness.objects.filter(category=1)
        assert cancers.exists()
        for certificate in cancers:
            assert certificate.diagnosis_id.startswith("C")
            assert certificate.valid_until == years_after(
                certificate.valid_from, rules.CANCER_VALID_YEARS
            )

    def test_closed_cases_end_with_their_decision_and_payment(self):
        for case in Case.objects.prefetch_related("steps"):
            steps = [s.status for s in case.steps.all()]
            assert steps[0] == Case.Status.RECEIVED and steps[-1] == case.status
            if case.status == Case.Status.PAID:
                assert case.amount_approved and case.amount_approved <= case.amount_claimed

    def test_every_enrolment_says_why_it_began_and_a_closed_one_why_it_ended(self):
        assert not Enrolment.objects.filter(start_reason="").exists()
        assert not Enrolment.objects.filter(end_date__isnull=False, end_reason="").exists()
        assert set(
            Enrolment.objects.filter(status=Enrolment.Status.SUSPENDED).values_list(
                "end_reason", flat=True
            )
        ) <= {Enrolment.EndReason.ABROAD}
        newborns = Enrolment.objects.filter(start_reason=Enrolment.StartReason.BIRTH)
        assert newborns.exists()
        for e in newborns.select_related("person"):
            assert e.start_date == e.person.birth_date

    def test_the_personas_rows(self):
        chang = CatastrophicIllness.objects.filter(person__national_id="E223456785")
        assert {c.diagnosis_id for c in chang} == {"C50.912"}  # not her kidneys: stage G3b
        assert PremiumSubsidy.objects.filter(
            person__national_id="K223456780", kind=PremiumSubsidy.Kind.MIDDLE_LOW_INCOME
        ).exists()
        for national_id in ("A123456789", "A223456781", "F223456786", "B123456780"):
            assert not PremiumSubsidy.objects.filter(person__national_id=national_id).exists()
            assert not CatastrophicIllness.objects.filter(person__national_id=national_id).exists()
