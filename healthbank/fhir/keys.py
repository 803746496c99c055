"""The RSA key that signs OpenID Connect id_tokens (RS256), its embedded default, and the
keys it replaced.

Production names it: OIDC_RSA_PRIVATE_KEY_FILE (a PEM file) or OIDC_RSA_PRIVATE_KEY (the
PEM itself); every web host must hold the same key, since an app checks an id_token from
any of them against the one JWKS. Unset, the embedded default makes one on first use under
OIDC_KEY_DIR (the data folder, like the document-signing test CA), written 0600, and every
later start reads it back.

Rotation (`healthbank rotate_oidc_key`) makes a new key and retires the old one to
OIDC_KEY_DIR/retired/<unix time>.pem: new id_tokens are signed with the new key, and the
retired ones stay published at the JWKS (django-oauth-toolkit's
OIDC_RSA_PRIVATE_KEYS_INACTIVE; each key's `kid` is its RFC 7638 thumbprint, in the JWKS
and in the token's header) until tokens they signed have expired and caches of the JWKS
have moved on (OIDC_RETIRED_KEY_SECONDS); older ones are deleted at the next rotation. Keys
are read when a process starts: restart the web processes after a rotation. With
OIDC_RSA_PRIVATE_KEY_FILE, production rotates by replacing that file and naming the
previous one in OIDC_RSA_RETIRED_KEY_FILES.

Settings import this module: it imports nothing of the project.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE_NAME = "oidc-rsa-key.pem"
RETIRED = "retired"


def _new_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _written_aside(folder: Path, pem: bytes) -> str:
    fd, making = tempfile.mkstemp(prefix=f".{KEY_FILE_NAME}-", dir=folder)  # 0600
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return making


def embedded_key(folder: Path) -> str:
    """The PEM of the key under `folder`, made if missing."""
    path = folder / KEY_FILE_NAME
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: processes starting at once on a shared
        # folder all end up reading the one key that won.
        making = _written_aside(folder, _new_pem())
        try:
            with contextlib.suppress(FileExistsError):
                os.link(making, path)
        finally:
            os.unlink(making)
    return path.read_text()


def retired_keys(folder: Path, keep_seconds: int, now: float | None = None) -> list[str]:
    """The PEMs of the keys retired under `folder` less than `keep_seconds` ago, newest
    first: still published at the JWKS."""
    now = time.time() if now is None else now
    found = []
    for path in (folder / RETIRED).glob("*.pem") if (folder / RETIRED).is_dir() else []:
        with contextlib.suppress(ValueError):
            if now - int(path.stem) < keep_seconds:
                found.append((int(path.stem), path.read_text()))
    return [pem for _at, pem in sorted(found, reverse=True)]


def rotate(folder: Path, keep_seconds: int, now: float | None = None) -> tuple[int, int]:
    """A new signing key under `folder`; the one it replaces retired beside it, and the
    retired keys past `keep_seconds` deleted. Returns (keys still published besides the new
    one, keys deleted)."""
    now = time.time() if now is None else now
    embedded_key(folder)  # a folder without a key yet: the first one retires at once
    retired = folder / RETIRED
    retired.mkdir(mode=0o700, exist_ok=True)
    stamp = int(now)
    while (retired / f"{stamp}.pem").exists():  # two rotations in one second
        stamp += 1
    making = _written_aside(folder, _new_pem())
    try:
        os.link(folder / KEY_FILE_NAME, retired / f"{stamp}.pem")
        os.replace(making, folder / KEY_FILE_NAME)  # atomic: a reader sees old or new
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(making)
    deleted = 0
    for path in retired.glob("*.pem"):
        with contextlib.suppress(ValueError):
            if now - int(path.stem) >= keep_seconds:
                path.unlink()
                deleted += 1
    return len(retired_keys(folder, keep_seconds, now)), deleted
