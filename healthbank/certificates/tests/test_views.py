"""The pages: /eservice/certificates/ behind the certificate sign-in (the owner downloads,
another person's session gets 404, a password session is sent to sign in), and /verify/ for
anyone: genuine, expired, unknown, throttled, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.certificates import rules
from healthbank.certificates.models import Certificate, VerifyMiss
from healthbank.certificates.tests.conftest import pdf_text, sign_in_with_certificate
from tests.fixtures.personas import CHEN, CHEN_WIFE

pytestmark = pytest.mark.django_db

ZH_UNKNOWN = "查無此驗證碼的證明"
EN_UNKNOWN = "No certificate has this code"


def _download(client, language="zh-hant", dependants=False):
    data = {"language": language} | ({"with_dependants": "on"} if dependants else {})
    return client.post("/eservice/certificates/insurance/", data)


def test_the_owner_chooses_a_language_and_gets_the_signed_pdf(client, personas):
    sign_in_with_certificate(client, CHEN)
    page = client.get("/eservice/certificates/insurance/")
    assert page.status_code == 200 and "中英文投保證明" in page.content.decode()
    assert AuditEvent.objects.filter(  # the page read is in the person's access record
        action=AuditEvent.Action.RECORDS_READ, detail__page="certificates:insurance"
    ).exists()
    response = _download(client, "en")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    certificate = Certificate.objects.get()
    assert response.content == bytes(certificate.pdf)
    assert certificate.code_shown in pdf_text(response.content)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CERTIFICATE_ISSUED, person=certificate.person
    ).exists()


def test_the_owner_downloads_the_same_file_again(client, personas):
    sign_in_with_certificate(client, CHEN)
    first = _download(client).content
    certificate = Certificate.objects.get()
    again = client.get(f"/eservice/certificates/insurance/{certificate.pk}/download/")
    assert again.content == first and "no-store" in again["Cache-Control"]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.RECORDS_READ,
        detail__page="certificates:insurance_download",
        person=certificate.person,
    ).exists()


def test_another_persons_session_gets_404(client, personas):
    sign_in_with_certificate(client, CHEN)
    _download(client)
    certificate = Certificate.objects.get()
    other = sign_in_with_certificate(Client(), CHEN_WIFE)
    url = f"/eservice/certificates/insurance/{certificate.pk}/download/"
    assert other.get(url).status_code == 404
    assert (
        certificate.code_shown
        not in other.get("/eservice/certificates/insurance/").content.decode()
    )


def test_without_a_certificate_session_the_page_asks_to_sign_in(client, personas, sign_in):
    assert client.get("/eservice/certificates/insurance/")["Location"].startswith(
        "/eservice/login/"
    )
    sign_in(client, CHEN)  # a My Health Bank session, not a certificate one
    response = _download(client)
    assert response.status_code == 302 and response["Location"].startswith("/eservice/login/")
    assert not Certificate.objects.exists()


def _issued(client) -> Certificate:
    sign_in_with_certificate(client, CHEN)
    _download(client, dependants=True)
    return Certificate.objects.get()


def test_verify_says_genuine_and_shows_what_it_said(client, personas):
    certificate = _issued(client)
    page = Client().get(f"/verify/{certificate.code_shown}/").content.decode()
    assert "真實：本證明由健保署核發，且仍在有效期限內" in page
    assert "Genuine: NHIA issued this certificate, and it is still valid." in page
    assert "陳志明" in page and "A12345****" in page and CHEN not in page
    typed = Client().get("/verify/", {"code": certificate.code.lower()}).content.decode()
    assert "Genuine: NHIA issued" in typed


def test_verify_says_expired_after_three_months(client, personas):
    certificate = _issued(client)
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    page = Client().get(f"/verify/{certificate.code_shown}/").content.decode()
    assert "真實但已逾期" in page and "Genuine, but expired" in page and "陳志明" in page


def test_an_unknown_code_says_so_in_both_languages_and_nothing_else(personas):
    page = Client().get("/verify/ABCD-EFGH-JKMN-PQRS-TVWX/").content.decode()
    assert ZH_UNKNOWN in page and EN_UNKNOWN in page
    assert "certificate-facts" not in page


def test_too_many_wrong_codes_from_one_address_wait(client, personas):
    certificate = _issued(client)
    anonymous = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(rules.VERIFY_MISSES_PER_ADDRESS):
        anonymous.get("/verify/", {"code": "0000-0000-0000-0000-0000"})
    assert VerifyMiss.objects.count() == rules.VERIFY_MISSES_PER_ADDRESS
    page = anonymous.get(f"/verify/{certificate.code_shown}/").content.decode()
    assert "請 15 分鐘後再試" in page and "Wait 15 minutes" in page and "陳志明" not in page
    assert (
        "陳志明"
        in Client(REMOTE_ADDR="198.51.100.8")
        .get(f"/verify/{certificate.code_shown}/")
        .content.decode()
    )


def test_a_language_not_offered_is_refused_in_both_languages_and_nothing_is_issued(
    client, personas
):
    sign_in_with_certificate(client, CHEN)
    chinese = _download(client, "fr")
    client.cookies["django_language"] = "en"
    english = _download(client, "fr")

    for response, refusal in ((chinese, "有效的選項"), (english, "Select a valid choice")):
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        assert refusal in response.content.decode()
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_ISSUED).exists()
