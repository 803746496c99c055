"""Certificate tests: the personas, a test CA of each test's own, and the PDF's text."""

from __future__ import annotations

import io

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from healthbank.certificates import signing
from healthbank.identity.tests.cardhelpers import eservice_sign_in, seed_personas


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    settings.CERTIFICATE_DIR = tmp_path / "docsign"
    return settings.CERTIFICATE_DIR


@pytest.fixture
def personas(db):
    seed_personas()


def sign_in_with_certificate(client, national_id: str):
    """An e-services session begun with the person's citizen certificate."""
    return eservice_sign_in(client, national_id)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def validate(pdf: bytes):
    """pyHanko's verdict on the PDF's one signature, trusting the test root CA only."""
    root = x509.Certificate.load(pem.unarmor(signing.signing_files().ca_cert.read_bytes())[2])
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
