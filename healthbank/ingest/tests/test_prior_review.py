"""事前審查 reported by the provider that asked for it (row type prior_review): the person's
e-services case opens under review, moves with the decision, and sending the same rows again
changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from healthbank.eservices.models import Case, CaseStep
from healthbank.identity.tests.cardhelpers import eservice_sign_in
from healthbank.ingest.tests.helpers import (
    ALICE,
    NOBODY,
    credential_for,
    days_ago,
    ndjson,
    problems,
)
from healthbank.records.models import Provider
from tests.fixtures.personas import CHANG, CHEN

pytestmark = pytest.mark.django_db


def review_row(record_id: str = "PR-2026-0001", **changes) -> dict:
    row = {
        "type": "prior_review",
        "id": record_id,
        "national_id": ALICE,
        "drug": "AC57114100",
        "submitted_on": days_ago(10),
    }
    return {k: v for k, v in (row | changes).items() if v is not None}


def steps(case: Case) -> list[str]:
    return list(CaseStep.objects.filter(case=case).values_list("status", flat=True))


def test_a_reported_case_opens_under_review_for_the_person(world, upload):
    batch = upload(world.hospital_token, ndjson(review_row()))
    assert problems(batch) == [] and batch.accepted == 1
    case = Case.objects.get(provider=world.hospital, source_id="PR-2026-0001")
    assert (case.person, case.kind, case.source, case.status) == (
        world.alice,
        Case.Kind.PRIOR_REVIEW,
        Case.Source.PROVIDER,
        Case.Status.REVIEWING,
    )
    assert case.subject.startswith("AC57114100")
    assert case.number.endswith(f"P{case.pk:08d}")
    assert steps(case) == [Case.Status.RECEIVED, Case.Status.REVIEWING]


def test_the_same_rows_again_change_nothing_and_the_decision_adds_its_step(world, upload):
    upload(world.hospital_token, ndjson(review_row()))
    upload(world.hospital_token, ndjson(review_row()))
    case = Case.objects.get(source_id="PR-2026-0001")
    assert Case.objects.filter(source_id="PR-2026-0001").count() == 1
    assert len(steps(case)) == 2

    decided = review_row(decision="partly", decided_on=days_ago(2), note="核定 3 個月療程")
    for _ in range(2):
        batch = upload(world.hospital_token, ndjson(decided))
        assert problems(batch) == []
    case.refresh_from_db()
    assert (case.status, case.decision_note) == (Case.Status.PARTLY, "核定 3 個月療程")
    assert str(case.decided_on) == days_ago(2)
    assert steps(case) == [Case.Status.RECEIVED, Case.Status.REVIEWING, Case.Status.PARTLY]

    upload(world.hospital_token, ndjson(review_row(decision="approved", decided_on=days_ago(1))))
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and steps(case)[-1] == Case.Status.APPROVED


def test_another_provider_with_the_same_case_number_has_its_own_case(world, upload):
    upload(world.hospital_token, ndjson(review_row()))
    upload(world.clinic_token, ndjson(review_row()))
    assert Case.objects.filter(source_id="PR-2026-0001").count() == 2


def test_a_void_removes_the_case(world, upload):
    upload(world.hospital_token, ndjson(review_row()))
    batch = upload(
        world.hospital_token, ndjson({"type": "prior_review", "id": "PR-2026-0001", "void": True})
    )
    assert batch.voided == 1 and not Case.objects.filter(source_id="PR-2026-0001").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"drug": None}, "service", "give either service or drug"),
        ({"service": "00109C"}, "service", "give either service or drug"),
        ({"decision": "approved"}, "decided_on", "come together"),
        ({"decision": "maybe", "decided_on": days_ago(1)}, "decision", "must be one of"),
        ({"decision": "approved", "decided_on": days_ago(20)}, "decided_on", "before the"),
        ({"note": "only a note"}, "note", "comes with a decision"),
        ({"drug": "XX00000000"}, "drug", "unknown drug code"),
        ({"national_id": NOBODY}, "national_id", "no insured person"),
        ({"submitted_on": "2026-13-01"}, "submitted_on", "not a valid date"),
    ],
)
def test_invalid_rows_are_refused_with_a_clear_problem(world, upload, changes, field, message):
    batch = upload(world.hospital_token, ndjson(review_row(**changes)))
    found = problems(batch)
    assert len(found) == 1 and found[0][1] == field and message in found[0][2], found
    assert not Case.objects.filter(source_id="PR-2026-0001").exists()


def test_the_person_sees_it_on_the_cases_page(personas, upload, client):
    hospital = Provider.objects.filter(kind=Provider.Kind.MEDICAL_CENTRE).order_by("pk").first()
    row = review_row(national_id=CHEN, decision="approved", decided_on=days_ago(1))
    batch = upload(credential_for(hospital), ndjson(row))
    assert problems(batch) == []
    case = Case.objects.get(source_id="PR-2026-0001")
    client.cookies["django_language"] = "en"
    signed_in = eservice_sign_in(client, CHEN)
    page = signed_in.get("/eservice/services/cases/").content.decode()
    assert case.number in page and "Prior review" in page and "Approved" in page
    detail = signed_in.get(f"/eservice/services/cases/{case.pk}/").content.decode()
    assert hospital.name in detail and "Reported by the provider" in detail
    assert (
        eservice_sign_in(Client(), CHANG).get(f"/eservice/services/cases/{case.pk}/").status_code
        == 404
    )
