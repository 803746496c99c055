"""An accepted record is on the person's portal pages as soon as its batch is done: the pages
read the live tables."""

from __future__ import annotations

import pytest
from django.urls import reverse

from healthbank.ingest.tests.helpers import credential_for, days_ago, ndjson, visit_row
from healthbank.records.models import Provider
from tests.fixtures.personas import CHEN

pytestmark = pytest.mark.django_db


def test_an_uploaded_visit_shows_on_the_outpatient_page(client, sign_in, upload):  # noqa: F811
    chen = sign_in(client, CHEN)
    hospital = Provider.objects.filter(kind=Provider.Kind.MEDICAL_CENTRE).order_by("pk").first()
    row = visit_row(
        "UPLOADED-1", national_id=chen.national_id, visit_date=days_ago(1), diagnoses=["A08.11"]
    )
    page = client.get(reverse("bank:western"))
    assert "A08.11" not in page.content.decode()

    batch = upload(credential_for(hospital), ndjson(row))
    assert (batch.status, batch.accepted) == ("done", 1)
    page = client.get(reverse("bank:western")).content.decode()
    assert "A08.11" in page
    assert hospital.name in page
