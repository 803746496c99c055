"""Certificates in the app (/api/v1/counter/certificates/): what the website offers, issuing
one with the website's service (signed, kept, audited once) and downloading the same file;
another person's token gets 404 for its id; a year not offered is refused in both languages
with nothing issued."""

from __future__ import annotations

import pytest

from healthbank.api.tests.apphelpers import API, app_sign_in, get, post
from healthbank.audit.models import AuditEvent
from healthbank.certificates.models import Certificate
from healthbank.certificates.tests.conftest import pdf_text, validate
from tests.fixtures.personas import CHEN, HUANG

pytestmark = pytest.mark.django_db
YEAR = 2025  # a whole year of the personas' payments


@pytest.fixture
def chen_token(personas) -> str:
    return app_sign_in(CHEN)


@pytest.fixture
def huang_token(personas) -> str:
    return app_sign_in(HUANG)


def test_the_offer_lists_languages_years_and_the_issued_certificates(client, chen_token):
    body = get(client, "/counter/certificates", chen_token).json()
    assert [lang["value"] for lang in body["languages"]] == ["zh-hant", "en"]
    years = [y["value"] for y in body["premium_years"]]
    assert YEAR in years and body["default_year"] in years
    assert body["premiums_refusal"] == "" and body["issued"] == []


def test_a_certificate_issued_in_the_app_is_the_websites_signed_pdf(client, chen_token):
    issued = post(
        client, "/counter/certificates/premiums", {"year": YEAR, "language": "en"}, chen_token
    )
    assert issued.status_code == 201, issued.json()
    pk = issued.json()["id"]
    assert issued.json()["file_name"].startswith(f"NHI_premiums_paid_{YEAR}_")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_ISSUED).count() == 1
    pdf = get(client, f"/counter/certificates/{pk}/pdf", chen_token)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(Certificate.objects.get(pk=pk).pdf)  # the same file
    assert validate(pdf.content).intact
    assert str(YEAR) in pdf_text(pdf.content)
    listed = get(client, "/counter/certificates", chen_token).json()["issued"]
    assert [c["id"] for c in listed] == [pk]

    insurance = post(client, "/counter/certificates/insurance", {"language": "zh-hant"}, chen_token)
    assert insurance.status_code == 201 and insurance.json()["kind"] == "insurance"
    assert insurance.json()["file_name"].startswith("投保證明_")


def test_another_persons_token_gets_404_for_a_certificate(client, chen_token, huang_token):
    pk = post(
        client, "/counter/certificates/insurance", {"language": "zh-hant"}, chen_token
    ).json()["id"]
    other = get(client, f"/counter/certificates/{pk}/pdf", huang_token)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert get(client, "/counter/certificates", huang_token).json()["issued"] == []
    assert client.get(f"{API}/counter/certificates/{pk}/pdf").status_code == 401


def test_a_year_not_offered_is_refused_in_both_languages_with_nothing_issued(client, chen_token):
    zh = post(client, "/counter/certificates/premiums", {"year": 1990}, chen_token)
    assert zh.status_code == 422 and zh.json()["code"] == "year_not_offered"
    assert "請從列出的年度中選擇" in zh.json()["message"]
    en = post(client, "/counter/certificates/premiums", {"year": 1990}, chen_token, "en")
    assert "Choose one of the years listed" in en.json()["message"]
    bad = post(client, "/counter/certificates/insurance", {"language": "fr"}, chen_token)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_request"
    assert not Certificate.objects.exists()
