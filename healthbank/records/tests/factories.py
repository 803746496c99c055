"""Factories (factory_boy) for the records tests build by hand: a row with every field a
test does not care about filled in sensibly, the ones it names as it names them.

    visit = VisitFactory(person=wu, visit_date=today - dt.timedelta(days=10))
    DrugOrderFactory(visit=visit, drug_id="AC57114100")   # the visit's person, 28 days
    AllergyFactory(person=chen, substance="盤尼西林類")

A person is a new one (PersonFactory) and a provider a new Western-medicine clinic in the
first township unless a test passes them; codes (department 01, diagnosis I10, a drug) are
the loaded code tables' own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from healthbank.people.identifiers import check_digit
from healthbank.people.models import Person, Sex, Township
from healthbank.records import models


def _days_ago(days: int):
    return factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=days))


class RecordFactory(factory.django.DjangoModelFactory):
    """Codes default by id (`drug_id="AC57114100"`); a test may pass the row instead
    (`drug=drug`), which then wins."""

    class Meta:
        abstract = True

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        for name in [name for name in kwargs if f"{name}_id" in kwargs]:
            del kwargs[f"{name}_id"]
        return kwargs


class PersonFactory(factory.django.DjangoModelFactory):
    """Someone with a valid national ID no persona has, and no household."""

    class Meta:
        model = Person

    national_id = factory.Sequence(lambda n: (first := f"A2{n % 10**7:07d}") + check_digit(first))
    name = factory.Sequence(lambda n: f"王小明{n}")
    sex = Sex.FEMALE
    birth_date = dt.date(1980, 2, 3)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Provider

    code = factory.Sequence(lambda n: f"99{n:08d}")
    name = factory.Sequence(lambda n: f"Provider {n}")
    kind = models.Provider.Kind.CLINIC
    township = factory.LazyFunction(lambda: Township.objects.order_by("code").first())
    county = factory.SelfAttribute("township.county")
    phone = "02-23456789"
    address = "Somewhere 1"


class VisitFactory(RecordFactory):
    """A Western-medicine outpatient visit ten days ago, for hypertension."""

    class Meta:
        model = models.Visit

    person = factory.SubFactory(PersonFactory)
    provider = factory.SubFactory(ProviderFactory)
    source_id = factory.Sequence(lambda n: f"test-visit-{n}")
    kind = models.Visit.Kind.WESTERN
    visit_date = _days_ago(10)
    department_id = "01"
    primary_diagnosis_id = "I10"
    copayment = 50
    points = 300
    card_sequence = "0001"


class DrugOrderFactory(RecordFactory):
    """28 days of a drug, on a visit (of the visit's person)."""

    class Meta:
        model = models.DrugOrder

    visit = factory.SubFactory(VisitFactory)
    person = factory.SelfAttribute("visit.person")
    drug_id = "AC57114100"
    days = 28
    quantity = Decimal(28)


class SurgeryFactory(RecordFactory):
    """A surgery the day after its stay's admission."""

    class Meta:
        model = models.Surgery

    visit = factory.SubFactory(VisitFactory, kind=models.Visit.Kind.INPATIENT)
    person = factory.SelfAttribute("visit.person")
    performed_on = factory.LazyAttribute(lambda o: o.visit.visit_date + dt.timedelta(days=1))


class DischargeSummaryFactory(RecordFactory):
    """The summary of a stay, admitted and discharged on the visit's day."""

    class Meta:
        model = models.DischargeSummary

    visit = factory.SubFactory(VisitFactory, kind=models.Visit.Kind.INPATIENT)
    person = factory.SelfAttribute("visit.person")
    provider = factory.SelfAttribute("visit.provider")
    source_id = factory.Sequence(lambda n: f"test-discharge-{n}")
    admitted_on = factory.SelfAttribute("visit.visit_date")
    discharged_on = factory.SelfAttribute("visit.visit_date")
    chief_complaint = "-"
    diagnoses = "-"
    course = "-"
    discharge_plan = "-"


class AllergyFactory(RecordFactory):
    """An allergy recorded today."""

    class Meta:
        model = models.Allergy

    person = factory.SubFactory(PersonFactory)
    provider = factory.SubFactory(ProviderFactory)
    source_id = factory.Sequence(lambda n: f"test-allergy-{n}")
    recorded_on = factory.LazyFunction(timezone.localdate)
    substance = "盤尼西林類"


class CareWishFactory(RecordFactory):
    """A wish signed a month ago, noted on the card today (agency: a test passes one)."""

    class Meta:
        model = models.CareWish

    person = factory.SubFactory(PersonFactory)
    provider = factory.SubFactory(ProviderFactory, kind=models.Provider.Kind.AGENCY)
    source_id = factory.Sequence(lambda n: f"test-wish-{n}")
    kind = models.CareWish.Kind.HOSPICE
    signed_on = _days_ago(30)
    noted_on = factory.LazyFunction(timezone.localdate)


class MeasurementFactory(RecordFactory):
    """A weight the person entered just now."""

    class Meta:
        model = models.Measurement

    person = factory.SubFactory(PersonFactory)
    kind = models.Measurement.Kind.WEIGHT
    value = Decimal(60)
    measured_at = factory.LazyFunction(timezone.now)


class CalendarEventFactory(RecordFactory):
    """An event in the person's calendar today."""

    class Meta:
        model = models.CalendarEvent

    person = factory.SubFactory(PersonFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    date = factory.LazyFunction(timezone.localdate)


def duplicate_prescriptions(person: Person) -> list[models.Provider]:
    """Two clinics' visits ten and eleven days ago, each giving a drug of the same ATC
    chemical subgroup (AC57114100 and BC21571100): the duplicate-medication warning's case.
    Reference data (the personas' providers and departments) must be loaded. Returns the
    two clinics."""
    today = timezone.localdate()
    template = (
        models.Visit.objects.filter(kind=models.Visit.Kind.WESTERN)
        .select_related("department")
        .first()
    )
    clinics = list(models.Provider.objects.filter(kind=models.Provider.Kind.CLINIC)[:2])
    for n, (clinic, drug) in enumerate(zip(clinics, ("AC57114100", "BC21571100"), strict=True)):
        visit = VisitFactory(
            person=person,
            provider=clinic,
            visit_date=today - dt.timedelta(days=10 + n),
            department=template.department,
            card_sequence=f"{n + 1:04d}",
        )
        DrugOrderFactory(visit=visit, drug_id=drug)
    return clinics
