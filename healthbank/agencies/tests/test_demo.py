"""The demonstration relying party (/demo/income-query/) end to end against the live server:
its registration as `healthbank seed` makes it, the person's browser, Authlib in the RP
exchanging the code over HTTP and checking the id_token against the JWKS."""

from __future__ import annotations

import re

import pytest
import requests
from django.conf import settings
from django.test import Client

from healthbank.agencies import services
from healthbank.agencies.models import Agency
from healthbank.audit.models import AuditEvent
from tests.fixtures.personas import CHEN

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def loopback(live_server) -> str:
    """The live server by this machine's loopback address (the seeded redirect URIs')."""
    return live_server.url.replace("localhost", "127.0.0.1")


def post_form(browser: requests.Session, url: str, **fields) -> requests.Response:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    token = CSRF.search(page.text).group(1)
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": token, **fields},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )


@pytest.mark.django_db(transaction=True)
def test_the_demo_relying_party_shows_the_verified_claims(live_server, card_sign_in):
    agency = services.seed_demo_agency()
    assert services.seed_demo_agency() == agency  # seeding again keeps it
    assert agency.is_demo and agency.status == Agency.Status.APPROVED
    person_client = Client()
    chen = card_sign_in(person_client, CHEN)
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, person_client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    base = loopback(live_server)

    start = browser.get(f"{base}/demo/income-query/", timeout=10)
    assert "年度所得查詢（示範）" in start.text and "僅供示範" in start.text
    page = browser.get(f"{base}/demo/income-query/", timeout=10)
    token = CSRF.search(page.text).group(1)
    to_consent = browser.post(
        f"{base}/demo/income-query/sign-in/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/demo/income-query/"},
        allow_redirects=False,
        timeout=10,
    )
    assert to_consent.status_code == 302
    authorize_url = to_consent.headers["Location"]
    assert "code_challenge_method=S256" in authorize_url and "nonce=" in authorize_url
    back = post_form(browser, authorize_url, agree="1")
    assert back.status_code == 302 and "/demo/income-query/callback/" in back.headers["Location"]
    result = browser.get(back.headers["Location"], timeout=10)

    assert result.status_code == 200, result.text[:500]
    assert CHEN in result.text and chen.name in result.text
    assert chen.birth_date.isoformat() in result.text
    assert AuditEvent.objects.filter(
        person=chen, action=AuditEvent.Action.IDENTITY_RELEASED, actor_id=agency.pk
    ).exists()

    replay = browser.get(back.headers["Location"], timeout=10)  # the same code and state
    assert replay.status_code == 400


@pytest.mark.django_db
def test_the_demo_is_not_served_where_loopback_redirects_are_off(client, settings):
    """Production (no DEBUG): the demo relying party does not exist; none of its pages
    fetches this server's discovery document on a visitor's behalf."""
    settings.AGENCY_LOOPBACK_REDIRECTS = False
    assert client.get("/demo/income-query/").status_code == 404
    assert client.post("/demo/income-query/sign-in/").status_code == 404
    assert client.get("/demo/income-query/callback/?code=x&state=y").status_code == 404
