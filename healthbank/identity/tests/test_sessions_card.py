"""A session signed in with an NHI card ends once that card is no longer valid (reported
lost, replaced): issue 24, a lost card "no longer signs in, reads or verifies anywhere".

陳志明 signs in with his card every way the sites offer it (My Health Bank's 健保卡 tab and
一般登入 with the card number, the registration site, the e-services' card panel) and with
his citizen certificate; then his card is reported lost, and each session's next request
gets what it should."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from healthbank.cards import services as cards
from healthbank.identity.models import Account, WebSession
from healthbank.identity.sessions import SIGNED_IN_CARD
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    eservice_sign_in,
    registered,
    seed_personas,
)
from healthbank.identity.tests.test_sessions import _captcha, _portal, _registration_site
from healthbank.people.models import NhiCard

pytestmark = pytest.mark.django_db

CARD_GONE_ZH = "您登入時使用的健保卡已掛失或換發"
CARD_GONE_EN = "the NHI card you signed in with was reported lost or replaced"


@pytest.fixture(autouse=True)
def personas():
    seed_personas()


@pytest.fixture
def chen() -> Account:
    return registered()


def _typed_card_number(client: Client | None = None) -> Client:
    """一般登入: national ID + the card number typed + password."""
    client = client or Client()
    data = {
        "tab": "password",
        "password-national_id": CHEN_ID,
        "password-card_number": CHEN_CARD,
        "password-password": PASSWORD,
    }
    response = client.post("/login/", data | _captcha(client, "/login/", "password"))
    assert response["Location"] == "/bank/", "the sign-in failed"
    return client


def _eservice_card() -> Client:
    return eservice_sign_in(Client(), CHEN_ID, password=PASSWORD)


def _card_pk() -> int:
    return NhiCard.objects.get(number=CHEN_CARD).pk


def _session(client: Client):
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return WebSession.objects.get(session_key=key).get_decoded()


def _stored(client: Client) -> bool:
    key = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return key is not None and WebSession.objects.filter(session_key=key.value).exists()


@pytest.mark.parametrize(
    ("sign_in", "page", "sign_in_page"),
    [
        (_portal, "/bank/", "/login/"),
        (_typed_card_number, "/bank/", "/login/"),
        (_registration_site, "/register/account/", "/register/"),
        (_eservice_card, "/eservice/", "/eservice/login/"),
    ],
    ids=["portal-card", "portal-card-number", "registration-site", "eservice-card"],
)
def test_a_session_signed_in_with_a_card_ends_when_the_card_is_reported_lost(
    chen, sign_in, page, sign_in_page
):
    client = sign_in()
    assert _session(client)[SIGNED_IN_CARD] == _card_pk()
    assert client.get(page).status_code == 200

    cards.report_lost(person=chen.person)

    response = client.get(page, follow=True)
    assert response.redirect_chain[0] == (sign_in_page, 302)
    assert CARD_GONE_ZH in response.content.decode()
    assert not _stored(client)


def test_the_english_message_says_what_to_do(chen):
    client = _portal()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    cards.report_lost(person=chen.person)
    text = client.get("/bank/", follow=True).content.decode()
    assert CARD_GONE_EN in text
    assert "citizen digital certificate" in text


def test_a_session_with_a_valid_card_goes_on(chen):
    client = _portal()
    assert client.get("/bank/").status_code == 200
    assert client.get("/bank/").status_code == 200
    assert _stored(client)


def test_a_certificate_session_does_not_depend_on_the_card(chen):
    client = eservice_sign_in(Client(), CHEN_ID)  # certificate + PIN
    assert SIGNED_IN_CARD not in _session(client)
    cards.report_lost(person=chen.person)
    assert client.get("/eservice/").status_code == 200


def test_a_replaced_card_ends_its_sessions_too(chen):
    """Not only a lost card: a card replaced (damaged, data change) stops working as well."""
    client = _eservice_card()
    NhiCard.objects.filter(number=CHEN_CARD).update(status=NhiCard.Status.REPLACED)
    response = client.get("/eservice/")
    assert response["Location"] == "/eservice/login/"
    assert not _stored(client)
