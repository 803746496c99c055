"""通訊地址變更 and 保險費單次約定轉帳 in the browser: 黃冠宇 gives a mailing address with the
county → township → village selects and sees it on his next notice; pays an unpaid month
by a one-time direct debit and sees it paid; asks for all his arrears, which his balance
does not cover, and sees the bank's reason."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from healthbank.billing.models import DirectDebit
from healthbank.external.bank import REASONS
from healthbank.people.addresses import current_mailing_address
from healthbank.people.models import Person, PremiumPayment, Village
from healthbank.synth.bank import PERSONA_ACCOUNTS
from tests.e2e.steps import eservice_sign_in

HUANG = "B123456780"
BANK, ACCOUNT, _ = PERSONA_ACCOUNTS[HUANG]


def zh(text) -> str:
    with translation.override("zh-hant"):
        return str(text)


def worker() -> None:
    call_command("worker", "--batch", "--interval", "0.01")  # the background worker's turn


@pytest.mark.allow_errors(r"^POST /eservice/billing/address/ → 400$")  # refused on purpose
def test_huang_changes_his_address_and_pays_by_direct_debit(page, personas):
    huang = Person.objects.get(national_id=HUANG)
    village = Village.objects.filter(township__county_id="63000").order_by("code").first()
    page.goto("/eservice/")
    eservice_sign_in(page, HUANG)
    page.goto("/eservice/billing/address/")
    expect(page.locator("#mailing-address")).to_contain_text("戶籍地址")

    # Bad input first: no street address; nothing is saved.
    page.locator("select[name=county]").select_option(village.township.county_id)
    page.locator("select[name=township]").select_option(village.township_id)
    page.locator("select[name=village]").select_option(village.pk)
    page.get_by_role("button", name="儲存通訊地址").click()
    expect(page.locator("main")).to_contain_text("請輸入街道地址")
    assert current_mailing_address(huang) is None

    # The selects start again from the county the page kept.
    page.locator("select[name=township]").select_option(village.township_id)
    page.locator("select[name=village]").select_option(village.pk)
    page.locator("input[name=neighbourhood]").fill("12")
    page.locator("input[name=street_address]").fill("羅斯福路四段1號2樓")
    page.get_by_role("button", name="儲存通訊地址").click()
    expect(page.locator(".messages")).to_contain_text("通訊地址已變更")
    address = current_mailing_address(huang).address
    assert village.name_zh in address and "12鄰" in address
    expect(page.locator("#mailing-address")).to_contain_text(address)

    # A one-time direct debit of his oldest unpaid month.
    page.goto("/eservice/billing/debit/")
    boxes = page.locator("input[name=bills]")
    for i in range(1, boxes.count()):
        boxes.nth(i).uncheck()
    page.locator("select[name=bank_code]").select_option(BANK)
    page.locator("input[name=account_number]").fill(ACCOUNT)
    page.locator("input[name=agree]").check()
    page.get_by_role("button", name="申請扣款").click()
    expect(page.locator("#debit-status")).to_have_text(zh(DirectDebit.Status.REQUESTED.label))
    expect(page.locator("main")).not_to_contain_text(ACCOUNT)
    worker()  # the bank answers; the page refreshes by itself
    expect(page.locator("#debit-status")).to_have_text(
        zh(DirectDebit.Status.PAID.label), timeout=10_000
    )
    debit = DirectDebit.objects.get(person=huang)
    assert PremiumPayment.objects.filter(
        person=huang, method="bank", bill__debits__debit=debit
    ).exists()

    # The notice of the debit went to the new address.
    page.goto("/eservice/billing/notices/")
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text("單次約定轉帳")
    expect(first_row).to_contain_text(address)

    # All his other arrears at once: more than his balance, so the bank refuses.
    page.goto("/eservice/billing/debit/")
    page.locator("select[name=bank_code]").select_option(BANK)
    page.locator("input[name=account_number]").fill(ACCOUNT)
    page.locator("input[name=agree]").check()
    page.get_by_role("button", name="申請扣款").click()
    expect(page.locator("#debit-status")).to_have_text(zh(DirectDebit.Status.REQUESTED.label))
    worker()
    expect(page.locator("#debit-status")).to_have_text(
        zh(DirectDebit.Status.FAILED.label), timeout=10_000
    )
    expect(page.get_by_role("alert")).to_contain_text(zh(REASONS["insufficient_funds"]))
    page.goto("/eservice/billing/debit/")
    expect(page.locator("tbody")).to_contain_text(zh(DirectDebit.Status.FAILED.label))
    expect(page.locator("input[name=bills]")).not_to_have_count(0)  # still to pay
    assert re.search(r"…\d{4}", page.locator("tbody").inner_text())
