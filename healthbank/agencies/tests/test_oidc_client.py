"""A standard OpenID Connect client (Authlib's OAuth2Session, joserfc for the JWKS) against
the live server, as an agency's website would be: discovery, authorisation code with PKCE
S256, state and nonce, the person's agreement on the consent page, the token exchange, and
the id_token checked against the published keys. Then what must be refused."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from healthbank.agencies.models import Agency, SpentCode
from healthbank.agencies.tests.conftest import ALL_SCOPES, REDIRECT_URI
from healthbank.audit.models import AuditEvent
from tests.fixtures.personas import CHEN

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DISCOVERY = "/fhir/r4/.well-known/openid-configuration"


def discovery(live_server) -> dict:
    return requests.get(live_server.url + DISCOVERY, timeout=10).json()


def browser_of(person_client: Client) -> requests.Session:
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, person_client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return browser


def rp_session(agency: Agency, scope: str, secret: str = "") -> OAuth2Session:
    return OAuth2Session(
        client_id=agency.application.client_id,
        client_secret=secret or None,
        scope=scope,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
    )


def authorize(rp: OAuth2Session, config: dict) -> tuple[str, str, str, str]:
    """(url, state, nonce, code_verifier) as the client makes them."""
    verifier = "v" * 20 + OAuth2Session.__name__ + "x" * 30  # 55 characters, RFC 7636
    nonce = "n-" + "7" * 20
    url, state = rp.create_authorization_url(
        config["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    return url, state, nonce, verifier


def agree(browser: requests.Session, url: str, answer: str = "agree") -> str:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    form = {"csrfmiddlewaretoken": CSRF.search(page.text).group(1), answer: "1"}
    back = browser.post(url, data=form, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:300]
    return back.headers["Location"]


def verified_claims(config: dict, token: dict, agency: Agency, nonce: str) -> dict:
    keys = KeySet.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], keys)
    checked = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"iss": {"values": [config["issuer"]]}},
        {
            "nonce": nonce,
            "client_id": agency.application.client_id,
            "access_token": token["access_token"],
        },
    )
    checked.validate()
    return dict(checked)


def sign_in_flow(live_server, person_client, agency, scope=ALL_SCOPES, secret=""):
    config = discovery(live_server)
    rp = rp_session(agency, scope, secret)
    url, state, nonce, verifier = authorize(rp, config)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge"] == [create_s256_code_challenge(verifier)]
    callback = agree(browser_of(person_client), url)
    token = rp.fetch_token(
        config["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    return config, rp, token, nonce, callback


@pytest.mark.django_db(transaction=True)
def test_a_standard_client_signs_the_person_in_and_reads_the_agreed_claims(
    live_server, card_sign_in, make_agency
):
    agency, secret = make_agency(confidential=True)
    person_client = Client()
    chen = card_sign_in(person_client, CHEN)

    config, rp, token, nonce, callback = sign_in_flow(
        live_server, person_client, agency, secret=secret
    )

    assert parse_qs(urlsplit(callback).query)["iss"] == [config["issuer"]]
    claims = verified_claims(config, token, agency, nonce)
    assert claims["national_id"] == CHEN
    assert claims["name"] == chen.name
    assert claims["birthdate"] == chen.birth_date.isoformat()
    assert claims["insured_status"] in {"active", "suspended", "not_insured"}
    assert "fhirUser" not in claims
    assert "refresh_token" not in token  # a sign-in, not standing access
    userinfo = rp.get(config["userinfo_endpoint"]).json()
    assert userinfo["national_id"] == CHEN and userinfo["sub"] == claims["sub"]

    released = AuditEvent.objects.filter(person=chen, action=AuditEvent.Action.IDENTITY_RELEASED)
    assert [(e.actor, e.actor_id, e.detail["via"]) for e in released.order_by("pk")] == [
        (AuditEvent.Actor.AGENCY, agency.pk, "id_token"),
        (AuditEvent.Actor.AGENCY, agency.pk, "userinfo"),
    ]
    assert released.first().detail["claims"] == [
        "birthdate",
        "insured_status",
        "name",
        "national_id",
    ]
    assert CHEN not in str(released.first().detail)  # the claims' names, never values


@pytest.mark.django_db(transaction=True)
def test_the_claims_are_only_those_asked_and_agreed(live_server, card_sign_in, agency):
    person_client = Client()
    card_sign_in(person_client, CHEN)

    config, rp, token, nonce, _callback = sign_in_flow(
        live_server, person_client, agency, scope="openid insured_status"
    )

    claims = verified_claims(config, token, agency, nonce)
    assert "insured_status" in claims
    assert not {"national_id", "name", "birthdate"} & set(claims)
    userinfo = rp.get(config["userinfo_endpoint"]).json()
    assert set(userinfo) == {"sub", "insured_status"}


@pytest.mark.django_db(transaction=True)
def test_a_claim_the_agency_was_not_registered_for_is_refused(
    live_server, card_sign_in, make_agency
):
    agency, _secret = make_agency(scopes=["insured_status"])
    person_client = Client()
    card_sign_in(person_client, CHEN)
    config = discovery(live_server)
    url, *_rest = authorize(rp_session(agency, "openid nhi_id"), config)

    answer = browser_of(person_client).get(url, allow_redirects=False, timeout=10)

    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_scope"]


@pytest.mark.django_db(transaction=True)
def test_a_replayed_code_is_refused_and_ends_what_it_was_exchanged_for(
    live_server, card_sign_in, agency
):
    person_client = Client()
    card_sign_in(person_client, CHEN)
    config, rp, token, _nonce, callback = sign_in_flow(live_server, person_client, agency)
    assert SpentCode.objects.count() == 1
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert rp.get(config["userinfo_endpoint"]).status_code == 200

    replay = requests.post(
        config["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": agency.application.client_id,
            "code_verifier": "v" * 20 + "OAuth2Session" + "x" * 30,
        },
        timeout=10,
    )

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert rp.get(config["userinfo_endpoint"]).status_code == 401  # revoked (RFC 6749 4.1.2)


@pytest.mark.django_db(transaction=True)
def test_a_missing_or_wrong_pkce_verifier_is_refused(live_server, card_sign_in, agency):
    person_client = Client()
    card_sign_in(person_client, CHEN)
    config = discovery(live_server)
    rp = rp_session(agency, ALL_SCOPES)
    url, _state, _nonce, _verifier = authorize(rp, config)
    code = parse_qs(urlsplit(agree(browser_of(person_client), url)).query)["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": agency.application.client_id,
    }

    missing = requests.post(config["token_endpoint"], data=exchange, timeout=10)
    wrong = requests.post(
        config["token_endpoint"], data={**exchange, "code_verifier": "w" * 50}, timeout=10
    )

    assert missing.status_code == 400 and "id_token" not in missing.text
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IDENTITY_RELEASED).exists()


@pytest.mark.django_db(transaction=True)
def test_the_discovery_document_names_the_identity_scopes_and_claims(live_server):
    config = discovery(live_server)

    assert {"openid", "nhi_id", "profile", "birthdate", "insured_status"} <= set(
        config["scopes_supported"]
    )
    assert {"national_id", "name", "birthdate", "insured_status"} <= set(config["claims_supported"])
    assert config["code_challenge_methods_supported"] == ["S256"]
    smart = requests.get(
        live_server.url + "/fhir/r4/.well-known/smart-configuration", timeout=10
    ).json()
    assert "nhi_id" not in smart["scopes_supported"]  # SMART apps are never offered it
