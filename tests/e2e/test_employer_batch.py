"""An insured unit uploads its employees' batch registration file with good and bad rows;
an employee completes the registration from the e-mail with the card and a new password."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from healthbank.core.rocdate import to_roc
from healthbank.employers.services import ensure_demo_unit_login
from healthbank.identity.models import Account
from healthbank.people.models import Person
from tests.e2e.steps import insert_card, open_mail_link, read_card, solve_captcha, submit

PASSWORD = "Lin-2026-ok"


def test_unit_uploads_good_and_bad_rows_and_an_employee_completes_registration(
    page, personas, tmp_path
):
    code, unit_password = ensure_demo_unit_login()
    page.goto("/units/")
    page.get_by_label("投保單位代號").fill(code)
    page.get_by_label("密碼").fill(unit_password)
    solve_captcha(page)
    submit(page)

    page.get_by_role("link", name="健保卡註冊申請整批資料上傳").first.click()
    page.get_by_label(re.compile("^聯絡人：")).fill("王承辦")
    page.get_by_label("聯絡人E-Mail").fill("hr@example.com")
    wrong_name = tmp_path / "employees.csv"
    wrong_name.write_text("A223456781,lin@example.com\n")
    page.locator("input[type=file]").set_input_files(wrong_name)
    page.get_by_role("button", name="上傳", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text(f"{code}{to_roc(timezone.localdate(), '')}")
    assert not Account.objects.exists()

    upload = tmp_path / f"{code}{to_roc(timezone.localdate(), '')}.csv"
    upload.write_text(
        "A223456781,lin@example.com,0912345678,\n"  # his wife, his dependant: accepted
        "A123456780,bad@example.com,,\n"  # check digit wrong
        "K223456780,wu@example.com,,\n"  # insured elsewhere
        "A223456781,again@example.com,,\n"  # repeated
    )
    page.locator("input[type=file]").set_input_files(upload)
    page.get_by_role("button", name="上傳", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("受理 1 筆，不受理 3 筆")

    page.get_by_role("link", name="健保卡註冊申請上傳紀錄查詢").first.click()
    page.get_by_role("link", name=upload.name).click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("受理")
    expect(rows.nth(1)).to_contain_text("檢查碼")
    expect(rows.nth(3)).to_contain_text("已出現在本檔案第 1 列")

    # The employee opens the e-mail, reads the card and chooses the password.
    insert_card("000090000002")
    open_mail_link(page, "/register/confirm/")
    read_card(page)
    page.get_by_label(re.compile("^註冊密碼")).fill(PASSWORD)
    page.get_by_label("再次確認密碼").fill(PASSWORD)
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("註冊完成")
    wife = Person.objects.get(national_id="A223456781")
    assert Account.objects.get(person=wife).status == Account.Status.ACTIVE

    page.goto("/login/")
    page.get_by_label("身分證號").fill("A223456781")
    page.get_by_label("健保卡卡號").fill("000090000002")
    page.get_by_label("健保卡網路服務註冊密碼").fill(PASSWORD)
    solve_captcha(page, "password")
    submit(page)
    expect(page).to_have_url(re.compile("/bank/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("陳林秀英")
