"""Proving who you are in tests, without a browser or the card agent.

The virtual card reader (healthbank.external.cardreader) signs a fresh server challenge
exactly as the card agent would for a page; these helpers do the same in-process:

    seed_personas()                          # the ten personas, their cards and certificates
    proof = card_proof("000090000001")       # CardProof of 陳志明's NHI card
    proof = certificate_proof("A123456789")  # CardProof of his citizen certificate
    data = card_fields("000090000001")       # the POST fields a form's card reader sends
    data = certificate_fields("A123456789")
    data = household_fields(person)          # household number, village code, neighbourhood
    account = registered(CHEN_ID)            # registered online and confirmed with the card
    eservice_sign_in(client, CHEN_ID)        # an /eservice/ session: certificate + PIN
    eservice_sign_in(client, CHEN_ID, password=PASSWORD)  # ... or NHI card + password
    token = token_in(mail.outbox[-1])        # the token of the link in an e-mail

Each call inserts the card in the virtual reader and uses a new one-time challenge, so a
proof or a set of fields can be used once, within two minutes.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.core.mail import EmailMessage

from healthbank.external import cardreader
from healthbank.identity import cards, services
from healthbank.identity.cards import CardProof
from healthbank.identity.models import Account
from healthbank.people.models import Person
from healthbank.synth.personas import CERTIFICATE_PIN
from tests.fixtures import personas

TODAY = dt.date(2026, 11, 23)

# The personas these tests use most (healthbank/synth/personas.py).
CHEN_ID, CHEN_CARD = "A123456789", "000090000001"  # 陳志明
WIFE_ID, WIFE_CARD = "A223456781", "000090000002"  # 陳林秀英, his wife
PIN = CERTIFICATE_PIN
PASSWORD = "Health#2026"  # noqa: S105 - a strong registration password for tests


def seed_personas() -> None:
    """The ten personas with their NHI card files and (adults) certificate cards."""
    personas.seed_personas(today=TODAY)


def sign_with_card(card_number: str) -> dict:
    """Insert the NHI card and sign a new challenge: {"challenge", "card_number", "signature"}."""
    cardreader.insert(card_number=card_number)
    challenge = cards.new_challenge()
    signed = cardreader.sign_with_nhi_card(challenge)
    return {
        "challenge": challenge,
        "card_number": signed["card_number"],
        "signature": signed["signature"],
    }


def sign_with_certificate(national_id: str, pin: str = PIN) -> dict:
    """Insert the certificate card and sign a new challenge with the PIN:
    {"challenge", "certificate", "signature"}."""
    cardreader.insert(certificate_of=national_id)
    challenge = cards.new_challenge()
    signed = cardreader.sign_with_certificate(challenge, pin)
    return {
        "challenge": challenge,
        "certificate": signed["certificate"],
        "signature": signed["signature"],
    }


def card_proof(card_number: str) -> CardProof:
    """The proof a service gets when this NHI card is read (raises CardRefused if not)."""
    signed = sign_with_card(card_number)
    return cards.verify_card(
        challenge=signed["challenge"],
        card_number=signed["card_number"],
        signature=signed["signature"],
    )


def certificate_proof(national_id: str, pin: str = PIN) -> CardProof:
    """The proof a service gets when this person's citizen certificate is read."""
    signed = sign_with_certificate(national_id, pin)
    return cards.verify_certificate(
        challenge=signed["challenge"],
        certificate=signed["certificate"],
        signature=signed["signature"],
    )


def card_fields(card_number: str) -> dict[str, str]:
    """POST fields of a form whose card reader read this NHI card (cards.verify_proof)."""
    signed = sign_with_card(card_number)
    return {
        "card_challenge": signed["challenge"],
        "card_number": signed["card_number"],
        "card_signature": signed["signature"],
        "card_certificate": "",
    }


def certificate_fields(national_id: str, pin: str = PIN) -> dict[str, str]:
    """POST fields of a form whose card reader read this citizen certificate
    (cards.verify_proof with kind="certificate")."""
    signed = sign_with_certificate(national_id, pin)
    return {
        "card_challenge": signed["challenge"],
        "card_number": "",
        "card_signature": signed["signature"],
        "card_certificate": signed["certificate"],
    }


def household_fields(person: Person) -> dict:
    """The person's registered household as the registration form asks for it."""
    household = person.household
    return {
        "household_number": household.number,
        "village_code": household.village_id,
        "neighbourhood": household.neighbourhood,
    }


def token_in(message: EmailMessage) -> str:
    """The token of the confirmation or reset link in an e-mail."""
    match = re.search(r"/register/(?:confirm|reset)/([^/\s]+)/", message.body)
    assert match, "no confirmation or reset link in the e-mail"
    return match.group(1)


def registered(
    national_id: str = CHEN_ID, password: str = PASSWORD, email: str = "chen@example.com"
) -> Account:
    """The person applied online and confirmed the e-mailed link with their NHI card."""
    person = Person.objects.get(national_id=national_id)
    card_number = person.cards.get(status="valid").number
    services.apply_online(person=person, password=password, email=email)
    token = token_in(mail.outbox[-1])
    return services.confirm_registration(token=token, proof=card_proof(card_number))


def eservice_login_fields(national_id: str, password: str | None = None) -> dict[str, str]:
    """The /eservice/login/ form as sent: the NHI card + registration password panel when a
    password is given, else the citizen certificate + PIN panel."""
    if password is None:
        fields, method = certificate_fields(national_id), "certificate"
    else:
        card = Person.objects.get(national_id=national_id).cards.get(status="valid").number
        fields, method = card_fields(card) | {"password": password}, "card"
    return {f"{method}-{name}": value for name, value in fields.items()} | {"method": method}


def eservice_sign_in(client, national_id: str, password: str | None = None):
    """Sign the test client in to the personal e-services; the response must be the redirect
    to their list."""
    response = client.post("/eservice/login/", eservice_login_fields(national_id, password))
    assert response.status_code == 302 and response["Location"] == "/eservice/", response
    return client
