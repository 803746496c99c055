"""當月電子繳款單申請/下載 and 繳款單寄發週期申請/變更: this month's e-bill, applying for
e-bills, and how and how often bills come, with the history of changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from healthbank.billing import selectors
from healthbank.billing.models import BillDelivery, Notice
from healthbank.billing.tests.helpers import CHEN, HUANG, pdf_text, signed_in
from healthbank.core.numbers import grouped

EBILL = reverse("billing:ebill")
DELIVERY = reverse("billing:delivery")


def test_chen_gets_e_bills_and_downloads_this_months(client, chen):
    bill = selectors.latest_bill(chen)
    signed_in(client, CHEN)
    page = client.get(EBILL).content.decode()
    assert "您已申請電子繳款單" in page
    response = client.get(reverse("billing:ebill_pdf", args=[bill.pk]))
    text = pdf_text(response.content)
    assert "電子繳款單" in text and "陳志明" in text and grouped(bill.amount) in text


def test_an_earlier_bill_is_not_this_months_e_bill(client, chen):
    earlier = chen.premium_bills.order_by("month").first()
    signed_in(client, CHEN)
    assert client.get(reverse("billing:ebill_pdf", args=[earlier.pk])).status_code == 404


def test_applying_for_e_bills_sets_the_delivery_and_keeps_the_history(client, huang):
    assert selectors.delivery_of(huang).method == "post"  # the default: paper by post
    signed_in(client, HUANG)
    response = client.post(EBILL, {"email": "huang@example.com"})
    assert response["Location"] == EBILL
    current = selectors.delivery_of(huang)
    assert (current.method, current.cycle, current.email) == (
        "ebill",
        "monthly",
        "huang@example.com",
    )
    assert Notice.objects.filter(person=huang, kind=Notice.Kind.EBILL).exists()
    client.post(DELIVERY, {"method": "post", "cycle": "bimonthly"})
    history = list(selectors.delivery_history(huang))
    assert [(r.method, r.cycle) for r in history] == [("post", "bimonthly"), ("ebill", "monthly")]
    page = client.get(DELIVERY).content.decode()
    assert "雙月寄發" in page and "電子繳款單" in page


@pytest.mark.parametrize(
    ("data", "zh", "en"),
    [
        ({"method": "email", "cycle": "monthly", "email": ""}, "請輸入寄送", "Enter the e-mail"),
        (
            {"method": "email", "cycle": "monthly", "email": "not-an-address"},
            "有效的電子郵件",
            "valid e-mail",
        ),
        ({"method": "fax", "cycle": "monthly"}, "請選擇繳款單的寄發方式", "Choose how your bills"),
        ({"method": "post", "cycle": "weekly"}, "請選擇繳款單的寄發週期", "Choose how often"),
        ({"method": "post", "cycle": "monthly"}, "未做任何變更", "nothing was changed"),
    ],
)
def test_bad_delivery_input_is_refused_in_both_languages(client, huang, data, zh, en):
    for language, expected in (("zh-hant", zh), ("en", en)):
        signed_in(client, HUANG, language)
        response = client.post(DELIVERY, data)
        assert response.status_code == 400
        assert expected in response.content.decode(), (language, data)
    assert not BillDelivery.objects.filter(person=huang).exists()
    assert not Notice.objects.filter(person=huang, kind=Notice.Kind.DELIVERY).exists()


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hant", "有效的電子郵件"), ("en", "valid e-mail")]
)
def test_e_bills_need_a_valid_address(client, huang, language, expected):
    signed_in(client, HUANG, language)
    response = client.post(EBILL, {"email": "huang-at-example"})
    assert response.status_code == 400 and expected in response.content.decode()
    assert not BillDelivery.objects.filter(person=huang).exists()


@pytest.mark.parametrize(
    ("method", "cycle", "code"), [("fax", "monthly", "bad_method"), ("post", "weekly", "bad_cycle")]
)
def test_a_bad_choice_sent_to_the_service_is_refused_in_both_languages(huang, method, cycle, code):
    from django.utils import translation

    from healthbank.billing import services
    from healthbank.billing.models import BillDelivery

    with pytest.raises(services.BillingRefused) as refused:
        services.change_delivery(person=huang, method=method, cycle=cycle)
    assert refused.value.code == code
    with translation.override("zh-hant"):
        assert "繳款單" in refused.value.message
    with translation.override("en"):
        assert "Choose how" in refused.value.message
    assert not BillDelivery.objects.filter(person=huang).exists()
