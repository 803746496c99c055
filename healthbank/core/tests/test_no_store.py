"""Cache-Control: no-store on every answer that may carry personal data
(core.middleware.NoStoreForPersonalData): both JSON APIs, every page served to someone signed
in or in the middle of a sign-in, every download; public pages stay cacheable."""

from __future__ import annotations

import pytest
from django.test import Client

from healthbank.employers.services import create_unit_login
from healthbank.identity import devices
from healthbank.identity.tests.cardhelpers import CHEN_ID, PASSWORD, registered, seed_personas
from healthbank.ingest.models import Credential
from healthbank.ingest.services import issue_credential
from healthbank.people.models import Enrolment
from healthbank.records.models import Provider
from tests.fixtures.portal import give_reason

pytestmark = pytest.mark.django_db

PHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


def never_stored(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


def test_the_apps_api_answers_are_never_stored(client):
    code, _row = devices.issue_code(account=registered())
    verified = client.post(
        "/api/v1/devices/verify", {"code": code, **PHONE}, content_type="application/json"
    )
    assert verified.status_code == 201 and never_stored(verified)  # a device credential
    login = {
        "national_id": CHEN_ID,
        "password": PASSWORD,
        "identifier": PHONE["identifier"],
        "device_credential": verified.json()["device_credential"],
    }
    signed_in = client.post("/api/v1/auth/login", login, content_type="application/json")
    assert signed_in.status_code == 200 and never_stored(signed_in)  # tokens
    bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}

    for path in ("/api/v1/categories", "/api/v1/devices", "/api/v1/vcard/authorisations"):
        answer = client.get(path, headers=bearer)
        assert answer.status_code == 200 and never_stored(answer), path
    refused = client.post(
        "/api/v1/auth/login", {**login, "password": "Wrong#1"}, content_type="application/json"
    )
    assert refused.status_code >= 400 and never_stored(refused)


def test_the_providers_api_answers_are_never_stored(client):
    token = issue_credential(credential=Credential(provider=Provider.objects.order_by("pk")[0]))
    bearer = {"Authorization": f"Bearer {token}"}
    batches = client.get("/providers/api/v1/batches", headers=bearer)
    assert batches.status_code == 200 and never_stored(batches)
    refused = client.post(
        "/providers/api/v1/vcard/verify",
        {"token": "forged"},
        content_type="application/json",
        headers=bearer,
    )
    assert refused.status_code >= 400 and never_stored(refused)


def test_pages_of_a_signed_in_person_are_never_stored(client):
    client.force_login(registered().user)
    for path in ("/bank/", "/bank/health/labs/", "/bank/downloads/", "/register/"):
        page = client.get(path, follow=True)
        assert page.status_code == 200 and never_stored(page), path


def test_pages_of_an_insured_unit_and_of_staff_are_never_stored(admin_client):
    unit = Enrolment.objects.filter(person__national_id=CHEN_ID).exclude(unit=None)[0].unit
    client = Client()  # admin_client is the `client` fixture, signed in as staff
    client.force_login(create_unit_login(unit, "unit-Passw0rd!").user)
    batches = client.get("/units/batches/")
    assert batches.status_code == 200 and never_stored(batches)
    asked = admin_client.get("/staff/reason/?next=/staff/")  # why staff search (staff_reads)
    assert asked.status_code == 200 and never_stored(asked)
    give_reason(admin_client)
    staff = admin_client.get("/staff/people/person/?q=A123456789")
    assert staff.status_code == 200 and never_stored(staff)


def test_a_sign_in_in_progress_is_never_stored():
    """The registration site keeps who is applying in the session before anyone signs in."""
    client = Client()
    session = client.session
    session["apply_rules"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    assert never_stored(client.get("/register/"))


def test_public_pages_are_not_marked(client):
    assert not client.get("/").has_header("Cache-Control")
    assert client.get("/app/")["Cache-Control"] == "no-cache"  # the app's shell, revalidated
