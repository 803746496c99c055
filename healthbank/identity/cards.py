"""Proof that a person holds their card: a one-time challenge signed by the NHI card (with
the public key registered for it) or by a citizen digital certificate (MOICA chain, validity,
revocation list)."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.external import moica
from healthbank.external.cardreader import SIGNATURE
from healthbank.identity import rules
from healthbank.identity.models import CardChallenge
from healthbank.people.models import NhiCard, Person


class CardRefused(Exception):
    """The card could not prove who holds it; `message` says what to do."""

    MESSAGES = {
        "missing": _("Insert your NHI card and press Read first."),
        "missing_certificate": _(
            "Insert your citizen digital certificate card, enter its PIN and press Read first."
        ),
        "challenge": _("The card reading has expired or was already used. Press Read again."),
        "signature": _("The card could not be verified. Press Read again."),
        "card_invalid": _(
            "This NHI card is no longer valid. Use your current card, or apply for a new one."
        ),
        "untrusted": _("The certificate is not issued by the MOICA certificate authority."),
        "expired": _(
            "The certificate has expired. Apply for a new one at a household registration office."
        ),
        "not_yet_valid": _("The certificate is not valid yet."),
        "revoked": _("The certificate has been revoked."),
        "crl_unavailable": _(
            "The certificate's revocation status cannot be checked now. Try again later."
        ),
        "unknown_person": _("No insured person matches this certificate."),
        "other_person": _("This card belongs to someone else. Insert your own card."),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.message = self.MESSAGES[code]


@dataclass(frozen=True)
class CardProof:
    kind: str  # "card" or "certificate"
    person: Person
    card: NhiCard | None = None


def new_challenge() -> str:
    nonce = secrets.token_urlsafe(32)
    now = timezone.now()
    # Expired challenges are worth nothing: drop them as new ones are handed out.
    CardChallenge.objects.filter(created_at__lt=now - 2 * rules.CHALLENGE_VALID_FOR).delete()
    CardChallenge.objects.create(nonce=nonce, created_at=now)
    return nonce


def _use_challenge(nonce: str) -> None:
    """Mark the challenge used, once; refuse it when unknown, used or expired."""
    fresh_since = timezone.now() - rules.CHALLENGE_VALID_FOR
    # One UPDATE: of two requests with the same challenge, only one can mark it used.
    used = CardChallenge.objects.filter(
        nonce=nonce, used_at__isnull=True, created_at__gt=fresh_since
    ).update(used_at=timezone.now())
    if used != 1:
        raise CardRefused("challenge")


def _signature(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CardRefused("signature") from None


def verify_card(*, challenge: str, card_number: str, signature: str) -> CardProof:
    _use_challenge(challenge)
    card = (
        NhiCard.objects.select_related("person")
        .filter(number=card_number, status=NhiCard.Status.VALID)
        .exclude(public_key="")
        .first()
    )
    if card is None:
        raise CardRefused("card_invalid")
    key = serialization.load_pem_public_key(card.public_key.encode())
    if not isinstance(key, ec.EllipticCurvePublicKey):  # cards sign with P-256
        raise CardRefused("signature")
    try:
        key.verify(_signature(signature), challenge.encode(), SIGNATURE)
    except InvalidSignature:
        raise CardRefused("signature") from None
    return CardProof("card", card.person, card)


def verify_certificate(*, challenge: str, certificate: str, signature: str) -> CardProof:
    _use_challenge(challenge)
    try:
        cert = moica.verify_certificate(certificate)
    except moica.CertificateRefused as exc:
        raise CardRefused(exc.code) from None
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):  # certificates sign with P-256
        raise CardRefused("signature")
    try:
        key.verify(_signature(signature), challenge.encode(), SIGNATURE)
    except (InvalidSignature, TypeError):
        raise CardRefused("signature") from None
    person = Person.objects.filter(national_id=moica.national_id_of(cert)).first()
    if person is None:
        raise CardRefused("unknown_person")
    return CardProof("certificate", person)


def verify_proof(data: dict, *, kind: str = "card") -> CardProof:
    """The proof posted by a form's card-reader fields (see cardreader.js)."""
    challenge = data.get("card_challenge") or ""
    signature = data.get("card_signature") or ""
    if kind == "certificate":
        certificate = data.get("card_certificate") or ""
        if not (challenge and signature and certificate):
            raise CardRefused("missing_certificate")
        return verify_certificate(challenge=challenge, certificate=certificate, signature=signature)
    card_number = data.get("card_number") or ""
    if not (challenge and signature and card_number):
        raise CardRefused("missing")
    return verify_card(challenge=challenge, card_number=card_number, signature=signature)
