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

    assert every == {
        "sub": "42",
        "national_id": CHEN,
        "name": chen.name,
        "birthdate": chen.birth_date.isoformat(),
        "insured_status": "active",
    }  # never fhirUser
    assert one == {"sub": "42", "birthdate": chen.birth_date.isoformat()}


@pytest.mark.parametrize("scopes", [EVERY_SCOPE, ["openid", "nhi_id", "profile"]])
def test_a_fhir_app_never_gets_an_identity_claim_whatever_its_scopes(personas, app, scopes):
    chen = Person.objects.get(national_id=CHEN)

    given = SmartValidator().get_oidc_claims(None, None, request_of(chen, app.application, scopes))

    assert not claims.CLAIMS & set(given)
    assert CHEN not in str(given)
