"""A new user registers for NHI-card online services with the card reader and the mailbox,
then signs in to My Health Bank; the password meter reacts as they type."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from healthbank.identity.models import Account
from healthbank.people.models import Person
from tests.e2e.steps import insert_card, open_mail_link, read_card, solve_captcha, submit

PASSWORD = "Tea-time-26!"  # noqa: S105 - strong, and not built from her e-mail


def test_register_online_then_sign_in_with_the_card(page, personas):
    person = Person.objects.select_related("household__village__township").get(
        national_id="K223456780"
    )
    household = person.household
    insert_card("000090000010")

    page.goto("/register/")
    page.get_by_role("link", name="首次登入請先申請").click()
    page.get_by_label("我已閱讀完畢，並瞭解相關規定").check()
    page.get_by_role("button", name="下一步").click()

    read_card(page)
    expect(page.locator("[data-name]")).to_have_value("吳怡君")
    page.get_by_label("戶號").fill(household.number)
    page.get_by_label("縣市").select_option(household.village.township.county_id)
    page.get_by_label("鄉鎮市區").select_option(household.village.township_id)
    page.get_by_label("村里").select_option(household.village_id)
    page.get_by_label("鄰").fill(str(household.neighbourhood + 1))  # a wrong 鄰 first
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("alert")).to_contain_text("戶號或戶籍地址與戶政資料不符")

    read_card(page)  # a refused step used the reading: read again
    page.get_by_label("鄰").fill(str(household.neighbourhood))
    page.get_by_role("button", name="下一步").click()

    password = page.get_by_label(re.compile("^註冊密碼"))
    password.fill("abcdef")
    expect(page.locator("[data-strength-for]")).to_have_attribute("data-level", "weak")
    password.fill(PASSWORD)
    expect(page.locator("[data-strength-for]")).to_have_attribute("data-level", "strong")
    page.get_by_label("再次確認密碼").fill("something else")
    page.get_by_label("E-Mail（主要）").fill("yijun@example.com")
    page.get_by_role("button", name="確認申請").click()
    expect(page.locator(".errorlist")).to_contain_text("兩次輸入的密碼不一致")

    page.get_by_label(re.compile("^註冊密碼")).fill(PASSWORD)
    page.get_by_label("再次確認密碼").fill(PASSWORD)
    page.get_by_role("button", name="確認申請").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("請至電子信箱收取認證信")
    assert Account.objects.get(person=person).status == Account.Status.PENDING

    open_mail_link(page, "/register/confirm/")
    read_card(page)
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("註冊完成")

    page.get_by_role("link", name="登入健康存摺").click()
    page.get_by_role("link", name="健保卡", exact=True).click()
    read_card(page)
    page.get_by_label("健保卡網路服務註冊密碼").fill(PASSWORD)
    solve_captcha(page, "card")
    submit(page)
    expect(page).to_have_url(re.compile("/bank/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("吳怡君")
    expect(page.locator(".last-login")).to_contain_text("第一次登入")


@pytest.mark.allow_errors(r"^GET /register/confirm/\S+/ → 410$")  # used once: gone, on purpose
def test_a_confirmation_link_refuses_someone_elses_card_and_works_once(page, personas):
    from healthbank.identity import services
    from tests.e2e.steps import insert_card as insert

    person = Person.objects.get(national_id="B123456780")
    services.apply_online(person=person, password=PASSWORD, email="guan@example.com")

    insert("000090000001")  # 陳志明's card, not 黃冠宇's
    open_mail_link(page, "/register/confirm/")
    link = page.url
    read_card(page)
    submit(page)
    expect(page.get_by_role("alert")).to_contain_text("此健保卡不是您本人的")
    assert Account.objects.get(person=person).status == Account.Status.PENDING

    insert("000090000007")
    read_card(page)
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("註冊完成")

    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("連結無效")
