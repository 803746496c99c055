"""保險費繳納證明下載: the premiums 陳志明 (and 黃冠宇, whose employer withholds them, and
林雅婷, with two children under her) paid in a year, month by month with the total summed
from their payments; its signature; /verify/ showing that document and nothing else; the
years offered; bad years refused in both languages with nothing written; a dependant told
why there is nothing to certify; another person's file a 404; a signed-out client sent to
sign in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.certificates import services
from healthbank.certificates.models import Certificate
from healthbank.certificates.services import CertificateRefused
from healthbank.certificates.tests.conftest import pdf_text, sign_in_with_certificate, validate
from healthbank.core.numbers import grouped
from healthbank.people.models import Enrolment, Person, PremiumPayment
from tests.fixtures.personas import (
    CHANG,
    CHEN,
    CHEN_WIFE,
    HUANG,
    LIN,
    LIN_DAUGHTER,
    LIN_HUSBAND,
    LIN_SON,
)

pytestmark = pytest.mark.django_db

URL = "/eservice/certificates/premiums/"
YEAR = 2025  # a whole year of the personas' payments (seeded up to 2026-11-23)
ZH_BAD_YEAR = "請從列出的年度中選擇"
EN_BAD_YEAR = "Choose one of the years listed"


def _issue(national_id: str = CHEN, year: int = YEAR, language: str = "zh-hant"):
    person = Person.objects.get(national_id=national_id)
    return services.issue_premiums_certificate(
        person=person, year=year, language=language, address="203.0.113.9"
    )


def _payments(national_id: str, year: int = YEAR) -> list[PremiumPayment]:
    return list(
        PremiumPayment.objects.filter(person__national_id=national_id, paid_on__year=year)
        .select_related("bill")
        .order_by("paid_on")
    )


def _issued_nothing() -> bool:
    return (
        not Certificate.objects.exists()
        and not AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_ISSUED).exists()
    )


def test_the_chinese_certificate_lists_each_payment_and_their_total(personas):
    certificate = _issue()
    text = pdf_text(bytes(certificate.pdf))
    flowing = text.replace("\n", "")  # the statement wraps at any character
    payments = _payments(CHEN)
    assert len(payments) >= 12
    total = sum(p.amount for p in payments)
    for expected in (
        "全民健康保險保險費繳納證明",
        "陳志明",
        "A12345****",
        "114年",
        f"新臺幣 {grouped(total)} 元",
        "綜合所得稅全民健康保險費列舉扣除",
        certificate.code_shown,
    ):
        assert expected in flowing, expected
    for p in payments:  # every month paid in the year: its bill's month and the paid date
        roc_month = f"{p.bill.month.year - 1911:03d}/{p.bill.month.month:02d}"
        roc_paid = f"{p.paid_on.year - 1911:03d}/{p.paid_on:%m/%d}"
        assert re.search(rf"{roc_month}\s+{grouped(p.amount)}\s+{roc_paid}", text), roc_month
    assert certificate.facts["total"] == grouped(total)
    assert [row["amount_printed"] for row in certificate.facts["payments"]] == [
        grouped(p.amount) for p in payments
    ]
    assert CHEN not in text and CHEN_WIFE not in text  # full national IDs are never printed


def test_the_insured_and_the_dependants_of_that_year_are_listed_masked(personas):
    wife = Person.objects.get(national_id=CHEN_WIFE)
    covered = _issue().facts["covered"]
    assert [c["masked_id"] for c in covered] == ["A12345****", wife.masked_id]
    assert [c["relation"] for c in covered] == ["本人", "配偶"]

    children = Person.objects.filter(national_id__in=[LIN_DAUGHTER, LIN_SON])
    husband = Person.objects.get(national_id=LIN_HUSBAND)  # pays his own; not under her
    text = pdf_text(bytes(_issue(LIN, language="en").pdf))
    assert all(child.masked_id in text and child.name in text for child in children)
    assert husband.name not in text


def test_the_english_certificate_lists_payroll_months_as_withheld(personas):
    """黃冠宇 is an employee: his own share is withheld from pay, and it is deductible."""
    certificate = _issue(HUANG, language="en")
    text = pdf_text(bytes(certificate.pdf))
    payments = _payments(HUANG)
    assert {p.method for p in payments} == {PremiumPayment.Method.PAYROLL}
    for expected in (
        "NHI certificate of premiums paid",
        "Year of payment",
        "2025",
        "Payroll deduction",
        "withheld from pay are the insured's own share",
        f"NT${grouped(sum(p.amount for p in payments))} in all",
        "itemised deduction of NHI premiums",
    ):
        assert expected in text, expected
    for p in payments:
        assert re.search(rf"{p.bill.month:%Y-%m}\s+{grouped(p.amount)}\s+{p.paid_on}", text), p


def test_a_december_bill_paid_in_january_counts_in_the_year_paid(personas):
    january = _issue().facts["payments"][0]
    assert january["month"] == "113/12" and january["paid_on"].startswith("114/01/")


def test_the_signature_is_intact_and_a_changed_byte_breaks_it(personas):
    pdf = bytes(_issue().pdf)
    status = validate(pdf)
    assert status.intact and status.valid and status.trusted
    tampered = bytearray(pdf)
    at = tampered.index(b"/MediaBox")
    tampered[at + 1 : at + 9] = b"MediaBoy"
    assert not validate(bytes(tampered)).bottom_line


def test_verify_shows_the_year_and_total_and_nothing_else(client, personas):
    certificate = _issue()
    chen = Person.objects.get(national_id=CHEN)
    cover = Enrolment.objects.get(person=chen, end_date__isnull=True)
    page = Client().get(f"/verify/{certificate.code_shown}/").content.decode()
    assert "Genuine: NHIA issued this certificate" in page
    assert "全民健康保險保險費繳納證明" in page  # the kind, named in the reader's language
    assert "114年" in page and certificate.facts["total"] in page
    assert "113/12" in page and "A22345****" in page  # its months, its cover, masked
    for never in (CHEN, CHEN_WIFE, cover.unit.name):
        assert never not in page
    assert "投保單位" not in page and "出生日期" not in page  # no insurance certificate rows
    other = Person.objects.get(national_id=LIN)
    assert other.name not in page and other.masked_id not in page


def test_the_owner_downloads_the_pdf_and_again_and_reads_are_audited(client, personas):
    sign_in_with_certificate(client, CHEN)
    page = client.get(URL)
    assert page.status_code == 200 and "保險費繳納證明下載" in page.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.RECORDS_READ, detail__page="certificates:premiums"
    ).exists()
    response = client.post(URL, {"year": "2025", "language": "en"})
    assert response["Content-Type"] == "application/pdf"
    assert "NHI_premiums_paid_2025" in response["Content-Disposition"]
    certificate = Certificate.objects.get(kind=Certificate.Kind.PREMIUMS)
    assert response.content == bytes(certificate.pdf)
    again = client.get(f"{URL}{certificate.pk}/download/")
    assert again.content == response.content and "no-store" in again["Cache-Control"]
    assert "2025" in client.get(URL).content.decode()  # listed while valid


def test_only_years_with_payments_are_offered_last_year_first(client, personas):
    chang = Person.objects.get(national_id=CHANG)
    paid = sorted({p.paid_on.year for p in PremiumPayment.objects.filter(person=chang)})
    assert paid and paid[0] > 2023  # insured since 2025: no payments before
    sign_in_with_certificate(client, CHANG)
    client.cookies["django_language"] = "en"
    page = client.get(URL).content.decode()
    offered = [int(y) for y in re.findall(r'<option value="(\d{4})"', page)]
    assert offered == sorted(paid, reverse=True)
    assert f'value="{paid[0] - 1}"' not in page
    tax_year = timezone.localdate().year - 1
    assert tax_year in paid and f'<option value="{tax_year}" selected>' in page


@pytest.mark.parametrize("year", ["2019", "abc", str(timezone.localdate().year + 1), ""])
def test_a_year_not_offered_is_refused_in_both_languages_and_nothing_issued(client, personas, year):
    sign_in_with_certificate(client, CHEN)
    chinese = client.post(URL, {"year": year, "language": "zh-hant"})
    client.cookies["django_language"] = "en"
    english = client.post(URL, {"year": year, "language": "zh-hant"})
    zh_refusal, en_refusal = (
        ("請選擇繳納年度", "Choose the year in which") if not year else (ZH_BAD_YEAR, EN_BAD_YEAR)
    )
    for response, refusal in ((chinese, zh_refusal), (english, en_refusal)):
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        assert refusal in response.content.decode()
    assert _issued_nothing()


def test_the_service_refuses_a_year_without_payments(personas):
    with pytest.raises(CertificateRefused) as refused:
        _issue(year=2019)
    assert refused.value.code == "year_not_offered"
    assert _issued_nothing()


@pytest.mark.parametrize(
    ("language", "explanation"),
    [
        ("zh-hant", "眷屬的保險費由其依附投保的被保險人繳納"),
        ("en", "are paid by the insured person they are insured under"),
    ],
)
def test_a_dependant_is_told_why_and_nothing_is_written(client, personas, language, explanation):
    sign_in_with_certificate(client, CHEN_WIFE)
    client.cookies["django_language"] = language
    page = client.get(URL).content.decode()
    assert explanation in page and 'name="year"' not in page
    posted = client.post(URL, {"year": "2025", "language": "zh-hant"})
    assert posted.status_code == 200 and explanation in posted.content.decode()
    with pytest.raises(CertificateRefused):
        _issue(CHEN_WIFE)
    assert _issued_nothing()


def test_another_persons_certificate_is_404(client, personas):
    certificate = _issue()
    other = sign_in_with_certificate(Client(), CHEN_WIFE)
    assert other.get(f"{URL}{certificate.pk}/download/").status_code == 404
    assert certificate.code_shown not in other.get(URL).content.decode()
    owner = sign_in_with_certificate(client, CHEN)
    # the owner's certificate under the other service's address is not found either
    elsewhere = f"/eservice/certificates/insurance/{certificate.pk}/download/"
    assert owner.get(elsewhere).status_code == 404


def test_signed_out_clients_are_sent_to_sign_in(client, personas):
    certificate = _issue()
    for response in (
        client.get(URL),
        client.post(URL, {"year": "2025", "language": "en"}),
        client.get(f"{URL}{certificate.pk}/download/"),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/eservice/login/")
    assert Certificate.objects.count() == 1


def test_valid_for_three_months_like_the_certificate_of_insurance(personas):
    certificate = _issue()
    today = timezone.localdate()
    assert certificate.valid_until > today + dt.timedelta(days=88)
    assert certificate.valid_until < today + dt.timedelta(days=93)
