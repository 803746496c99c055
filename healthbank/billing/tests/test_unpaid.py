"""個人未繳保費查詢/下載/簡易分期申請: the unpaid bills and their slips, and applying for
simple instalments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from healthbank.billing import rules, selectors, services
from healthbank.billing.models import InstalmentPart, InstalmentPlan, Notice, PlannedBill
from healthbank.billing.services import BillingRefused
from healthbank.billing.tests.helpers import CHEN, HUANG, pdf_text, signed_in
from healthbank.core.numbers import grouped
from healthbank.people.models import Person

UNPAID = reverse("billing:unpaid")
APPLY = reverse("billing:unpaid_instalments")


def _arrears(person):
    return selectors.plannable_bills(person, timezone.localdate())


def test_unpaid_page_lists_the_months_owed_with_their_total(client, huang):
    unpaid = selectors.unpaid_bills(huang, timezone.localdate())
    assert len([u for u in unpaid if u.overdue]) >= 5
    signed_in(client, HUANG)
    page = client.get(UNPAID).content.decode()
    total = sum(u.owed for u in unpaid)
    assert f"新臺幣 {grouped(total)} 元" in page
    for u in unpaid:
        assert f"{u.bill.month.year - 1911:03d}/{u.bill.month.month:02d}" in page
        assert reverse("billing:unpaid_slip", args=[u.bill.pk]) in page
    assert "已逾繳納期限" in page or "逾期" in page


def test_a_slip_pdf_carries_the_bill_its_barcodes_and_the_bank_details(client, huang):
    u = _arrears(huang)[0]
    signed_in(client, HUANG)
    response = client.get(reverse("billing:unpaid_slip", args=[u.bill.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "黃冠宇" in text and "繳款單" in text
    assert grouped(u.owed) in text
    assert rules.COLLECTING_BANK_CODE in text and rules.COLLECTING_BANK_NAME in text
    assert rules.STORE_COLLECTION_ITEM_CODE in text  # segment 1 printed under its barcode


def test_one_slip_for_all_adds_up_the_bills(client, huang):
    total = sum(u.owed for u in selectors.unpaid_bills(huang, timezone.localdate()))
    signed_in(client, HUANG, "en")
    text = pdf_text(client.get(reverse("billing:unpaid_slip_all")).content)
    assert "NHI premium payment slip" in text and "黃冠宇" in text
    assert f"{total:09d}" in text  # segment 3's amount
    assert grouped(total) in text


def test_schedule_adds_up_to_the_arrears_exactly():
    parts = services.schedule(2580, 3, dt.date(2026, 12, 7))
    assert [p.amount for p in parts] == [860, 860, 860]
    parts = services.schedule(2581, 3, dt.date(2026, 12, 7))
    assert sum(p.amount for p in parts) == 2581 and parts[0].amount == 861
    assert [p.due_date for p in parts] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
    ]


def test_schedule_refuses_instalments_below_the_least_or_beyond_twelve():
    with pytest.raises(BillingRefused) as refused:
        services.schedule(2580, 4, dt.date(2026, 12, 7))  # 645 each < 826
    assert refused.value.code == "bad_count"
    with pytest.raises(BillingRefused) as refused:
        services.schedule(40_000, 13, dt.date(2026, 12, 7))
    assert refused.value.code == "bad_count"
    with pytest.raises(BillingRefused) as refused:
        services.schedule(1_000, 2, dt.date(2026, 12, 7))
    assert refused.value.code == "too_small"
    with pytest.raises(BillingRefused) as refused:
        services.schedule(rules.SIMPLE_INSTALMENT_ARREARS_BELOW, 12, dt.date(2026, 12, 7))
    assert refused.value.code == "too_large"


def test_the_schedule_is_shown_before_applying_and_nothing_is_written(client, huang):
    ids = [u.bill.pk for u in _arrears(huang)]
    arrears = sum(u.owed for u in _arrears(huang))
    signed_in(client, HUANG)
    page = client.get(APPLY, {"bills": ids, "count": 2}).content.decode()
    first, second = services.schedule(arrears, 2, timezone.localdate())
    assert f"{grouped(first.amount)}" in page and f"{grouped(second.amount)}" in page
    assert not InstalmentPlan.objects.exists()


def test_applying_stores_the_plan_sends_the_notice_and_mails_the_schedule(client, huang):
    huang.email = "huang@example.com"
    huang.save()
    arrears_bills = _arrears(huang)
    ids = [u.bill.pk for u in arrears_bills]
    arrears = sum(u.owed for u in arrears_bills)
    signed_in(client, HUANG)
    response = client.post(APPLY, {"bills": ids, "count": 2})
    plan = InstalmentPlan.objects.get(person=huang)
    assert response["Location"] == reverse("billing:unpaid_plan", args=[plan.pk])
    assert (plan.arrears, plan.instalments) == (arrears, 2)
    assert sum(p.amount for p in plan.parts.all()) == arrears
    assert set(plan.planned_bills.values_list("bill_id", flat=True)) == set(ids)
    notice = Notice.objects.get(person=huang, kind=Notice.Kind.INSTALMENT)
    assert notice.plan == plan and notice.facts["arrears"] == arrears
    message = mail.outbox[-1]
    assert message.to == ["huang@example.com"]
    assert "簡易分期" in message.body and "instalments" in message.body
    assert grouped(arrears) in message.body
    page = client.get(UNPAID).content.decode()
    assert f"#{plan.pk}" in page and "分期" in page
    plan_page = client.get(response["Location"]).content.decode()
    assert reverse("billing:unpaid_plan_slip", args=[plan.pk, 2]) in plan_page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "已有分期"), ("en", "already have an instalment plan")],
)
def test_applying_twice_is_refused(client, huang, language, expected):
    ids = [u.bill.pk for u in _arrears(huang)]
    services.apply_instalments(person=huang, bill_ids=ids[:-1], count=2)
    signed_in(client, HUANG, language)
    response = client.post(APPLY, {"bills": ids[-1:], "count": 2})
    assert response.status_code == 400 and expected in response.content.decode()
    assert InstalmentPlan.objects.count() == 1


def test_bills_already_in_a_plan_are_refused(huang):
    ids = [u.bill.pk for u in _arrears(huang)]
    plan = services.apply_instalments(person=huang, bill_ids=ids, count=2)
    plan.status = InstalmentPlan.Status.COMPLETED
    plan.save()
    with pytest.raises(BillingRefused) as refused:
        services.apply_instalments(person=huang, bill_ids=ids, count=2)
    assert refused.value.code == "already_planned"
    assert PlannedBill.objects.count() == len(ids) and InstalmentPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "zh", "en"),
    [
        ({"count": "two"}, "整數", "whole number"),
        ({"count": "13"}, "整數", "whole number"),
        ({"count": "٢"}, "整數", "whole number"),  # an Arabic-Indic 2: int() would take it
        ({"count": "2", "bills": ["9" * 30]}, "不是您", "not one of your"),
        ({"count": "6"}, "每期", "each instalment"),
        ({"count": "2", "bills": ["abc"]}, "不是您", "not one of your"),
        ({"count": "2", "bills": []}, "至少", "at least one"),
    ],
)
def test_bad_input_is_refused_in_both_languages_and_nothing_is_written(client, huang, data, zh, en):
    ids = [str(u.bill.pk) for u in _arrears(huang)]
    data = {"bills": ids} | data
    for language, expected in (("zh-hant", zh), ("en", en)):
        signed_in(client, HUANG, language)
        response = client.post(APPLY, data)
        assert response.status_code == 400
        assert expected in response.content.decode(), (language, data)
    assert not InstalmentPlan.objects.exists() and not InstalmentPart.objects.exists()
    assert not Notice.objects.filter(kind=Notice.Kind.INSTALMENT).exists()


@pytest.mark.parametrize(("language", "expected"), [("zh-hant", "不是您"), ("en", "not one of")])
def test_a_bill_not_theirs_is_refused(client, huang, language, expected):
    chen = Person.objects.get(national_id=CHEN)
    other = chen.premium_bills.first()
    ids = [u.bill.pk for u in _arrears(huang)]
    signed_in(client, HUANG, language)
    response = client.post(APPLY, {"bills": [*ids, other.pk], "count": 2})
    assert response.status_code == 400 and expected in response.content.decode()
    assert not InstalmentPlan.objects.exists()


def test_arrears_too_small_cannot_be_split(huang):
    one = _arrears(huang)[0]  # a month of NT$516 < two instalments of NT$826
    with pytest.raises(BillingRefused) as refused:
        services.apply_instalments(person=huang, bill_ids=[one.bill.pk], count=2)
    assert refused.value.code == "too_small"
    assert not InstalmentPlan.objects.exists()


def test_the_unpaid_page_reads_in_few_queries_however_many_bills(
    client, huang, django_assert_max_num_queries
):
    ids = [u.bill.pk for u in _arrears(huang)]
    services.apply_instalments(person=huang, bill_ids=ids[:4], count=2)
    signed_in(client, HUANG)
    with django_assert_max_num_queries(10):
        assert client.get(UNPAID).status_code == 200
