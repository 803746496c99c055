"""The demonstration relying party (/demo/income-query/) in a real browser on a 390 px
phone: the person starts at the "agency", signs in at My Health Bank with the NHI card in
the card reader and the registration password, agrees on the consent page, and is back at
the agency, which shows what the verified id_token says."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from healthbank.agencies import services
from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person
from tests.e2e.steps import insert_card, read_card, solve_captcha
from tests.fixtures.personas import CHEN, PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, personas):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    tab = context.new_page()
    yield tab
    context.close()


def test_a_person_proves_who_they_are_to_the_demo_agency(phone: Page, live_server):
    agency = services.seed_demo_agency()
    application = agency.application  # the demo on the live server's port, not 8000
    application.redirect_uris += f" {live_server.url}/demo/income-query/callback/"
    application.save(update_fields=["redirect_uris"])
    chen = Person.objects.get(national_id=CHEN)
    register_at_counter(person=chen, password=PASSWORD, staff_id=1)

    phone.goto("/demo/income-query/")
    expect(phone.get_by_role("note")).to_contain_text("僅供示範")
    phone.get_by_role("button", name="以健保卡證明身分").click()

    expect(phone).to_have_url(re.compile(r"/login/\?tab=card"))
    insert_card(chen.cards.get(status="valid").number)
    read_card(phone)
    phone.get_by_label("健保卡網路服務註冊密碼").fill(PASSWORD)
    solve_captcha(phone, "card")
    phone.locator("form:has([data-cardreader]) button[type=submit]").click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("年度所得查詢（示範）")
    expect(phone.locator(".claims")).to_contain_text("身分證統一編號")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="同意", exact=True).click()

    expect(phone).to_have_url(re.compile(r"/demo/income-query/callback/"))
    claims = phone.locator(".verified-claims")
    expect(claims).to_contain_text(CHEN)
    expect(claims).to_contain_text(chen.name)
    expect(claims).to_contain_text(chen.birth_date.isoformat())
