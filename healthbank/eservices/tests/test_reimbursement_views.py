"""The reimbursement pages under /eservice/services/cases/: applying with several files, the
claim's page with its documents, and 404 for anyone else's claim or document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from healthbank.eservices import rules, services
from healthbank.eservices.forms import uploads_of
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
            lambda: {"care_from": "0001-01-01"},
            "早於您的健保投保起日",
            "before your NHI cover began",
        ),
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


class Recorded(SimpleUploadedFile):
    """An upload that records how much of it was read."""

    def __init__(self, *args, size: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list[int | None] = []
        if size is not None:
            self.size = size

    def read(self, *args, **kwargs):
        self.reads.append(args[0] if args else kwargs.get("size"))
        return super().read(*args, **kwargs)

    def chunks(self, *args, **kwargs):
        self.reads.append(-1)
        return super().chunks(*args, **kwargs)


def files(**fields) -> MultiValueDict:
    return MultiValueDict(fields)


def test_too_many_files_are_refused_before_any_is_read():
    sent = [
        Recorded(f"receipt{n}.jpg", b"x", "image/jpeg") for n in range(rules.CLAIM_MAX_FILES + 1)
    ]
    with pytest.raises(services.ClaimRefused) as refused:
        uploads_of(files(receipts=sent[:6], certificates=sent[6:]))
    assert refused.value.code == "too_many_files"
    assert all(file.reads == [] for file in sent)


def test_an_oversize_file_is_refused_before_any_file_is_read():
    small = Recorded("receipt.jpg", b"x", "image/jpeg")
    large = Recorded("scan.pdf", b"%PDF-", "application/pdf", size=rules.CLAIM_MAX_FILE_BYTES + 1)
    with pytest.raises(services.FileRefused) as refused:
        uploads_of(files(receipts=[small], certificates=[large]))
    assert refused.value.name == "scan.pdf"
    assert small.reads == [] and large.reads == []


def test_files_within_the_limits_are_read_at_most_one_byte_past_the_limit():
    sent = Recorded("receipt.jpg", b"xyz", "image/jpeg", size=rules.CLAIM_MAX_FILE_BYTES)
    (upload,) = uploads_of(files(receipts=[sent]))
    assert (upload.name, upload.data) == ("receipt.jpg", b"xyz")
    assert sent.reads == [rules.CLAIM_MAX_FILE_BYTES + 1]


@pytest.mark.parametrize(
    ("changes", "zh", "en"),
    [
        (
            lambda: {
                "receipts": [
                    SimpleUploadedFile(f"r{n}.jpg", b"x", "image/jpeg")
                    for n in range(rules.CLAIM_MAX_FILES + 1)
                ]
            },
            f"每件申請最多上傳 {rules.CLAIM_MAX_FILES} 個檔案",
            f"Upload at most {rules.CLAIM_MAX_FILES} files",
        ),
        (
            lambda: {
                "certificates": [
                    SimpleUploadedFile(
                        "big.pdf", b"%PDF-" + bytes(rules.CLAIM_MAX_FILE_BYTES), "application/pdf"
                    )
                ]
            },
            "big.pdf: 檔案大於 10 MB",
            "big.pdf: The file is larger than 10 MB",
        ),
    ],
)
def test_too_many_or_too_large_files_say_so_in_both_languages(signed_in, changes, zh, en):
    for language, text in (("zh-hant", zh), ("en", en)):
        client = signed_in(CHEN, language)
        response = client.post(f"{URL}apply/", form(**changes()))
        assert response.status_code == 400
        assert text in response.content.decode(), language
    assert not Case.objects.filter(person__national_id=CHEN).exists()
    assert not ClaimDocument.objects.exists()


def test_documents_are_served_inline_with_a_safe_name_and_sandboxed(signed_in):
    chen = Person.objects.get(national_id=CHEN)
    claim = claim_for(
        chen,
        uploads=[
            services.Upload(ClaimDocument.Kind.RECEIPT, 'receipt "1";.png', receipt_jpeg()),
            services.Upload(ClaimDocument.Kind.CERTIFICATE, "診斷證明書.pdf", pdf()),
            services.Upload(ClaimDocument.Kind.OTHER, "Café bill.PDF", pdf()),
        ],
    )
    receipt, certificate, other = claim.documents.all()
    owner = signed_in(CHEN)
    expected = {
        receipt: 'inline; filename="receipt_1.jpg"',
        certificate: f'inline; filename="certificate-{certificate.pk}.pdf"',
        other: 'inline; filename="Cafe_bill.pdf"',
    }
    for document, disposition in expected.items():
        response = owner.get(f"{URL}{claim.case_id}/documents/{document.pk}/")
        assert response["Content-Disposition"] == disposition
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_second_claim_for_the_same_days_says_why_in_both_languages(signed_in):
    chen = Person.objects.get(national_id=CHEN)
    today = timezone.localdate()
    first = claim_for(chen, care_from=today - dt.timedelta(days=9), care_until=today)
    for language, text in (
        ("zh-hant", f"您已有申請涵蓋部分相同的就醫日期（案件 {first.case.number}）"),
        ("en", f"for care on some of these days (case {first.case.number})"),
    ):
        response = signed_in(CHEN, language).post(f"{URL}apply/", form())
        assert response.status_code == 400
        assert text in response.content.decode(), language
    assert ReimbursementClaim.objects.filter(person=chen).count() == 1
    assert ClaimDocument.objects.count() == 2
