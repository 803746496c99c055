"""A member of NHIA staff signs in to the staff pages for the first time (password, then
setting up the authenticator app and keeping the recovery codes), looks a person up, and
later signs in with the app's code."""

import base64
import datetime as dt
import re
import time

from django.contrib.auth import get_user_model
from django_otp.oath import totp
from playwright.sync_api import expect

from healthbank.synth.services import seed_population
from healthbank.synth.streets import ROADS
from tests.e2e.steps import staff_sign_in

PASSWORD = "a long clerk password"  # noqa: S105 - test password


def app_code(key: str, at: float | None = None) -> str:
    """What an authenticator app given this key (as the page shows it) displays."""
    key = key.replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    ahead = 0 if at is None else int(at - time.time())
    return f"{totp(secret, t0=-ahead):06d}"  # counting from earlier: the code of later


def test_staff_enrol_at_the_first_sign_in_then_find_a_person(page):
    seed_population(people_count=0, seed=1, today=dt.date(2026, 11, 23))  # the personas only
    get_user_model().objects.create_superuser("clerk", password=PASSWORD)

    page.goto("/staff/")
    page.get_by_label("使用者名稱").fill("clerk")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()

    # First sign-in: set up the authenticator app.
    expect(page.get_by_role("heading", name="設定第二道驗證")).to_be_visible()
    expect(page.locator(".staff-qr svg")).to_be_visible()
    key = page.locator(".staff-secret").inner_text()
    page.get_by_label("驗證碼").fill(app_code(key))
    page.get_by_role("button", name="確定").click()

    expect(page.get_by_role("heading", name="您的備用驗證碼")).to_be_visible()
    expect(page.locator(".staff-recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="我已保存：前往人員頁面").click()

    page.get_by_role("link", name="民眾", exact=True).click()
    page.get_by_role("textbox").first.fill("a123456789")  # any case finds the ID
    page.keyboard.press("Enter")
    expect(page.get_by_role("cell", name="陳志明", exact=True)).to_be_visible()
    expect(page.get_by_text("林雅婷")).to_have_count(0)

    page.get_by_role("link", name="A123456789").click()
    expect(page.locator("input[name=name]")).to_have_value("陳志明")
    expect(page.locator('input[value="000090000001"]')).to_be_visible()  # his card, inline

    # Later: the password, then the app's code (the next one: each code signs in once).
    page.get_by_role("button", name="登出").click()
    page.goto("/staff/")
    page.get_by_label("使用者名稱").fill("clerk")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("heading", name="第二步：輸入驗證碼")).to_be_visible()
    page.get_by_label("驗證碼").fill(app_code(key, at=time.time() + 30))
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("link", name="民眾", exact=True)).to_be_visible()


def test_a_staff_helper_signs_in_as_browser_tests_need(page):
    """tests/e2e/steps.staff_sign_in, which the other staff browser tests use."""
    get_user_model().objects.create_superuser("clerk", password=PASSWORD)
    page.goto("/staff/")
    staff_sign_in(page, "clerk", PASSWORD)
    expect(page.locator("#site-name")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_staff_see_a_persona_households_full_address(page):
    """Registering asks for the household number and the full registered address: the staff
    household pages show all of it, and the street is one of the township's own roads."""
    seed_population(people_count=0, seed=1, today=dt.date(2026, 11, 23))  # the personas only
    get_user_model().objects.create_superuser("clerk", password=PASSWORD)
    page.goto("/staff/people/household/")
    staff_sign_in(page, "clerk", PASSWORD)

    page.locator("#searchbar").fill("A123456789")  # 陳志明, the head of the household
    page.keyboard.press("Enter")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("新北市板橋區文化里5鄰文化路一段88號")  # county … 鄰, street

    row.get_by_role("link", name="F0900001").click()
    address = page.locator(".field-registered_address .readonly")
    expect(address).to_have_text(re.compile(r"^新北市板橋區文化里5鄰.+?[0-9]+號\s*$"))
    road = re.fullmatch(r"新北市板橋區文化里5鄰(\w+?)[0-9]+號", address.inner_text().strip())
    assert road and road[1] in ROADS["65000010"]  # a road of 板橋區
