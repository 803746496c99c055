"""中英文投保證明: what the certificate says for 陳志明 in Chinese and in English, its PAdES
signature (intact and trusted by the test root; a changed byte breaks it), its code and the
audit row."""

from __future__ import annotations

import os
import stat

import pytest
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.certificates import rules, services, signing
from healthbank.certificates.models import Certificate
from healthbank.certificates.selectors import printed_date
from healthbank.certificates.tests.conftest import pdf_text, validate
from healthbank.core.rocdate import to_roc
from healthbank.people.models import Enrolment, Person
from tests.fixtures.personas import CHEN, LIN, LIN_DAUGHTER, LIN_SON

pytestmark = pytest.mark.django_db


def _issue(national_id: str = CHEN, language: str = "zh-hant", dependants: bool = False):
    person = Person.objects.get(national_id=national_id)
    return services.issue_insurance_certificate(
        person=person, language=language, with_dependants=dependants, address="203.0.113.9"
    )


def test_the_chinese_certificate_says_who_is_insured_where_since_when(personas):
    certificate = _issue()
    chen = Person.objects.get(national_id=CHEN)
    cover = Enrolment.objects.get(person=chen, end_date__isnull=True)
    text = pdf_text(bytes(certificate.pdf))
    today = timezone.localdate()
    for expected in (
        "全民健康保險投保證明",
        "陳志明",
        "A12345****",
        to_roc(chen.birth_date),
        "在保",
        cover.unit.name,
        to_roc(cover.start_date),
        to_roc(today),
        to_roc(rules.valid_until(today)),
        certificate.code_shown,
    ):
        assert expected in text, expected
    assert CHEN not in text  # the full national ID is never printed
    assert certificate.facts["masked_id"] == "A12345****"


def test_the_english_certificate_prints_gregorian_dates(personas):
    certificate = _issue(language="en")
    chen = Person.objects.get(national_id=CHEN)
    text = pdf_text(bytes(certificate.pdf))
    for expected in (
        "Certificate of insurance",
        "National Health Insurance Administration",
        "A12345****",
        chen.birth_date.isoformat(),
        "Insured",
        "Category",
        certificate.code_shown,
    ):
        assert expected in text, expected
    assert to_roc(chen.birth_date) not in text


def test_dependants_are_listed_only_when_asked(personas):
    without = pdf_text(bytes(_issue(LIN).pdf))
    with_them = _issue(LIN, dependants=True)
    text = pdf_text(bytes(with_them.pdf))
    for child in Person.objects.filter(national_id__in=[LIN_DAUGHTER, LIN_SON]):
        assert child.masked_id in text and child.masked_id not in without
        assert printed_date(child.birth_date, "zh-hant") in text
    assert len(with_them.facts["dependants"]) == 2


def test_the_signature_is_intact_and_trusted(personas):
    certificate = _issue()
    status = validate(bytes(certificate.pdf))
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "NHIA document signing"


def test_a_changed_byte_breaks_the_signature(personas):
    pdf = bytearray(_issue().pdf)
    at = pdf.index(b"/MediaBox")  # inside the signed range, in the first page's dictionary
    pdf[at + 1 : at + 9] = b"MediaBoy"
    status = validate(bytes(pdf))
    assert not status.intact and not status.bottom_line


def test_the_test_ca_is_made_once_with_private_keys(personas, signing_dir):
    _issue()
    first = signing.signing_files().cert.read_bytes()
    _issue()
    assert signing.signing_files().cert.read_bytes() == first
    for key in ("signing-key.pem", "root-key.pem"):
        assert stat.S_IMODE(os.stat(signing_dir / key).st_mode) == 0o600


def test_processes_starting_at_once_share_one_test_ca_whose_key_fits_its_cert(tmp_path):
    """Web processes on hosts sharing the folder may all make the CA on their first
    certificate: one CA wins whole, and every process reads that one."""
    from concurrent.futures import ThreadPoolExecutor

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    folder = tmp_path / "docsign"
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda _: signing.ensure_test_ca(folder), range(8)))

    assert len(set(made)) == 1
    key = load_pem_private_key(made[0].key.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(made[0].cert.read_bytes())
    assert cert.public_key() == key.public_key()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docsign"]  # no half-made folder
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_making_a_pdf_leaves_truncated_photos_refused(personas):
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; a web process that
    made a certificate must still refuse a truncated photo for the virtual card."""
    from PIL import ImageFile

    _issue()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_codes_are_100_random_bits_in_groups_of_four(personas):
    certificate = _issue()
    assert len(certificate.code) == rules.CODE_LENGTH == 20
    assert len(rules.CODE_ALPHABET) ** rules.CODE_LENGTH >= 2**100
    groups = certificate.code_shown.split("-")
    assert len(groups) == 5 and all(len(g) == 4 for g in groups)
    assert len({services.new_code() for _ in range(200)}) == 200


def test_the_digest_is_the_signed_files(personas):
    import hashlib

    certificate = _issue()
    assert certificate.pdf_sha256 == hashlib.sha256(bytes(certificate.pdf)).hexdigest()


def test_each_issue_is_audited_with_the_person(personas):
    certificate = _issue(language="en")
    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_ISSUED)
    assert event.person_id == certificate.person_id
    assert event.detail["certificate_id"] == certificate.pk
    assert event.detail["language"] == "en" and event.address == "203.0.113.9"


def test_valid_for_three_months():
    import datetime as dt

    assert rules.valid_until(dt.date(2026, 12, 7)) == dt.date(2027, 3, 7)
    assert rules.valid_until(dt.date(2026, 11, 30)) == dt.date(2027, 2, 28)
    assert Certificate(valid_until=dt.date(2027, 3, 7)).is_valid_on(dt.date(2027, 3, 7))
    assert not Certificate(valid_until=dt.date(2027, 3, 7)).is_valid_on(dt.date(2027, 3, 8))


def test_settings_name_a_real_key_in_production(personas, settings, tmp_path):
    made = signing.ensure_test_ca(tmp_path / "elsewhere")
    settings.CERTIFICATE_SIGNING_KEY = str(made.key)
    settings.CERTIFICATE_SIGNING_CERT = str(made.cert)
    settings.CERTIFICATE_CA_CERT = str(made.ca_cert)
    assert signing.signing_files() == made
    assert validate(bytes(_issue().pdf)).trusted
    assert not (settings.CERTIFICATE_DIR / "signing.pem").exists()
