"""Apps, PKCE and the authorisation-code dance, for the authorisation server's tests."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from healthbank.fhir import services
from healthbank.fhir.models import Listing
from tests.fixtures.personas import PASSWORD

REDIRECT_URI = "https://app.example/callback"
SCOPE = "launch/patient openid fhirUser offline_access patient/*.rs"


def pkce() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def developer(db):
    return services.sign_up_developer(email="dev@app.example", password="Correct-horse-9")


@pytest.fixture
def make_app(developer):
    def make_app(
        *, sandbox: bool = False, confidential: bool = False, status: str = Listing.Status.APPROVED
    ) -> tuple[Listing, str]:
        listing, secret = services.register_app(
            developer=developer,
            name="Health Diary",
            publisher="Diary Co.",
            description="Keeps a diary of your visits.",
            privacy_policy="https://app.example/privacy",
            homepage="https://app.example/",
            redirect_uris=[REDIRECT_URI],
            confidential=confidential,
            sandbox=sandbox,
        )
        Listing.objects.filter(pk=listing.pk).update(status=status)
        listing.refresh_from_db()
        return listing, secret

    return make_app


@pytest.fixture
def app(make_app) -> Listing:
    """An approved production app, public client."""
    return make_app()[0]


def authorize_query(listing: Listing, **overrides) -> dict[str, str]:
    verifier, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": listing.application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": "s-123",
        "aud": "http://testserver/fhir/r4",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    query.update(overrides)
    return {key: value for key, value in query.items() if value is not None}


def authorize_url(query: dict[str, str]) -> str:
    return f"{reverse('oauth2_provider:authorize')}?{urlencode(query)}"


def redirect_params(response) -> dict[str, str]:
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(REDIRECT_URI), location
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def start(listing: Listing, **query) -> tuple[str, str]:
    """(authorize URL, verifier) with a fresh PKCE pair."""
    verifier, challenge = pkce()
    return authorize_url(authorize_query(listing, code_challenge=challenge, **query)), verifier


def allow(client, url: str, categories: list[str], period: str = "3m", **extra) -> dict:
    form = {"categories": categories, "period": period, "password": PASSWORD, "allow": "1"}
    form.update(extra)
    return redirect_params(client.post(url, form))


def exchange(client, listing: Listing, code: str, verifier: str, secret: str = ""):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": listing.application.client_id,
        "code_verifier": verifier,
    }
    if secret:
        data["client_secret"] = secret
    return client.post(reverse("oauth2_provider:token"), data)


def refresh(client, listing: Listing, refresh_token: str, secret: str = ""):
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": listing.application.client_id,
    }
    if secret:
        data["client_secret"] = secret
    return client.post(reverse("oauth2_provider:token"), data)
