"""Virtual smart cards for the card agent: NHI cards and citizen digital certificates.

A real NHI card carries its data and a private key in its chip; the reader component on
the person's PC reads the data and signs with the key. Here each card is a JSON file under
CARD_READER_DIR (outside the repo's tracked tree), and "inserting" a card writes its
number to `inserted.json`. The server keeps only the card's public key (NhiCard.public_key).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

SIGNATURE = ec.ECDSA(hashes.SHA256())  # how cards and certificates sign challenges


def ec_private_key(pem: bytes, password: bytes | None) -> ec.EllipticCurvePrivateKey:
    """A card's or the test CA's private key, all elliptic-curve; TypeError for another kind."""
    key = serialization.load_pem_private_key(pem, password)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"not an elliptic-curve key: {type(key).__name__}")
    return key


class CardError(Exception):
    """Something a card reader would report: no card, wrong PIN, locked card, a card NHIA
    no longer accepts (reported lost, replaced by a new one)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def reader_dir() -> Path:
    return Path(settings.CARD_READER_DIR)


def _card_path(card_number: str) -> Path:
    return reader_dir() / "cards" / f"{card_number}.json"


def _certificate_path(national_id: str) -> Path:
    return reader_dir() / "certificates" / f"{national_id}.json"


def _write_private(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(data, out, ensure_ascii=False)
    tmp.replace(path)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass(frozen=True)
class CardData:
    """What the NHI card's chip holds (as the reader component returns it)."""

    card_number: str
    national_id: str
    name: str
    birth_date: str  # ISO
    sex: str


def write_nhi_cards(cards: Iterable[tuple[CardData, ec.EllipticCurvePrivateKey]]) -> int:
    count = 0
    for data, key in cards:
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        _write_private(_card_path(data.card_number), data.__dict__ | {"private_key": private})
        count += 1
    return count


# A card NHIA has withdrawn: the reader component refuses it (the real one asks NHIA's cloud
# service, 雲端健保卡服務, whether the card is still valid).
WITHDRAWN = {
    "lost": "This NHI card was reported lost and can no longer be used. Use your new card.",
    "replaced": "This NHI card was replaced by a new one and can no longer be used.",
}


def withdraw_nhi_card(card_number: str, status: str) -> bool:
    """Mark a card's file lost or replaced, so reading and signing with it are refused from
    now; False when this reader has no file for the card."""
    if status not in WITHDRAWN:
        raise ValueError(f"not a withdrawn card's status: {status}")
    path = _card_path(card_number)
    try:
        data = _load(path)
    except CardError:
        return False
    data["status"] = status
    _write_private(path, data)
    return True


def _usable_card(number: str) -> dict:
    data = _load(_card_path(number))
    if (status := data.get("status")) in WITHDRAWN:
        raise CardError(f"card_{status}", WITHDRAWN[status])
    return data


def write_certificate_card(
    national_id: str, name: str, certificate_pem: str, key: ec.EllipticCurvePrivateKey, pin: str
) -> None:
    """A citizen digital certificate card: its private key is encrypted with the PIN."""
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(pin.encode()),
    ).decode()
    _write_private(
        _certificate_path(national_id),
        {
            "national_id": national_id,
            "name": name,
            "certificate": certificate_pem,
            "private_key": private,
            "pin_failures": 0,
        },
    )


def certificate_pem(national_id: str) -> str:
    """The certificate on a person's certificate card (CardError no_card if none)."""
    return _load(_certificate_path(national_id))["certificate"]


def has_certificate(national_id: str) -> bool:
    return _certificate_path(national_id).exists()


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise CardError("no_card", "No such card in the reader's files.") from None


# --- the reader slots ----------------------------------------------------------------------

PIN_TRIES = 3  # a citizen certificate card locks after three wrong PINs


def _inserted_path() -> Path:
    return reader_dir() / "inserted.json"


def inserted() -> dict:
    """{"nhi": card number, "certificate": national ID}, each present when inserted."""
    try:
        return json.loads(_inserted_path().read_text())
    except FileNotFoundError:
        return {}


def insert(*, card_number: str | None = None, certificate_of: str | None = None) -> None:
    slots = inserted()
    if card_number is not None:
        _load(_card_path(card_number))
        slots["nhi"] = card_number
    if certificate_of is not None:
        _load(_certificate_path(certificate_of))
        slots["certificate"] = certificate_of
    _write_private(_inserted_path(), slots)


def eject(slot: str | None = None) -> None:
    slots = {} if slot is None else {k: v for k, v in inserted().items() if k != slot}
    _write_private(_inserted_path(), slots)


def card_number_for(national_id: str) -> str | None:
    """The card file of a person (by national ID), for `cardagent insert A123456789`: the one
    still in use when a lost or replaced card's file is there too."""
    for path in (reader_dir() / "cards").glob("*.json"):
        data = _load(path)
        if data["national_id"] == national_id and data.get("status") not in WITHDRAWN:
            return path.stem
    return None


def read_nhi_card() -> dict:
    number = inserted().get("nhi")
    if not number:
        raise CardError("no_card", "No NHI card is inserted.")
    data = _usable_card(number)
    return {"card_number": data["card_number"], "name": data["name"]}


def sign_with_nhi_card(challenge: str) -> dict:
    number = inserted().get("nhi")
    if not number:
        raise CardError("no_card", "No NHI card is inserted.")
    data = _usable_card(number)
    key = ec_private_key(data["private_key"].encode(), password=None)
    signature = key.sign(challenge.encode(), SIGNATURE)
    return {
        "card_number": number,
        "name": data["name"],
        "signature": base64.b64encode(signature).decode(),
    }


def read_certificate_card() -> dict:
    national_id = inserted().get("certificate")
    if not national_id:
        raise CardError("no_card", "No citizen digital certificate is inserted.")
    data = _load(_certificate_path(national_id))
    return {"name": data["name"]}


def sign_with_certificate(challenge: str, pin: str) -> dict:
    national_id = inserted().get("certificate")
    if not national_id:
        raise CardError("no_card", "No citizen digital certificate is inserted.")
    path = _certificate_path(national_id)
    data = _load(path)
    if data["pin_failures"] >= PIN_TRIES:
        raise CardError("pin_locked", "The card is locked after three wrong PINs.")
    try:
        key = ec_private_key(data["private_key"].encode(), pin.encode())
    except (ValueError, TypeError):
        data["pin_failures"] += 1
        _write_private(path, data)
        if data["pin_failures"] >= PIN_TRIES:
            raise CardError("pin_locked", "The card is locked after three wrong PINs.") from None
        raise CardError("pin_incorrect", "The PIN is incorrect.") from None
    if data["pin_failures"]:
        data["pin_failures"] = 0
        _write_private(path, data)
    signature = key.sign(challenge.encode(), SIGNATURE)
    return {
        "certificate": data["certificate"],
        "name": data["name"],
        "signature": base64.b64encode(signature).decode(),
    }
