"""Reading a card proves who holds it: one-time challenges, NHI card and certificate
signatures, and the certificate card's PIN."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from healthbank.external import cardreader, moica
from healthbank.identity import cards
from healthbank.identity.cards import CardRefused
from healthbank.identity.models import CardChallenge
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PIN,
    WIFE_CARD,
    WIFE_ID,
    card_fields,
    card_proof,
    certificate_fields,
    certificate_proof,
    seed_personas,
    sign_with_card,
    sign_with_certificate,
)
from healthbank.people.models import NhiCard, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas():
    seed_personas()


def verify(signed: dict, **changes):
    return cards.verify_card(
        challenge=changes.get("challenge", signed["challenge"]),
        card_number=changes.get("card_number", signed["card_number"]),
        signature=changes.get("signature", signed["signature"]),
    )


def refused_code(call) -> str:
    with pytest.raises(CardRefused) as refused:
        call()
    return refused.value.code


# --- NHI card -------------------------------------------------------------------------------


def test_reading_the_card_proves_its_holder(personas):
    proof = card_proof(CHEN_CARD)

    assert proof.kind == "card"
    assert proof.person.national_id == CHEN_ID
    assert proof.card.number == CHEN_CARD


def test_a_challenge_works_only_once(personas):
    signed = sign_with_card(CHEN_CARD)
    verify(signed)

    assert refused_code(lambda: verify(signed)) == "challenge"


def test_a_challenge_expires_after_two_minutes(personas):
    signed = sign_with_card(CHEN_CARD)
    CardChallenge.objects.filter(nonce=signed["challenge"]).update(
        created_at=timezone.now() - dt.timedelta(minutes=2, seconds=1)
    )

    assert refused_code(lambda: verify(signed)) == "challenge"


def test_a_challenge_still_works_just_before_two_minutes(personas):
    signed = sign_with_card(CHEN_CARD)
    CardChallenge.objects.filter(nonce=signed["challenge"]).update(
        created_at=timezone.now() - dt.timedelta(minutes=1, seconds=50)
    )

    assert verify(signed).person.national_id == CHEN_ID


def test_a_challenge_the_server_did_not_issue_is_refused(personas):
    cardreader.insert(card_number=CHEN_CARD)
    made_up = "a-challenge-the-attacker-chose"
    signed = cardreader.sign_with_nhi_card(made_up)

    refused = refused_code(
        lambda: cards.verify_card(
            challenge=made_up, card_number=CHEN_CARD, signature=signed["signature"]
        )
    )
    assert refused == "challenge"


def test_a_signature_of_another_challenge_is_refused(personas):
    old = sign_with_card(CHEN_CARD)
    fresh = cards.new_challenge()

    assert refused_code(lambda: verify(old, challenge=fresh)) == "signature"


def test_a_refused_signature_still_uses_up_the_challenge(personas):
    signed = sign_with_card(CHEN_CARD)
    refused_code(lambda: verify(signed, signature=base64.b64encode(b"x" * 64).decode()))

    assert refused_code(lambda: verify(signed)) == "challenge"


def test_another_card_signing_for_this_card_number_is_refused(personas):
    signed_by_wife = sign_with_card(WIFE_CARD)

    assert refused_code(lambda: verify(signed_by_wife, card_number=CHEN_CARD)) == "signature"


@pytest.mark.parametrize("status", [NhiCard.Status.REPLACED, NhiCard.Status.LOST])
def test_a_replaced_or_lost_card_is_refused(personas, status):
    NhiCard.objects.filter(number=CHEN_CARD).update(status=status)
    signed = sign_with_card(CHEN_CARD)

    assert refused_code(lambda: verify(signed)) == "card_invalid"


def test_an_unknown_card_number_is_refused(personas):
    signed = sign_with_card(CHEN_CARD)

    assert refused_code(lambda: verify(signed, card_number="000099999999")) == "card_invalid"


@pytest.mark.parametrize("signature", ["not base64!", "QUJD=x", ""])
def test_a_signature_that_is_not_base64_is_refused(personas, signature):
    signed = sign_with_card(CHEN_CARD)

    assert refused_code(lambda: verify(signed, signature=signature)) == "signature"


def test_form_fields_without_a_reading_ask_to_read_the_card(personas):
    fields = card_fields(CHEN_CARD) | {"card_signature": ""}

    assert refused_code(lambda: cards.verify_proof(fields)) == "missing"
    assert refused_code(lambda: cards.verify_proof({}, kind="certificate")) == (
        "missing_certificate"
    )


def test_form_fields_of_a_reading_give_the_proof(personas):
    assert cards.verify_proof(card_fields(CHEN_CARD)).person.national_id == CHEN_ID
    proof = cards.verify_proof(certificate_fields(WIFE_ID), kind="certificate")
    assert proof.person.national_id == WIFE_ID


def test_every_refusal_says_what_to_do_next():
    for code in CardRefused.MESSAGES:
        assert str(CardRefused(code).message)


# --- citizen digital certificate --------------------------------------------------------------


def test_a_valid_certificate_proves_the_citizen_it_names(personas):
    proof = certificate_proof(CHEN_ID)

    assert proof.kind == "certificate"
    assert proof.person == Person.objects.get(national_id=CHEN_ID)
    assert proof.card is None


def test_a_certificate_challenge_works_only_once(personas):
    signed = sign_with_certificate(CHEN_ID)
    check = lambda: cards.verify_certificate(**signed)  # noqa: E731
    check()

    assert refused_code(check) == "challenge"


def test_a_certificate_signed_for_by_another_card_is_refused(personas):
    by_wife = sign_with_certificate(WIFE_ID)
    chen = sign_with_certificate(CHEN_ID)

    refused = refused_code(
        lambda: cards.verify_certificate(
            challenge=by_wife["challenge"],
            certificate=chen["certificate"],
            signature=by_wife["signature"],
        )
    )
    assert refused == "signature"


def test_a_revoked_certificate_is_refused(personas):
    certificate = moica.issue_certificate(national_id=CHEN_ID, name="陳志明", pin=PIN)
    moica.revoke(certificate.serial_number)

    assert refused_code(lambda: certificate_proof(CHEN_ID)) == "revoked"


def test_a_certificate_of_someone_not_insured_is_refused(personas):
    moica.issue_certificate(national_id="Z199999999", name="外人", pin=PIN)

    assert refused_code(lambda: certificate_proof("Z199999999")) == "unknown_person"


def test_a_certificate_from_another_authority_is_refused(personas, settings, tmp_path):
    real_ca = settings.MOICA_DIR
    settings.MOICA_DIR = tmp_path / "another-ca"
    moica.issue_certificate(national_id=CHEN_ID, name="陳志明", pin=PIN)
    settings.MOICA_DIR = real_ca

    assert refused_code(lambda: certificate_proof(CHEN_ID)) == "untrusted"


# --- the certificate card's PIN ---------------------------------------------------------------


def pin_failures(national_id: str) -> int:
    path = cardreader.reader_dir() / "certificates" / f"{national_id}.json"
    return json.loads(path.read_text())["pin_failures"]


def card_error(call) -> str:
    with pytest.raises(cardreader.CardError) as error:
        call()
    return error.value.code


def test_a_wrong_pin_is_counted_on_the_card(personas):
    cardreader.insert(certificate_of=CHEN_ID)

    assert card_error(lambda: cardreader.sign_with_certificate("c", "000000")) == "pin_incorrect"
    assert pin_failures(CHEN_ID) == 1


def test_three_wrong_pins_lock_the_card_even_for_the_right_pin(personas):
    cardreader.insert(certificate_of=CHEN_ID)
    codes = [card_error(lambda: cardreader.sign_with_certificate("c", "000000")) for _ in "123"]

    assert codes == ["pin_incorrect", "pin_incorrect", "pin_locked"]
    assert card_error(lambda: cardreader.sign_with_certificate("c", PIN)) == "pin_locked"
    assert pin_failures(CHEN_ID) == 3


def test_the_right_pin_clears_earlier_wrong_ones(personas):
    cardreader.insert(certificate_of=CHEN_ID)
    for _ in range(2):
        card_error(lambda: cardreader.sign_with_certificate("c", "000000"))

    cardreader.sign_with_certificate("c", PIN)

    assert pin_failures(CHEN_ID) == 0
    assert card_error(lambda: cardreader.sign_with_certificate("c", "000000")) == "pin_incorrect"


def test_reading_without_a_card_in_the_reader_says_no_card(personas):
    cardreader.eject()

    assert card_error(lambda: cardreader.sign_with_nhi_card("c")) == "no_card"
    assert card_error(lambda: cardreader.sign_with_certificate("c", PIN)) == "no_card"


def test_handing_out_a_challenge_drops_long_expired_ones(personas):
    stale = cards.new_challenge()
    CardChallenge.objects.filter(nonce=stale).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    fresh = cards.new_challenge()

    assert list(CardChallenge.objects.values_list("nonce", flat=True)) == [fresh]
