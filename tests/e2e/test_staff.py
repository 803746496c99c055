"""A member of NHIA staff signs in to the staff pages for the first time (password, then
setting up the authenticator app and keeping the recovery codes), looks a person up, and
later signs in with the app's code."""

import base64
import datetime as dt
import re

from django.contrib.auth import get_user_model
from django_otp.oath import totp
from playwright.sync_api import expect

from healthbank.synth.streets import ROADS
from tests.e2e.steps import give_reason, staff_sign_in
from tests.fixtures.personas import seed_personas

PASSWORD = "a long clerk password"  # noqa: S105 - test password


def app_code(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app given this key (as the page shows it) displays now, or
    that many 30-second steps later."""
    key = key.replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    # Whole steps, not seconds from a second clock reading: `now + 30` read twice can
    # land in the step already used, which the server rightly refuses.
    return f"{totp(secret, t0=-30 * steps_ahead):06d}"  # counting from earlier: a later code


def test_staff_enrol_at_the_first_sign_in_then_find_a_person(page):
    seed_personas(today=dt.date(2026, 11, 23))  # the personas only
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
    give_reason(page)  # a search by ID reads the people it finds: staff say why first
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
    page.get_by_label("驗證碼").fill(app_code(key, steps_ahead=1))
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("link", name="民眾", exact=True)).to_be_visible()


def test_a_staff_helper_signs_in_as_browser_tests_need(page):
    """tests/e2e/steps.staff_sign_in, which the other staff browser tests use."""
    get_user_model().objects.create_superuser("clerk", password=PASSWORD)
    page.goto("/staff/")
    staff_sign_in(page, "clerk", PASSWORD)
    expect(page.locator("#site-name")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_staff_pages_read_in_chinese_and_carry_the_sites_icon(page):
    """Issue 19, item 10: app, table, column and filter names in Chinese, and an icon on
    every page, so the browser's console shows no 404 for /favicon.ico."""
    from healthbank.people.models import Household, Village

    village = Village.objects.order_by("code").first()
    Household.objects.create(
        number="A1000001", village=village, neighbourhood=1, street_address="中山南路1號"
    )
    get_user_model().objects.create_superuser("clerk", password=PASSWORD)
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto("/staff/")
    staff_sign_in(page, "clerk", PASSWORD)

    content = page.locator("#content")
    apps = content.locator("a.section")  # each app's heading
    expect(apps.first).to_be_visible()
    assert {"醫事機構及機關資料上傳", "背景工作", "虛擬健保卡"} <= set(apps.all_inner_texts())
    shown = content.inner_text().lower()
    for english in [
        "provider and agency data feeds",
        "tasks database backend",
        "virtual nhi card",
        "task results",
        "healthbank staff",
    ]:
        assert english not in shown

    page.goto("/staff/people/village/")
    expect(page.locator("#changelist-filter").get_by_text("以 縣市")).to_be_visible()
    expect(page.locator("#result_list thead")).to_contain_text("鄉鎮市區")
    page.goto("/staff/people/household/")
    expect(page.locator("#result_list thead")).to_contain_text("戶籍地址")
    assert "以 county" not in page.content()

    for url in ["/staff/", "/staff/people/village/", "/"]:
        page.goto(url)
        icons = page.locator('link[rel="icon"]')
        expect(icons).to_have_count(2)
        for href in [icons.nth(i).get_attribute("href") for i in range(2)]:
            assert page.request.get(href).ok, href
    assert failed == []


def test_staff_issue_a_credential_for_a_provider_found_by_name(page):
    """The provider is found by typing (not by its internal id); the row types it may send
    are ticked and listed by name (就醫紀錄), not by code (visit)."""
    from healthbank.people.models import Township
    from healthbank.records.models import Provider

    town = Township.objects.get(code="63000050")  # 臺北市中正區
    for code, name in [("0401180014", "臺大醫院"), ("0501110514", "三軍總醫院")]:
        Provider.objects.create(
            code=code,
            name=name,
            kind=Provider.Kind.MEDICAL_CENTRE,
            county=town.county,
            township=town,
            phone="02-23123456",
            address="中山南路7號",
        )
    get_user_model().objects.create_superuser("clerk", password=PASSWORD)
    page.goto("/staff/ingest/credential/add/")
    staff_sign_in(page, "clerk", PASSWORD)

    page.locator(".field-provider .select2-selection").click()
    page.locator(".select2-search__field").fill("臺大")
    page.locator(".select2-results__option", has_text="臺大醫院").click()
    page.get_by_label("就醫紀錄", exact=True).check()
    page.get_by_label("檢驗(查)結果", exact=True).check()
    page.get_by_role("button", name="儲存", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("hbk_")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("臺大醫院")
    expect(row).to_contain_text("就醫紀錄、檢驗(查)結果")
    expect(row).not_to_contain_text("lab_result")


def test_staff_see_a_persona_households_full_address(page):
    """Registering asks for the household number and the full registered address: the staff
    household pages show all of it, and the street is one of the township's own roads."""
    seed_personas(today=dt.date(2026, 11, 23))  # the personas only
    get_user_model().objects.create_superuser("clerk", password=PASSWORD)
    page.goto("/staff/people/household/")
    staff_sign_in(page, "clerk", PASSWORD)

    page.locator("#searchbar").fill("A123456789")  # 陳志明, the head of the household
    page.keyboard.press("Enter")
    give_reason(page)
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("新北市板橋區文化里5鄰文化路一段88號")  # county … 鄰, street

    row.get_by_role("link", name="F0900001").click()
    address = page.locator(".field-registered_address .readonly")
    expect(address).to_have_text(re.compile(r"^新北市板橋區文化里5鄰.+?[0-9]+號\s*$"))
    road = re.fullmatch(r"新北市板橋區文化里5鄰(\w+?)[0-9]+號", address.inner_text().strip())
    assert road and road[1] in ROADS["65000010"]  # a road of 板橋區
