"""A page read as keys first (reads.page) answers exactly as rendering every resource and
matching it (reads.search): the same Bundles, totals, links and includes, for each
persona's own token; and a person's keys never hold another's rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from healthbank.fhir import reads
from healthbank.fhir.tests.tokens import app_token
from healthbank.people.models import Person
from healthbank.records.models import Visit
from healthbank.records.rules import Window
from healthbank.records.selectors import visits
from tests.fixtures.personas import CHANG, CHEN, CHEN_WIFE, HUANG, LIN, WU

pytestmark = pytest.mark.django_db

PEOPLE = (CHEN, CHEN_WIFE, LIN, HUANG, CHANG, WU)


def _queries() -> list[str]:
    today = timezone.localdate()
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    month = (today - dt.timedelta(days=400)).isoformat()[:7]
    since = (timezone.now() - dt.timedelta(days=1)).isoformat(timespec="seconds")
    return [
        "",
        "_count=200",
        "_count=7",
        "_count=7&_offset=7",
        "_count=3&_offset=1000",
        "_count=0",
        f"date=ge{year_ago}",
        f"date=lt{year_ago}&_count=5",
        f"date=eq{month}",
        f"date=ne{month}&_count=200",
        f"_lastUpdated=ge{since}".replace("+", "%2B"),
        "_include=*&_count=10",
        "patient=999999999",
    ]


@pytest.mark.parametrize("resource_type", sorted(reads.PAGED_TYPES))
def test_a_page_of_keys_answers_as_matching_every_resource(personas, monkeypatch, resource_type):
    chen = Person.objects.get(national_id=CHEN)
    Visit.objects.filter(person=chen, kind=Visit.Kind.WESTERN).order_by("-visit_date")[0].save()
    checked = 0
    for national_id in PEOPLE:
        person = Person.objects.get(national_id=national_id)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {app_token(person)}")
        for params in _queries():
            path = f"/fhir/r4/{resource_type}?{params}"
            monkeypatch.setattr(reads, "PAGED_TYPES", frozenset({resource_type}))
            paged = client.get(path)
            monkeypatch.setattr(reads, "PAGED_TYPES", frozenset())
            rendered = client.get(path)
            assert paged.status_code == rendered.status_code == 200, path
            assert paged.json() == rendered.json(), (national_id, path)
            checked += paged.json()["total"]
    assert checked > 50


def test_keys_are_the_persons_own_visits_of_the_window(personas):
    chen, lin = (Person.objects.get(national_id=n) for n in (CHEN, LIN))
    window = Window(dt.date(2000, 1, 1), timezone.localdate())
    kinds = [Visit.Kind.WESTERN, Visit.Kind.PHARMACY]
    keys = visits.visit_keys(chen, window, kinds)
    mine = visits.visits_with_details(chen, window, kinds, details=())
    assert [row["key"] for row in keys] == [visit.pk for visit in mine]
    theirs = set(Visit.objects.filter(person=lin).values_list("pk", flat=True))
    for detail in ("", "diagnoses", "drug_orders"):
        assert not {row["visit_id"] for row in visits.visit_keys(chen, window, kinds, detail)} & (
            theirs
        )
    page = visits.visits_with_details(chen, window, kinds, ids=[mine[0].pk, *theirs])
    assert [visit.pk for visit in page] == [mine[0].pk]
