"""A real SMART client against a live server: fhirclient (SMART's Python client, 4.4) is
registered, launched, consented to two categories by the person, exchanges its code with
PKCE S256 (fhirclient sends it on every launch), refreshes once (a replay is refused and
revokes the grant), and is revoked by the person.

fhirclient finds the server's endpoints in the FHIR CapabilityStatement (`metadata`), then
reads through the API what was granted and is refused the rest.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from fhirclient import client as smart_client
from fhirclient.server import FHIRPermissionDeniedException

from healthbank.fhir.access import bearer_access
from healthbank.fhir.models import Grant
from healthbank.fhir.tests.conftest import REDIRECT_URI
from tests.fixtures.personas import CHEN, PASSWORD

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCOPE = "launch/patient openid fhirUser offline_access patient/*.rs"


def access_of(token: str):
    request = RequestFactory().get("/fhir/r4/Patient", HTTP_AUTHORIZATION=f"Bearer {token}")
    return bearer_access(request)


def browser_of(person_client: Client) -> requests.Session:
    """The person's browser: a requests session holding their portal session cookie."""
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, person_client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return browser


def smart_app(live_server, listing) -> smart_client.FHIRClient:
    """The app as SMART's client sets itself up: it finds the authorize and token endpoints
    in the server's CapabilityStatement (`metadata`), as any SMART client would."""
    base = f"{live_server.url}/fhir/r4"
    config = requests.get(f"{base}/.well-known/smart-configuration", timeout=10).json()
    assert "S256" in config["code_challenge_methods_supported"]
    return smart_client.FHIRClient(
        settings={
            "app_id": listing.application.client_id,
            "api_base": base + "/",
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPE,
        }
    )


def consent(browser: requests.Session, url: str, categories: list[str]) -> str:
    """The person ticks `categories` and allows: the redirect back to the app."""
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    token = CSRF.search(page.text).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "categories": categories,
        "period": "1m",
        "password": PASSWORD,
        "allow": "1",
    }
    answer = browser.post(url, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def launch(live_server, person_client, listing, categories):
    app = smart_app(live_server, listing)
    url = app.authorize_url
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert "code_verifier" not in query
    callback = consent(browser_of(person_client), url, categories)
    app.handle_callback(callback)
    return app


@pytest.mark.django_db(transaction=True)
def test_a_smart_client_is_granted_refreshes_once_and_is_revoked(live_server, sign_in, make_app):
    listing, _secret = make_app()
    person_client = Client()
    chen = sign_in(person_client, CHEN)

    app = launch(live_server, person_client, listing, ["outpatient", "labs"])

    assert app.patient_id == str(chen.pk)
    auth = app.server.auth
    access = access_of(auth.access_token)
    assert access.categories == frozenset({"outpatient", "labs"})
    assert "Immunization" not in access.resource_types
    assert {"Condition", "Observation"} <= access.resource_types

    # Refresh: a new pair; the old refresh token is spent.
    spent = auth.refresh_token
    assert app.reauthorize()
    assert auth.refresh_token != spent
    assert access_of(auth.access_token) is not None
    replay = requests.post(
        live_server.url + reverse("oauth2_provider:token"),
        data={
            "grant_type": "refresh_token",
            "refresh_token": spent,
            "client_id": listing.application.client_id,
        },
        timeout=10,
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert access_of(auth.access_token) is None  # the whole grant went with it
    assert Grant.objects.get(person=chen).revoked_at is not None

    # Launched again, then revoked by the person on the App access page.
    app = launch(live_server, person_client, listing, ["vaccinations", "allergies"])
    assert access_of(app.server.auth.access_token) is not None
    browser = browser_of(person_client)
    page = browser.get(live_server.url + reverse("bank:apps"), timeout=10)
    grant = Grant.objects.get(person=chen, revoked_at__isnull=True)
    revoke = browser.post(
        live_server.url + reverse("bank:revoke_app", kwargs={"pk": grant.pk}),
        data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert revoke.status_code == 302
    assert access_of(app.server.auth.access_token) is None
    with pytest.raises(requests.HTTPError):
        app.reauthorize()


@pytest.mark.django_db(transaction=True)
def test_the_client_reads_what_was_granted_and_nothing_else_until_revoked(
    live_server, sign_in, make_app
):
    from fhirclient.models.condition import Condition
    from fhirclient.models.immunization import Immunization

    listing, _secret = make_app()
    person_client = Client()
    chen = sign_in(person_client, CHEN)
    app = launch(live_server, person_client, listing, ["outpatient", "labs"])
    headers = {"Authorization": f"Bearer {app.server.auth.access_token}"}
    base = f"{live_server.url}/fhir/r4"

    # Granted: outpatient diagnoses (Condition) and labs (Observation).
    conditions = Condition.where({"patient": str(chen.pk)}).perform_resources(app.server)
    assert conditions
    observations = requests.get(
        f"{base}/Observation?patient={chen.pk}", headers=headers, timeout=10
    )
    assert observations.status_code == 200
    # Not granted: the Patient resource (demographics unticked) and vaccinations.
    assert requests.get(f"{base}/Patient/{chen.pk}", headers=headers, timeout=10).status_code == 403
    with pytest.raises(FHIRPermissionDeniedException):
        Immunization.where({"patient": str(chen.pk)}).perform_resources(app.server)

    # Refreshed, it reads on; revoked by the person, it is refused and cannot refresh.
    assert app.reauthorize()
    assert Condition.where({"patient": str(chen.pk)}).perform_resources(app.server)
    grant = Grant.objects.get(person=chen, revoked_at__isnull=True)
    browser = browser_of(person_client)
    page = browser.get(live_server.url + reverse("bank:apps"), timeout=10)
    browser.post(
        live_server.url + reverse("bank:revoke_app", kwargs={"pk": grant.pk}),
        data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
        timeout=10,
    )
    token = app.server.auth.access_token
    refused = requests.get(
        f"{base}/Condition?patient={chen.pk}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(requests.HTTPError):
        app.reauthorize()
