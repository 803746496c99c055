"""The virtual card's one-time QR code: a token signed with Ed25519.

`HBVC1.<payload>.<signature>`, base64url without padding; the payload is the token's random
id (16 bytes) and its expiry (Unix seconds, 4 bytes). The signature lets a verifier refuse a
forged, garbled or expired code before any database work; the database then makes it single
use. The key is derived from SECRET_KEY (HKDF), so a deployment has nothing more to keep.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import struct
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "HBVC1"
MAX_LENGTH = 200


class QrInvalid(Exception):
    """Not a token this service signed (garbled, forged, or from another deployment)."""


@dataclass(frozen=True)
class Signed:
    jti: str
    expires_at: dt.datetime


@cache
def _key(secret: str) -> Ed25519PrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"healthbank virtual card QR"
    ).derive(secret.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(expires_at: dt.datetime) -> tuple[str, str]:
    """A new token valid until `expires_at`: (the token, its id)."""
    jti = secrets.token_bytes(16)
    payload = jti + struct.pack(">I", int(expires_at.timestamp()))
    signature = _key(settings.SECRET_KEY).sign(payload)
    return f"{PREFIX}.{_b64(payload)}.{_b64(signature)}", jti.hex()


def open_token(token: str) -> Signed:
    """The id and expiry of a token this service signed; QrInvalid otherwise."""
    token = token.strip()
    parts = token.split(".")
    if len(token) > MAX_LENGTH or len(parts) != 3 or parts[0] != PREFIX:
        raise QrInvalid
    try:
        payload, signature = _unb64(parts[1]), _unb64(parts[2])
    except ValueError:
        raise QrInvalid from None
    if len(payload) != 20:
        raise QrInvalid
    try:
        _key(settings.SECRET_KEY).public_key().verify(signature, payload)
    except InvalidSignature:
        raise QrInvalid from None
    (expiry,) = struct.unpack(">I", payload[16:])
    return Signed(jti=payload[:16].hex(), expires_at=dt.datetime.fromtimestamp(expiry, dt.UTC))
