"""The bearer token of a provider's upload credential, `hbk_<key id>.<secret>`: the key id
is stored, the secret only as its digest. Read here once, for the providers' API (ingest)
and the virtual card's QR fast path (vcard), which checks the credential in SQL."""

from __future__ import annotations

import hashlib

KEY_PREFIX = "hbk_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_parts(token: str) -> tuple[str, str] | None:
    """The key id and the secret's digest of a bearer token of ours, or None."""
    key_id, _, secret = token.partition(".")
    if not key_id.startswith(KEY_PREFIX) or not secret or len(token) > 200:
        return None
    return key_id, digest(secret)
