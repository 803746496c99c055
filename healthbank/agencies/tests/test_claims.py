"""The identity claims: their values, and which client may ever be given them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from healthbank.agencies import claims
from healthbank.fhir.authserver import SmartValidator
from healthbank.people.models import Enrolment, Person
from tests.fixtures.personas import CHEN

EVERY_SCOPE = ["openid", "fhirUser", *claims.SCOPES]


def request_of(person: Person, client, scopes: list[str]) -> SimpleNamespace:
    user = SimpleNamespace(pk=42, account=SimpleNamespace(person=person, person_id=person.pk))
    return SimpleNamespace(user=user, client=client, scopes=scopes)


def test_insured_status_follows_the_newest_enrolment(personas):
    chen = Person.objects.get(national_id=CHEN)
    newest = Enrolment.objects.filter(person=chen).order_by("-start_date", "-pk").first()
    assert claims.insured_status(chen) == "active"

    for status, claim in [
        (Enrolment.Status.SUSPENDED, "suspended"),
        (Enrolment.Status.WITHDRAWN, "not_insured"),
    ]:
        Enrolment.objects.filter(pk=newest.pk).update(status=status)
        assert claims.insured_status(chen) == claim


def test_an_agency_gets_only_the_identity_claims_of_its_scopes(personas, agency):
    chen = Person.objects.get(national_id=CHEN)
    validator = SmartValidator()

    every = validator.get_oidc_claims(None, None, request_of(chen, agency.application, EVERY_SCOPE))
    one = validator.get_oidc_claims(
        None, None, request_of(chen, agency.application, ["openid", "birthdate"])
    )

    sub = claims.pairwise_subject(agency.application.client_id, 42)
    assert every == {
        "sub": sub,
        "national_id": CHEN,
        "name": chen.name,
        "birthdate": chen.birth_date.isoformat(),
        "insured_status": "active",
    }  # never fhirUser
    assert one == {"sub": sub, "birthdate": chen.birth_date.isoformat()}


@pytest.mark.parametrize("scopes", [EVERY_SCOPE, ["openid", "nhi_id", "profile"]])
def test_a_fhir_app_never_gets_an_identity_claim_whatever_its_scopes(personas, app, scopes):
    chen = Person.objects.get(national_id=CHEN)

    given = SmartValidator().get_oidc_claims(None, None, request_of(chen, app.application, scopes))

    assert not claims.CLAIMS & set(given)
    assert CHEN not in str(given)


def test_each_agency_knows_a_person_by_a_sub_of_its_own(personas, agency, app):
    """Pairwise: two agencies cannot match the people they were told about by `sub`, and
    the person's internal number reaches no agency (an app still gets it: fhirUser)."""
    chen = Person.objects.get(national_id=CHEN)
    other = SimpleNamespace(client_id="another-agency")
    validator = SmartValidator()

    def sub(client) -> str:
        return validator.get_oidc_claims(None, None, request_of(chen, client, ["openid"]))["sub"]

    here = sub(agency.application)
    assert here == sub(agency.application)  # stable for the one agency
    assert here != claims.pairwise_subject(other.client_id, 42) != "42"
    assert claims.pairwise_subject(agency.application.client_id, 43) != here
    assert sub(app.application) == "42"
