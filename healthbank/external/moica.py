"""Citizen digital certificates (自然人憑證): trust in the MOICA chain, and a local test CA.

Production puts the MOICA root certificate and its current CRL in MOICA_DIR (`root.pem`,
`crl.pem`). The embedded default creates a test CA there that issues certificates to
synthetic citizens; `healthbank moica revoke A123456789` puts one on its CRL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

from healthbank.external import cardreader

CERTIFICATE_YEARS = 8  # MOICA certificates are valid for eight years
CRL_DAYS = 7


class CertificateRefused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # untrusted, expired, not_yet_valid, revoked, crl_unavailable


def _dir() -> Path:
    return Path(settings.MOICA_DIR)


def _root() -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate((_dir() / "root.pem").read_bytes())
    except FileNotFoundError:
        raise CertificateRefused("untrusted") from None


def verify_certificate(pem: str) -> x509.Certificate:
    """The certificate, if it chains to the MOICA root, is valid now and is not revoked."""
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise CertificateRefused("untrusted") from None
    root = _root()
    try:
        certificate.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        raise CertificateRefused("untrusted") from None
    now = timezone.now()
    if now < certificate.not_valid_before_utc:
        raise CertificateRefused("not_yet_valid")
    if now > certificate.not_valid_after_utc:
        raise CertificateRefused("expired")
    crl = _current_crl()
    stale = crl.next_update_utc is not None and crl.next_update_utc < now
    root_key = root.public_key()
    if not isinstance(root_key, ec.EllipticCurvePublicKey):  # the test CA's key is one
        raise CertificateRefused("untrusted")
    if stale or not crl.is_signature_valid(root_key):
        raise CertificateRefused("crl_unavailable")
    if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
        raise CertificateRefused("revoked")
    return certificate


def national_id_of(certificate: x509.Certificate) -> str:
    """The holder's national ID, kept in the subject's serialNumber by the test CA."""
    value = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value
    return value if isinstance(value, str) else value.decode()


# --- the local test CA (embedded default) ---------------------------------------------------


def _ca_key() -> ec.EllipticCurvePrivateKey:
    return cardreader.ec_private_key((_dir() / "root-key.pem").read_bytes(), None)


def ensure_test_ca() -> None:
    """Create the test CA (root key, root certificate, empty CRL) unless it exists."""
    if (_dir() / "root.pem").exists():
        return
    _dir().mkdir(parents=True, exist_ok=True)
    key = cardreader.new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TW"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "healthbank test MOICA"),
            x509.NameAttribute(NameOID.COMMON_NAME, "healthbank test MOICA root (synthetic)"),
        ]
    )
    now = timezone.now()
    root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (_dir() / "root-key.pem").write_bytes(key_pem)
    (_dir() / "root-key.pem").chmod(0o600)
    (_dir() / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    _write_revoked([])


def issue_certificate(
    *, national_id: str, name: str, pin: str, not_before: dt.datetime | None = None
) -> x509.Certificate:
    """Issue a certificate card to a citizen and put it among the reader's cards."""
    ensure_test_ca()
    root = _root()
    key = cardreader.new_key()
    start = not_before or timezone.now() - dt.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "TW"),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                    x509.NameAttribute(NameOID.SERIAL_NUMBER, national_id),
                ]
            )
        )
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(_ca_key(), hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    cardreader.write_certificate_card(national_id, name, pem, key, pin)
    return certificate


def _current_crl() -> x509.CertificateRevocationList:
    """The CRL to check against; the test CA re-signs its own daily, as MOICA publishes one."""
    try:
        crl = x509.load_pem_x509_crl((_dir() / "crl.pem").read_bytes())
    except (FileNotFoundError, ValueError):
        raise CertificateRefused("crl_unavailable") from None
    is_test_ca = (_dir() / "root-key.pem").exists()
    if is_test_ca and timezone.now() - crl.last_update_utc > dt.timedelta(days=1):
        return _write_revoked(_revoked())
    return crl


def revoke(serial_number: int) -> None:
    _write_revoked(sorted({*_revoked(), serial_number}))


def _revoked() -> list[int]:
    try:
        return json.loads((_dir() / "revoked.json").read_text())
    except FileNotFoundError:
        return []


def _write_revoked(serials: list[int]) -> x509.CertificateRevocationList:
    now = timezone.now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(_root().subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=CRL_DAYS))
    )
    for serial in serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build()
        )
    crl = builder.sign(_ca_key(), hashes.SHA256())
    (_dir() / "crl.pem").write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    (_dir() / "revoked.json").write_text(json.dumps(serials))
    return crl
