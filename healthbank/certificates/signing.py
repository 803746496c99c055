"""NHIA document signing (PAdES): the signer, and its embedded default, a local test CA.

Production points CERTIFICATE_SIGNING_KEY, CERTIFICATE_SIGNING_CERT and CERTIFICATE_CA_CERT
at NHIA's signing key and certificate and the root they chain to (PEM files). The embedded
default makes, on first use and under CERTIFICATE_DIR, a self-signed "healthbank test root
CA" and an "NHIA document signing" certificate it issues; keys are written 0600.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

ROOT_YEARS = 20
SIGNING_YEARS = 3


@dataclass(frozen=True)
class SigningFiles:
    key: Path
    cert: Path
    ca_cert: Path


def signing_files() -> SigningFiles:
    """The configured key and certificates, or the test CA's (made if missing)."""
    if settings.CERTIFICATE_SIGNING_KEY:
        return SigningFiles(
            Path(settings.CERTIFICATE_SIGNING_KEY),
            Path(settings.CERTIFICATE_SIGNING_CERT),
            Path(settings.CERTIFICATE_CA_CERT),
        )
    return ensure_test_ca(Path(settings.CERTIFICATE_DIR))


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600, never readable by others even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TW"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "healthbank (test, not NHIA)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign_documents: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign_documents,
        content_commitment=sign_documents,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign_documents,
        crl_sign=not sign_documents,
        encipher_only=False,
        decipher_only=False,
    )


def ensure_test_ca(folder: Path) -> SigningFiles:
    """The test root CA and the document-signing certificate it issued, made unless there."""
    files = _test_ca_files(folder)
    if files.key.exists() and files.cert.exists() and files.ca_cert.exists():
        return files
    # Made in a folder of its own, then renamed into place whole: web processes on hosts
    # sharing the folder may all start at once, and a key must never meet another's cert.
    folder.parent.mkdir(parents=True, exist_ok=True)
    making = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        _make_test_ca(_test_ca_files(making))
        os.rename(making, folder)  # onto nothing, or an empty folder
    except OSError:
        if not files.key.exists():
            raise
    finally:
        shutil.rmtree(making, ignore_errors=True)  # another process's CA won: use it
    return files


def _test_ca_files(folder: Path) -> SigningFiles:
    return SigningFiles(folder / "signing-key.pem", folder / "signing.pem", folder / "root.pem")


def _make_test_ca(files: SigningFiles) -> None:
    now = timezone.now()
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("healthbank test root CA")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign_documents=False), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    signing = (
        x509.CertificateBuilder()
        .subject_name(_name("NHIA document signing"))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * SIGNING_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_documents=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    _write_private(files.key.parent / "root-key.pem", _key_pem(root_key))
    _write_private(files.key, _key_pem(key))
    files.ca_cert.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(signing.public_bytes(serialization.Encoding.PEM))


@functools.lru_cache(maxsize=4)
def _signer(files: SigningFiles) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load(
        str(files.key), str(files.cert), ca_chain_files=(str(files.ca_cert),)
    )
    if signer is None:
        raise RuntimeError("the document-signing key or certificate could not be read")
    return signer


def sign_pdf(pdf: bytes, *, reason: str, location: str = "Taipei, Taiwan") -> bytes:
    """The PDF with a PAdES (B-B) signature by the document-signing certificate."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="NHIA",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    signed = signers.sign_pdf(writer, meta, signer=_signer(signing_files()))
    return signed.getvalue()
