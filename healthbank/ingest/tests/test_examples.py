"""The documented examples are accepted as they are (for 陳志明 of the personas)."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthbank.eservices.models import Case
from healthbank.ingest.tests.helpers import credential_for, problems
from healthbank.records.models import EmergencyLoad, Provider, Vaccination, Visit
from healthbank.synth.network import AGENCY_CODES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
pytestmark = pytest.mark.django_db


def test_the_examples_are_accepted(personas, upload):
    hospital = Provider.objects.filter(kind=Provider.Kind.MEDICAL_CENTRE).order_by("pk").first()
    cdc = Provider.objects.get(code=AGENCY_CODES["cdc"])
    token = credential_for(hospital)
    for name, format in [("visits.ndjson", "ndjson"), ("visits.csv", "csv")]:
        batch = upload(token, (EXAMPLES / name).read_bytes(), format)
        assert problems(batch) == [], name
    batch = upload(credential_for(cdc), (EXAMPLES / "vaccinations.csv").read_bytes(), "csv")
    assert (problems(batch), batch.accepted, batch.voided) == ([], 1, 1)
    assert Visit.objects.filter(provider=hospital).count() == 2
    assert Vaccination.objects.filter(provider=cdc, source_id="CDC-2025-0000001").exists()
    for name, format in [("prior_reviews.ndjson", "ndjson"), ("prior_reviews.csv", "csv")]:
        batch = upload(token, (EXAMPLES / name).read_bytes(), format)
        assert problems(batch) == [], name
    partly = Case.objects.get(provider=hospital, source_id="PR-2026-000017")
    refused = Case.objects.get(provider=hospital, source_id="PR-2026-000018")
    assert (partly.status, refused.status) == (Case.Status.PARTLY, Case.Status.REJECTED)


def test_the_provider_examples_are_accepted(personas, upload):
    hospital = Provider.objects.filter(kind=Provider.Kind.MEDICAL_CENTRE).order_by("pk").first()
    token = credential_for(hospital)
    for name, format in [("provider.ndjson", "ndjson"), ("provider.csv", "csv")]:
        batch = upload(token, (EXAMPLES / name).read_bytes(), format)
        assert (problems(batch), batch.accepted) == ([], 2), name
    hospital.refresh_from_db()
    assert (hospital.latitude, hospital.emergency_level) == (25.040362, "severe")
    example = EmergencyLoad.objects.get(provider=hospital, source_id="ER-2026-01-15-1450")
    assert example.waiting_for_admission == 21
