"""A visitor opens the landing page and switches language."""

from playwright.sync_api import expect


def test_landing_opens_in_chinese_and_switches_to_english_and_back(page):
    page.goto("/")  # the browser prefers English (locale en-US): the portal still opens in zh-Hant
    expect(page.locator("h1")).to_have_text("健康存摺")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page.locator("header")).to_have_css("background-color", "rgb(43, 122, 75)")  # styled

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("My Health Bank")
    expect(page.get_by_text("NHI card status and card collection records")).to_be_visible()

    page.reload()  # the choice is remembered
    expect(page.locator("h1")).to_have_text("My Health Bank")

    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("h1")).to_have_text("健康存摺")
    expect(page.get_by_text("健保卡狀況及領卡紀錄")).to_be_visible()
