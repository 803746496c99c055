"""Browser tests of issue 19's portal slips, as a Chinese reader on a phone notices them: the
KDIGO grid in English and its caption out of sight, a parent greeted as her child, NHI
points without thousands separators, the package list's "uploaded file" heading."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from healthbank.people.models import Person
from tests.e2e.test_portal import CHEN, LIN, sign_in_as

CHEN_WIFE, CHANG, LIN_DAUGHTER = "A223456781", "E223456785", "F224681354"
PHONE = {"width": 390, "height": 844}
GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")


def in_chinese(page: Page, live_server) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hant", "url": live_server.url}]
    )


def test_kidney_grid_reads_in_chinese_and_its_explanation_fits_a_phone(page, live_server, personas):
    sign_in_as(page, live_server, CHANG)
    in_chinese(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(reverse("bank:kidney_risk"))
    grid = page.locator("table.kdigo")
    expect(grid).to_contain_text("1（如有慢性腎臟病）")
    expect(grid).not_to_contain_text("if CKD")
    # The grid scrolls in its box; what explains it must be readable without scrolling.
    box = page.locator("table.kdigo").locator("xpath=..")
    right_edge = box.evaluate("b => b.getBoundingClientRect().right")
    for text in (grid.locator("caption"), page.locator("#kdigo-note")):
        expect(text).to_be_visible()
        text_right = text.evaluate(
            """e => { const r = document.createRange(); r.selectNodeContents(e);
                      return r.getBoundingClientRect().right; }"""
        )
        assert text_right <= right_edge + 1, f"{text}: text runs to {text_right} > {right_edge}"
    assert grid.get_attribute("aria-describedby") == "kdigo-note"


def test_a_mother_viewing_her_daughter_is_greeted_as_herself(page, live_server, personas):
    from healthbank.audit.services import Action, record

    mother = sign_in_as(page, live_server, LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    for address in ("203.0.113.7", "203.0.113.8"):  # her sign-in before this one, and this one
        record(action=Action.LOGIN, person=mother, method="password", address=address)
    in_chinese(page, live_server)
    page.goto(reverse("bank:home"))
    page.locator(f".subject-switch button[value='{daughter.pk}']").click()

    expect(page.locator("main h1")).to_have_text(f"{mother.name} 您好")
    expect(page.locator(".last-login")).to_contain_text("203.0.113.7")  # hers, not the child's
    expect(page.locator(".child-note")).to_contain_text(f"您正在查看子女 {daughter.name} 的資料")
    expect(page.locator(".site-header .who")).to_have_text(mother.name)
    expect(page).to_have_title(re.compile(daughter.name))  # the tab says whose records
    # Her account's pages (registration data, password) are not offered as the child's.
    expect(page.locator(f"main a[href='{reverse('identity:register')}']")).to_have_count(0)

    page.goto(reverse("downloads:home"))
    expect(page.locator(".child-note")).to_contain_text(daughter.name)
    expect(page.locator(".password-note")).to_contain_text(daughter.masked_id)

    page.locator(f".subject-switch button[value='{mother.pk}']").click()
    page.goto(reverse("bank:home"))
    expect(page.locator("main h1")).to_have_text(f"{mother.name} 您好")
    expect(page.locator(f"main a[href='{reverse('identity:register')}']")).to_have_count(1)


def test_nhi_points_group_thousands_in_the_list_and_the_visit_dialog(page, live_server, personas):
    sign_in_as(page, live_server, CHEN_WIFE)
    in_chinese(page, live_server)
    page.goto(reverse("bank:inpatient") + "?sort=-points")
    row = page.locator("main table tbody tr").filter(has=page.locator("a[hx-get]")).first
    points = row.locator("td.number").last
    expect(points).to_have_text(GROUPED)  # 12,944, not 12944
    row.locator("a[hx-get]").click()
    dialog = page.locator("#detail-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("dt", has_text="健保支付點數").locator("xpath=../dd")).to_have_text(
        GROUPED
    )


def test_the_package_list_heads_its_file_name_column_as_such(
    page, live_server, personas, settings, tmp_path
):
    from healthbank.downloads import services

    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    chen = sign_in_as(page, live_server, CHEN)
    services.request_package(person=chen, requested_by=chen, choices=[{"code": "cards"}])
    in_chinese(page, live_server)
    page.goto(reverse("downloads:home"))
    headers = page.locator("table.packages thead th")
    expect(headers.nth(1)).to_have_text("檔案名稱")
    expect(page.locator("table.packages")).not_to_contain_text("上傳檔案")
    page.locator("header .language button[lang=en]").click()
    expect(headers.nth(1)).to_have_text("File name")
