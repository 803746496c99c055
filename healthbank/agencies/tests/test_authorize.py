"""The authorisation endpoint for an agency: what it refuses, who must sign in how, and the
consent page. (The whole flow with a real client is test_oidc_client.py.)"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from healthbank.agencies.models import Agency
from healthbank.agencies.tests.conftest import ALL_SCOPES, REDIRECT_URI
from healthbank.fhir.tests.conftest import authorize_query
from healthbank.fhir.tests.conftest import authorize_url as smart_authorize_url
from healthbank.fhir.tests.conftest import redirect_params as smart_redirect_params
from tests.fixtures.personas import CHEN


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def url_for(agency: Agency, **overrides) -> str:
    _verifier, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": agency.application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": ALL_SCOPES,
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    query.update(overrides)
    query = {k: v for k, v in query.items() if v is not None}
    return f"{reverse('oauth2_provider:authorize')}?{urlencode(query)}"


def params_of(response) -> dict[str, str]:
    assert response.status_code == 302, response.content[:400]
    assert response["Location"].startswith(REDIRECT_URI), response["Location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


@pytest.fixture
def chen_by_card(card_sign_in, client) -> Client:
    card_sign_in(client, CHEN)
    return client


def test_the_consent_page_names_the_agency_and_each_claim(chen_by_card, agency):
    page = chen_by_card.get(url_for(agency))  # in Chinese, the site's language

    assert page.status_code == 200
    text = page.content.decode()
    assert agency.name in text and agency.purpose in text and REDIRECT_URI in text
    for claim in ("身分證統一編號", "姓名", "出生日期", "目前是否在保（在保或停保）"):
        assert claim in text


def test_the_consent_page_lists_only_what_is_asked(chen_by_card, agency):
    page = chen_by_card.get(url_for(agency, scope="openid birthdate"))

    text = page.content.decode()
    assert "<li>出生日期</li>" in text
    assert "身分證統一編號" not in text and "<li>姓名</li>" not in text


def test_agreeing_redirects_with_a_code_and_the_state(chen_by_card, agency):
    url = url_for(agency)
    params = params_of(chen_by_card.post(url, {"agree": "1"}))

    assert params["state"] == "st-1" and params["code"]


def test_declining_redirects_with_access_denied_and_shares_nothing(chen_by_card, agency):
    params = params_of(chen_by_card.post(url_for(agency), {"decline": "1"}))

    assert params["error"] == "access_denied" and "code" not in params


def test_a_wrong_redirect_uri_is_an_error_page_never_a_redirect(chen_by_card, agency):
    for uri in ("https://evil.example/callback", REDIRECT_URI + "/../x", REDIRECT_URI + "#f"):
        answer = chen_by_card.get(url_for(agency, redirect_uri=uri))

        assert answer.status_code == 400, uri
        assert "Location" not in answer
        assert "未提供任何資料" in answer.content.decode()


def test_an_unknown_client_is_an_error_page(chen_by_card, agency):
    answer = chen_by_card.get(url_for(agency, client_id="no-such-client"))

    assert answer.status_code == 400 and "Location" not in answer


@pytest.mark.parametrize("status", [Agency.Status.PENDING, Agency.Status.SUSPENDED])
def test_an_agency_not_approved_cannot_start(chen_by_card, make_agency, status):
    agency, _secret = make_agency(status=status)

    answer = chen_by_card.get(url_for(agency))

    assert answer.status_code == 403 and "Location" not in answer
    assert "未提供任何資料" in answer.content.decode()


def test_plain_pkce_or_none_is_refused_with_the_state(chen_by_card, agency):
    plain = params_of(
        chen_by_card.get(url_for(agency, code_challenge="a" * 50, code_challenge_method="plain"))
    )
    missing = params_of(
        chen_by_card.get(url_for(agency, code_challenge=None, code_challenge_method=None))
    )

    assert plain["error"] == "invalid_request" and plain["state"] == "st-1"
    assert missing["error"] == "invalid_request"


def test_an_agency_may_not_ask_for_smart_scopes(chen_by_card, agency):
    for scope in ("openid patient/*.rs", "openid fhirUser", "openid offline_access", "nhi_id"):
        params = params_of(chen_by_card.get(url_for(agency, scope=scope)))

        assert params["error"] == "invalid_scope", scope


def test_a_fhir_app_may_not_ask_for_identity_claims(card_sign_in, client, app):
    card_sign_in(client, CHEN)
    for scope in ("nhi_id", "profile", "birthdate", "insured_status"):
        query = authorize_query(app, scope=f"launch/patient openid {scope}")

        params = smart_redirect_params(client.get(smart_authorize_url(query)))

        assert params["error"] == "invalid_scope", scope


@pytest.mark.parametrize("method", ["password", "phone", None])
def test_a_session_not_signed_in_by_card_signs_in_again(card_sign_in, client, agency, method):
    card_sign_in(client, CHEN, method=method)
    url = url_for(agency)

    answer = client.get(url)

    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    assert target.path == reverse("identity:login")
    assert parse_qs(target.query) == {"tab": ["card"], "next": [url]}


def test_the_citizen_certificate_is_enough(card_sign_in, client, agency):
    card_sign_in(client, CHEN, method="certificate")

    assert client.get(url_for(agency)).status_code == 200


def test_nobody_signed_in_is_sent_to_the_card_sign_in(client, agency):
    answer = client.get(url_for(agency))

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("identity:login") + "?tab=card")


def test_a_staff_sign_in_cannot_agree(admin_client, agency):
    session = admin_client.session
    session["login_method"] = "card"
    session.save()

    assert admin_client.get(url_for(agency)).status_code == 403


@pytest.mark.parametrize("status", [Agency.Status.PENDING, Agency.Status.SUSPENDED])
@pytest.mark.parametrize(
    "overrides",
    [{"scope": "openid patient/*.rs"}, {"response_type": "token"}],
)
def test_an_agency_not_approved_never_gets_a_redirect_even_for_a_bad_request(
    chen_by_card, client, make_agency, status, overrides
):
    """A suspended agency may not use the sign-in as a redirector to its own addresses:
    a request the server refuses is an error page, never an error redirect."""
    agency, _secret = make_agency(status=status)
    for browser in (chen_by_card, Client()):
        answer = browser.get(url_for(agency, **overrides))

        assert answer.status_code == 403 and "Location" not in answer, answer.get("Location")
