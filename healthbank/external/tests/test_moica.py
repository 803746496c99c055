"""Citizen digital certificates are trusted only when the MOICA root issued them, they are
valid today and the current revocation list does not name them."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.utils import timezone

from healthbank.external import cardreader, moica

PIN = "123456"


def issue(national_id: str = "A123456789", **kwargs) -> x509.Certificate:
    return moica.issue_certificate(national_id=national_id, name="陳志明", pin=PIN, **kwargs)


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def refusal(certificate_pem: str) -> str:
    with pytest.raises(moica.CertificateRefused) as refused:
        moica.verify_certificate(certificate_pem)
    return refused.value.code


def test_a_certificate_from_the_test_ca_is_trusted_and_names_its_holder():
    certificate = issue()

    trusted = moica.verify_certificate(pem(certificate))

    assert trusted.serial_number == certificate.serial_number
    assert moica.national_id_of(trusted) == "A123456789"


def test_issuing_puts_the_certificate_card_among_the_readers_cards():
    certificate = issue()

    cardreader.insert(certificate_of="A123456789")
    signed = cardreader.sign_with_certificate("challenge", PIN)
    assert signed["certificate"] == pem(certificate)
    assert cardreader.read_certificate_card() == {"name": "陳志明"}


def test_a_revoked_certificate_is_refused():
    certificate = issue()
    other = issue("A223456781")

    moica.revoke(certificate.serial_number)

    assert refusal(pem(certificate)) == "revoked"
    assert moica.verify_certificate(pem(other))


def test_an_expired_certificate_is_refused():
    years_ago = timezone.now() - dt.timedelta(days=365 * moica.CERTIFICATE_YEARS + 30)

    assert refusal(pem(issue(not_before=years_ago))) == "expired"


def test_a_certificate_not_valid_yet_is_refused():
    next_week = timezone.now() + dt.timedelta(days=7)

    assert refusal(pem(issue(not_before=next_week))) == "not_yet_valid"


def test_a_certificate_of_another_ca_is_refused(settings, tmp_path):
    trusted_ca = settings.MOICA_DIR
    issue()  # the trusted test CA exists
    settings.MOICA_DIR = tmp_path / "impostor"
    forged = issue()  # same CA name, different key
    settings.MOICA_DIR = trusted_ca

    assert refusal(pem(forged)) == "untrusted"


def test_a_self_signed_certificate_is_refused():
    issue()
    key = cardreader.new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "陳志明"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "A123456789"),
        ]
    )
    now = timezone.now()
    self_signed = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )

    assert refusal(pem(self_signed)) == "untrusted"


def test_text_that_is_not_a_certificate_is_refused():
    issue()

    assert refusal("-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----") == (
        "untrusted"
    )
    assert refusal("") == "untrusted"


def test_without_a_trusted_root_nothing_is_trusted(settings):
    certificate = issue()
    (settings.MOICA_DIR / "root.pem").unlink()

    assert refusal(pem(certificate)) == "untrusted"


def test_a_missing_revocation_list_refuses_rather_than_trusts(settings):
    certificate = issue()
    (settings.MOICA_DIR / "crl.pem").unlink()

    assert refusal(pem(certificate)) == "crl_unavailable"


def test_a_stale_revocation_list_refuses_rather_than_trusts(settings):
    certificate = issue()
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    with mock.patch("healthbank.external.moica.timezone.now", return_value=ten_days_ago):
        moica.revoke(12345)  # re-publishes the CRL, dated ten days ago
    # Production holds only the root certificate and the published CRL, not the CA's key.
    (settings.MOICA_DIR / "root-key.pem").unlink()

    assert refusal(pem(certificate)) == "crl_unavailable"


def test_the_test_ca_republishes_its_revocation_list_daily(settings):
    certificate = issue()
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    with mock.patch("healthbank.external.moica.timezone.now", return_value=ten_days_ago):
        moica.revoke(certificate.serial_number)

    assert refusal(pem(certificate)) == "revoked"
    crl = x509.load_pem_x509_crl((settings.MOICA_DIR / "crl.pem").read_bytes())
    assert crl.next_update_utc > timezone.now()


def test_a_revocation_list_not_signed_by_the_root_is_refused(settings, tmp_path):
    certificate = issue()
    trusted_ca = settings.MOICA_DIR
    settings.MOICA_DIR = tmp_path / "impostor"
    issue()
    forged_crl = (settings.MOICA_DIR / "crl.pem").read_bytes()
    settings.MOICA_DIR = trusted_ca
    (trusted_ca / "crl.pem").write_bytes(forged_crl)

    assert refusal(pem(certificate)) == "crl_unavailable"
