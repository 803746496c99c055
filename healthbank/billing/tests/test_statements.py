"""轉帳繳納保費、股利利息繳款單明細表 and 已發送通知函: listed by year, printable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from healthbank.billing import selectors
from healthbank.billing.models import Notice, SupplementaryBill
from healthbank.billing.tests.helpers import HUANG, LEE, pdf_text, signed_in
from healthbank.core.numbers import grouped
from healthbank.people.models import Person

CHANG = "E223456785"  # 張淑芬 pays her premiums by bank transfer
LIN = "F223456786"  # 林雅婷 had her card replaced
TRANSFERS = reverse("billing:transfers")


def test_transfers_are_listed_by_year_with_their_total(client, personas):
    chang = Person.objects.get(national_id=CHANG)
    years = selectors.transfer_years(chang)
    assert years
    rows = list(selectors.transfers_of(chang, years[-1]))
    signed_in(client, CHANG, "en")
    page = client.get(TRANSFERS, {"year": years[-1]}).content.decode()
    assert grouped(sum(p.amount for p in rows)) in page
    assert all(p.paid_on.isoformat() in page for p in rows)
    text = pdf_text(client.get(reverse("billing:transfers_pdf"), {"year": years[-1]}).content)
    assert "張淑芬" in text and f"by bank transfer in {years[-1]}" in text


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hant", "年度請輸入"), ("en", "must be a year")]
)
def test_a_year_that_is_not_a_number_is_explained(client, personas, language, expected):
    signed_in(client, CHANG, language)
    response = client.get(TRANSFERS, {"year": "last"})
    assert response.status_code == 200 and expected in response.content.decode()


def test_supplementary_premium_bills_are_listed_and_printable(client, lee):
    bills = list(SupplementaryBill.objects.filter(person=lee))
    assert len(bills) == 2 and any(b.paid_on is None for b in bills)
    signed_in(client, LEE)
    page = client.get(TRANSFERS).content.decode()
    for bill in bills:
        assert grouped(bill.amount) in page and bill.payer in page
    unpaid = next(b for b in bills if b.paid_on is None)
    response = client.get(reverse("billing:transfers_supplementary", args=[unpaid.pk]))
    text = pdf_text(response.content)
    assert "補充保險費" in text and "李建宏" in text and "2.11%" in text
    assert f"{unpaid.amount:09d}" in text  # the stores' third segment


def test_notices_list_the_reminder_and_print_it(client, huang):
    notice = Notice.objects.get(person=huang, kind=Notice.Kind.ARREARS)
    signed_in(client, HUANG)
    page = client.get(reverse("billing:notices")).content.decode()
    assert "欠費催繳通知" in page and notice.subject in page
    text = pdf_text(client.get(reverse("billing:notices_pdf", args=[notice.pk])).content)
    assert "欠費催繳通知" in text and grouped(notice.facts["total"]) in text
    signed_in(client, HUANG, "en")
    text = pdf_text(client.get(reverse("billing:notices_pdf", args=[notice.pk])).content)
    assert "Reminder of unpaid premiums" in text and "黃冠宇" in text


def test_the_notices_page_reads_in_few_queries(client, huang, django_assert_max_num_queries):
    signed_in(client, HUANG)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("billing:notices")).status_code == 200


def test_a_replacement_card_notice_prints_its_date(client, personas):
    notice = Notice.objects.get(person__national_id=LIN, kind=Notice.Kind.CARD)
    signed_in(client, LIN, "en")
    text = pdf_text(client.get(reverse("billing:notices_pdf", args=[notice.pk])).content)
    assert "NHI card issued" in text and notice.facts["issued_on"] in text


def test_the_transfers_page_reads_in_few_queries(client, personas, django_assert_max_num_queries):
    signed_in(client, CHANG)
    with django_assert_max_num_queries(8):
        assert client.get(TRANSFERS).status_code == 200
