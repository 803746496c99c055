"""The consent screen (/fhir/oauth/authorize/): who may see it, what it shows, what it
refuses without redirecting, what it refuses with an error redirect, and what allowing and
denying send back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.tests.conftest import (
    REDIRECT_URI,
    allow,
    authorize_query,
    authorize_url,
    redirect_params,
    start,
)
from tests.fixtures.personas import CHEN, PASSWORD

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_a_signed_out_person_is_sent_to_the_portals_sign_in_and_back(client, app):
    url, _verifier = start(app)
    response = client.get(url)
    assert response.status_code == 302
    login = urlsplit(response["Location"])
    assert login.path == reverse("identity:login")
    assert parse_qs(login.query)["next"] == [url]


def test_the_screen_shows_the_app_and_what_it_asks_per_category(client, sign_in, app):
    sign_in(english(client), CHEN)
    url, _verifier = start(app, scope="launch/patient patient/Condition.rs patient/Observation.rs")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Health Diary", "Diary Co.", "https://app.example/privacy"):
        assert text in html
    asked = [code for code, _label in response.context["form"].fields["categories"].choices]
    # Condition: the four visit categories; Observation: labs, preventive care, measurements.
    assert asked == [
        "outpatient",
        "inpatient",
        "dental",
        "tcm",
        "labs",
        "preventive",
        "measurements",
    ]
    assert response.context["form"].initial["categories"] == asked  # ticked, to untick
    assert "demographics" not in response.context["form"].fields  # Patient not asked
    assert "Western-medicine outpatient and pharmacy" in html


def test_the_screen_speaks_chinese_first(client, sign_in, app):
    sign_in(client, CHEN)
    url, _verifier = start(app)
    html = client.get(url).content.decode()
    assert "門診" in html or "西醫" in html
    assert "同意授權" in html


def test_demographics_are_offered_unticked_when_patient_is_asked(client, sign_in, app):
    sign_in(client, CHEN)
    url, _verifier = start(app, scope="launch/patient patient/Patient.rs patient/Immunization.rs")
    form = client.get(url).context["form"]
    assert "demographics" in form.fields
    assert not form.initial.get("demographics")


def test_granular_observation_category_asks_for_laboratory_records_only(client, sign_in, app):
    sign_in(client, CHEN)
    scope = (
        "launch/patient patient/Observation.rs?category="
        "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"
    )
    url, _verifier = start(app, scope=scope)
    asked = [code for code, _ in client.get(url).context["form"].fields["categories"].choices]
    assert asked == ["preventive", "measurements"]


def test_allowing_redirects_with_a_code_and_the_state_and_keeps_the_grant(client, sign_in, app):
    chen = sign_in(client, CHEN)
    url, _verifier = start(app, scope="launch/patient openid fhirUser patient/*.rs")
    params = allow(client, url, ["outpatient", "labs"], period="1m")
    assert params["code"]
    assert params["state"] == "s-123"
    assert params["iss"] == "http://testserver/fhir/r4"
    grant = Grant.objects.get(person=chen, listing=app)
    assert grant.categories == ["outpatient", "labs"]
    assert not grant.demographics
    assert 29 <= (grant.expires_at - grant.granted_at).days <= 30
    # The scopes of the ticked categories only, and the context scopes asked for.
    assert grant.scope.split() == [
        "openid",
        "fhirUser",
        "launch/patient",
        "patient/Condition.rs",
        "patient/Encounter.rs",
        "patient/ExplanationOfBenefit.rs",
        "patient/MedicationRequest.rs",
        "patient/Observation.rs",
        "patient/Procedure.rs",
    ]
    event = AuditEvent.objects.get(person=chen, action=AuditEvent.Action.APP_GRANTED)
    assert event.detail["categories"] == ["outpatient", "labs"]


def test_the_scope_keeps_to_what_was_asked_of_the_ticked_categories(client, sign_in, app):
    sign_in(client, CHEN)
    url, _verifier = start(app, scope="launch/patient patient/Condition.rs patient/Observation.rs")
    allow(client, url, ["outpatient"])
    # outpatient records are served as five types; the app asked for Condition alone.
    assert Grant.objects.get().scope.split() == ["launch/patient", "patient/Condition.rs"]


def test_a_category_not_asked_for_cannot_be_slipped_in(client, sign_in, app):
    sign_in(client, CHEN)
    url, _verifier = start(app, scope="launch/patient patient/Immunization.rs")
    response = client.post(
        url, {"categories": ["vaccinations", "labs"], "period": "1y", "password": PASSWORD}
    )
    assert response.status_code == 200  # refused: labs is no choice
    assert not Grant.objects.exists()


def test_a_period_longer_than_a_year_is_no_choice(client, sign_in, app):
    sign_in(client, CHEN)
    url, _verifier = start(app)
    response = client.post(url, {"categories": ["labs"], "period": "5y", "password": PASSWORD})
    assert response.status_code == 200
    assert not Grant.objects.exists()


def test_the_password_is_asked_again(client, sign_in, app):
    sign_in(client, CHEN)
    url, _verifier = start(app)
    response = client.post(url, {"categories": ["labs"], "period": "1d", "password": "wrong-1"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not Grant.objects.exists()


def test_denying_redirects_with_access_denied_and_the_state(client, sign_in, app):
    sign_in(client, CHEN)
    url, _verifier = start(app)
    params = redirect_params(client.post(url, {"deny": "1"}))
    assert params["error"] == "access_denied"
    assert params["state"] == "s-123"
    assert not Grant.objects.exists()


def form_action(response) -> list[str]:
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return policy["form-action"].split()


def test_the_consent_page_alone_lets_its_form_go_on_to_the_apps_origin(client, sign_in, app):
    """Browsers apply form-action to the redirect after Allow or Deny (Chromium does; the
    browser test is tests/e2e/test_app_consent.py): the consent page names the origin of
    the redirect URI it checked, and no other page does."""
    sign_in(client, CHEN)
    url, _verifier = start(app)
    assert form_action(client.get(url)) == ["'self'", "https://app.example"]
    retyped = client.post(url, {"categories": ["labs"], "period": "1d", "password": "wrong-1"})
    assert form_action(retyped) == ["'self'", "https://app.example"]
    assert form_action(client.get(reverse("bank:home"))) == ["'self'"]
    # A refused request (an unregistered redirect URI) names no origin.
    evil = client.get(authorize_url(authorize_query(app, redirect_uri="https://evil.example/cb")))
    assert form_action(evil) == ["'self'"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": None, "code_challenge_method": None},  # no PKCE
        {"code_challenge_method": None},  # plain, by default
        {"code_challenge_method": "plain"},
        {"aud": "https://elsewhere.example/fhir"},
        {"aud": None},  # SMART App Launch 2: aud is required
        {"aud": ""},
    ],
    ids=["missing-pkce", "default-plain", "plain", "wrong-aud", "no-aud", "empty-aud"],
)
def test_pkce_other_than_s256_and_a_foreign_aud_are_refused(client, sign_in, app, overrides):
    sign_in(client, CHEN)
    response = client.get(authorize_url(authorize_query(app, **overrides)))
    params = redirect_params(response)
    assert params["error"] == "invalid_request"
    assert params["state"] == "s-123"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        REDIRECT_URI + "/more",
        REDIRECT_URI + "?x=1",
        "http://app.example/callback",
    ],
)
def test_a_redirect_uri_not_registered_exactly_gets_an_error_page(
    client, sign_in, app, redirect_uri
):
    sign_in(client, CHEN)
    response = client.get(authorize_url(authorize_query(app, redirect_uri=redirect_uri)))
    assert response.status_code == 400
    assert "Location" not in response  # never sent to an address the app did not register


def test_an_unknown_client_gets_an_error_page(client, sign_in, app):
    sign_in(client, CHEN)
    response = client.get(authorize_url(authorize_query(app, client_id="nobody")))
    assert response.status_code == 400
    assert "Location" not in response


@pytest.mark.parametrize(
    "status", [Listing.Status.PENDING, Listing.Status.REJECTED, Listing.Status.SUSPENDED]
)
def test_an_app_not_approved_gets_a_clear_error_and_no_redirect(client, sign_in, make_app, status):
    sign_in(english(client), CHEN)
    listing, _secret = make_app(status=status)
    url, _verifier = start(listing)
    for response in (client.get(url), client.post(url, {"categories": ["labs"], "period": "1d"})):
        assert response.status_code == 403
        assert "not been approved by NHIA" in response.content.decode()
    assert not Grant.objects.exists()


def test_the_refusal_speaks_chinese_by_default(client, sign_in, make_app):
    sign_in(client, CHEN)
    listing, _secret = make_app(status=Listing.Status.PENDING)
    html = client.get(start(listing)[0]).content.decode()
    assert "健保署" in html


def test_a_sandbox_app_is_refused_to_a_person_not_on_the_sandbox_list(client, sign_in, make_app):
    from healthbank.fhir.models import SandboxPerson

    chen = sign_in(english(client), CHEN)
    listing, _secret = make_app(sandbox=True)
    assert SandboxPerson.objects.filter(person=chen).exists()  # seeding put the personas there
    url, _verifier = start(listing)
    assert client.get(url).status_code == 200
    SandboxPerson.objects.filter(person=chen).delete()
    response = client.get(url)
    assert response.status_code == 403
    assert "sandbox" in response.content.decode()


def test_a_developers_sign_in_cannot_consent(client, app, developer):
    client.force_login(developer.user)
    response = client.get(start(app)[0])
    assert response.status_code == 403


def test_an_app_asking_only_who_you_are_can_be_allowed_and_reads_nothing(client, sign_in, app):
    """openid fhirUser alone ("sign in with My Health Bank"): the screen says what the app
    gets, Allow gives a code, the grant has no categories, and the token reads nothing."""
    from healthbank.fhir.tests.conftest import exchange

    chen = sign_in(english(client), CHEN)
    url, verifier = start(app, scope="openid fhirUser launch/patient")
    page = client.get(url).content.decode()
    assert "asks only to confirm that you signed in" in page

    code = allow(client, url, [])["code"]
    body = exchange(client, app, code, verifier).json()

    grant = Grant.objects.get(person=chen)
    assert (grant.categories, grant.demographics) == ([], False)
    assert body["id_token"] and body["patient"] == str(chen.pk)
    read = client.__class__().get(
        f"/fhir/r4/Patient/{chen.pk}", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}"
    )
    assert read.status_code in (403, 404)
    assert chen.national_id not in read.content.decode() and chen.name not in read.content.decode()
    apps_page = client.get(reverse("bank:apps")).content.decode()
    assert "No records: only that you signed in" in apps_page


def test_unticking_every_record_asked_for_is_no_allow(client, sign_in, app):
    sign_in(english(client), CHEN)
    url, _verifier = start(app)
    response = client.post(url, {"categories": [], "period": "1d", "password": PASSWORD})
    assert response.status_code == 200
    assert "Choose at least one kind of record" in response.content.decode()
    assert not Grant.objects.exists()


@pytest.mark.parametrize("status", [Listing.Status.PENDING, Listing.Status.SUSPENDED])
def test_an_app_not_approved_never_gets_a_redirect_even_for_a_bad_request(
    client, sign_in, make_app, status
):
    """A suspended app may not use the consent as a redirector to its own addresses."""
    sign_in(english(client), CHEN)
    listing, _secret = make_app(status=status)
    for overrides in ({"scope": "nhi_id"}, {"response_type": "token"}):
        response = client.get(authorize_url(authorize_query(listing, **overrides)))

        assert response.status_code == 403 and "Location" not in response, overrides
