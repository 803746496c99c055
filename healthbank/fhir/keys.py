"""The RSA key that signs OpenID Connect id_tokens (RS256), and its embedded default.

Production names it: OIDC_RSA_PRIVATE_KEY_FILE (a PEM file) or OIDC_RSA_PRIVATE_KEY (the
PEM itself); every web host must hold the same key, since an app checks an id_token from
any of them against the one JWKS. Unset, the embedded default makes one on first use under
OIDC_KEY_DIR (the data folder, like the document-signing test CA), written 0600, and every
later start reads it back.

Settings import this module: it imports nothing of the project.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE_NAME = "oidc-rsa-key.pem"


def embedded_key(folder: Path) -> str:
    """The PEM of the key under `folder`, made if missing."""
    path = folder / KEY_FILE_NAME
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written aside, then linked into place: processes starting at once on a shared
        # folder all end up reading the one key that won.
        fd, making = tempfile.mkstemp(prefix=f".{KEY_FILE_NAME}-", dir=folder)  # 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
            with contextlib.suppress(FileExistsError):
                os.link(making, path)
        finally:
            os.unlink(making)
    return path.read_text()
