"""The reimbursement pages under /eservice/services/cases/: applying with several files, the
claim's page with its documents, and 404 for anyone else's claim or document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from healthbank.eservices.models import Case, ClaimDocument, ReimbursementClaim
from healthbank.eservices.tests.reimbursement import claim_for, pdf, receipt_jpeg
from healthbank.identity.tests.cardhelpers import eservice_sign_in
from healthbank.people.models import Person
from tests.fixtures.personas import CHANG, CHEN

pytestmark = pytest.mark.django_db

URL = "/eservice/services/cases/"


def form(**changes) -> dict:
    today = timezone.localdate()
    return {
        "care_kind": "abroad",
        "place": "日本東京",
        "care_from": (today - dt.timedelta(days=10)).isoformat(),
        "care_until": (today - dt.timedelta(days=9)).isoformat(),
        "amount": "25,800",
        "bank_code": "004",
        "bank_account": "0012-3456-7890",
        "receipts": [
            SimpleUploadedFile("receipt1.jpg", receipt_jpeg(), "image/jpeg"),
            SimpleUploadedFile("receipt2.pdf", pdf(), "application/pdf"),
        ],
        "certificates": [SimpleUploadedFile("certificate.pdf", pdf(2), "application/pdf")],
    } | changes


def test_a_person_applies_with_several_files_and_sees_the_claim(signed_in):
    client = signed_in(CHEN)
    assert "自墊醫療費用核退申請" in client.get(f"{URL}apply/").content.decode()
    response = client.post(f"{URL}apply/", form())
    claim = ReimbursementClaim.objects.get(person__national_id=CHEN)
    assert response.status_code == 302 and response["Location"] == f"{URL}{claim.case_id}/"
    assert (claim.amount_claimed, claim.bank_account) == (25_800, "001234567890")
    assert claim.documents.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert claim.case.number in page and "25,800" in page and "已收件" in page
    assert "receipt1.jpg" in page and "certificate.pdf" in page
    assert claim.case.number in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("changes", "zh", "en"),
    [
        (lambda: {"amount": "１２ab"}, "請以新臺幣整數元輸入", "in whole NT dollars"),
        (lambda: {"bank_code": "999"}, "請從清單中選擇您的金融機構", "Choose your bank"),
        (lambda: {"care_until": "2026/01/01"}, "YYYY-MM-DD", "YYYY-MM-DD"),
        (
            lambda: {"receipts": [], "certificates": []},
            "請至少上傳一份收據",
            "Upload at least one receipt",
        ),
        (
            lambda: {
                "receipts": [SimpleUploadedFile("fake.pdf", b"%PDF-1.4 no more", "application/pdf")]
            },
            "無法讀取此 PDF",
            "could not be read",
        ),
        (
            lambda: {
                "receipts": [SimpleUploadedFile("locked.pdf", pdf(password="x"), "application/pdf")]
            },
            "密碼保護",
            "protected by a password",
        ),
    ],
)
def test_bad_input_says_why_in_both_languages_and_keeps_nothing(signed_in, changes, zh, en):
    for language, text in (("zh-hant", zh), ("en", en)):
        client = signed_in(CHEN, language)
        response = client.post(f"{URL}apply/", form(**changes()))
        assert response.status_code in (200, 400)
        assert text in response.content.decode(), language
    assert not Case.objects.filter(person__national_id=CHEN).exists()
    assert not ClaimDocument.objects.exists()


def test_the_owner_opens_her_documents_and_another_person_gets_404(signed_in):
    chen = Person.objects.get(national_id=CHEN)
    claim = claim_for(chen)
    receipt, certificate = claim.documents.all()
    owner = signed_in(CHEN)
    image = owner.get(f"{URL}{claim.case_id}/documents/{receipt.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")
    assert "no-cache" in image["Cache-Control"] or "no-store" in image["Cache-Control"]
    document = owner.get(f"{URL}{claim.case_id}/documents/{certificate.pk}/")
    assert b"".join(document.streaming_content).startswith(b"%PDF-")

    other = eservice_sign_in(Client(), CHANG)
    assert other.get(f"{URL}{claim.case_id}/").status_code == 404
    assert other.get(f"{URL}{claim.case_id}/documents/{receipt.pk}/").status_code == 404
    # Her own case number does not open another's document either.
    chang_case = Case.objects.filter(person__national_id=CHANG).first()
    assert other.get(f"{URL}{chang_case.pk}/documents/{receipt.pk}/").status_code == 404
