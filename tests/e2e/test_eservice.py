"""The personal NHI e-services (個人健保資料網路服務作業) in the browser, as seed 002 shows them:
sign in with the citizen digital certificate, apply for the mobile device account, generate
a device verification code (asked for the password again) and see its QR code and text; and
sign in with the NHI card and registration password and open every service of seed 000's
list; download a signed certificate, check it at /verify/ and see a changed copy fail."""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from healthbank.certificates.tests.conftest import pdf_text, validate
from healthbank.identity import devices
from healthbank.identity.eservice_menu import SERVICES
from healthbank.identity.models import Account
from healthbank.identity.services import register_at_counter
from healthbank.identity.tests.cardhelpers import CHEN_ID, PASSWORD
from healthbank.people.models import Person
from tests.e2e.steps import eservice_sign_in

WIFE_ID = "A223456781"  # 陳林秀英: a citizen certificate, no NHI card registration
APP_PASSWORD = "Phone#2026"  # noqa: S105 - the password she chooses for the app
IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}


def test_certificate_sign_in_mobile_account_and_device_code(page, personas):
    page.goto("/eservice/")
    expect(page).to_have_url(re.compile(r"/eservice/login/\?next=/eservice/$"))
    eservice_sign_in(page, WIFE_ID)
    expect(page.get_by_role("heading", level=1)).to_have_text("個人健保資料網路服務作業")

    # Without the mobile device account, device verification sends her to apply first.
    page.get_by_role("link", name="行動裝置認證").click()
    expect(page).to_have_url(re.compile("/eservice/mobile-account/$"))
    expect(page.locator(".messages")).to_contain_text("請先完成「行動裝置帳號申請」")

    page.get_by_label(re.compile("^註冊密碼")).fill("phone1")
    expect(page.locator("[data-strength-for]")).to_have_attribute("data-level", "medium")
    page.get_by_label(re.compile("^註冊密碼")).fill(APP_PASSWORD)
    expect(page.locator("[data-strength-for]")).to_have_attribute("data-level", "strong")
    page.get_by_label("再次確認密碼").fill("Phone#2027")
    page.get_by_label(re.compile("^E-Mail")).fill("lin@example.com")
    page.get_by_role("button", name="確認申請").click()
    expect(page.locator("main")).to_contain_text("兩次輸入的密碼不一致")
    assert Account.objects.get(person__national_id=WIFE_ID).status == Account.Status.CERTIFICATE

    page.get_by_label(re.compile("^註冊密碼")).fill(APP_PASSWORD)
    page.get_by_label("再次確認密碼").fill(APP_PASSWORD)
    page.get_by_role("button", name="確認申請").click()
    expect(page).to_have_url(re.compile("/eservice/device/$"))
    expect(page.locator(".messages")).to_contain_text("行動裝置帳號申請完成")

    # Asked again: a wrong password issues no code.
    page.get_by_label("註冊密碼").fill("not-my-password")
    page.get_by_role("button", name="產生裝置認證碼").click()
    expect(page.locator("main")).to_contain_text("註冊密碼錯誤")
    expect(page.locator("figure.qr svg")).to_have_count(0)

    page.get_by_label("註冊密碼").fill(APP_PASSWORD)
    page.get_by_role("button", name="產生裝置認證碼").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    code = page.locator(".device-code-text")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    expect(page.locator(".device-code")).to_contain_text("有效時間")

    # The typed code verifies her phone; the management page lists it.
    devices.verify_device(code=code.inner_text(), **IPHONE)
    page.get_by_role("link", name="個人健保資料網路服務作業").click()
    page.get_by_role("link", name="行動裝置管理作業").click()
    expect(page.locator("table.records tbody tr")).to_have_count(1)
    expect(page.locator("table.records")).to_contain_text("啟用")
    expect(page.get_by_role("button", name="停用裝置")).to_be_visible()


def test_nhi_card_and_password_reach_every_service(page, personas):
    """陳志明 signs in with his NHI card and registration password and opens each service of
    the seed's list from it: every one offered answers with its page in his session, and the
    applications still to come say so."""
    register_at_counter(
        person=Person.objects.get(national_id=CHEN_ID), password=PASSWORD, staff_id=1
    )
    page.goto("/eservice/login/")
    eservice_sign_in(page, CHEN_ID, password=PASSWORD)
    services = page.locator("ol.services > li")
    expect(services).to_have_count(len(SERVICES))
    for index, service in enumerate(SERVICES):
        item = services.nth(index)
        with translation.override("zh-hant"):
            title = str(service.title)
        expect(item).to_contain_text(title)
        item.get_by_role("link").click()
        expect(page).to_have_url(re.compile(re.escape(reverse(service.url_name)) + "$"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.get_by_role("link", name="個人健保資料網路服務作業").first.click()
        expect(page).to_have_url(re.compile(r"/eservice/$"))


def _validated(pdf: bytes):
    """pyHanko's verdict, from a thread of its own: it runs asyncio, which Playwright's
    sync API already runs in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(validate, pdf).result()


def test_a_downloaded_certificate_is_signed_checkable_and_a_changed_copy_fails(page, personas):
    """陳志明 downloads his certificate of insurance in English: pyHanko finds NHIA's
    signature intact and trusted, /verify/ says the code is genuine and shows the file's
    digest, and a copy with one word changed fails the signature and has another digest."""
    page.goto("/eservice/login/")
    eservice_sign_in(page, CHEN_ID)
    page.goto("/eservice/certificates/insurance/")
    page.get_by_label("English").check()
    with page.expect_download() as download:
        page.locator("main form button[type=submit]").click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.startswith("NHI_certificate_of_insurance_")
    status = _validated(pdf)
    assert status.intact and status.valid and status.trusted

    code = re.search(r"([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})", pdf_text(pdf))
    assert code, "no verification code printed"
    page.goto("/verify/")
    page.locator("input[name=code]").fill(code.group(1).lower())  # typed as read
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("真實：本證明由健保署核發，且仍在有效期限內。")
    expect(page.locator("main")).to_contain_text("陳志明")
    expect(page.locator("main")).to_contain_text(hashlib.sha256(pdf).hexdigest())

    changed = bytearray(pdf)
    at = changed.index(b"/MediaBox")  # inside the signed range
    changed[at + 1 : at + 9] = b"MediaBoy"
    status = _validated(bytes(changed))
    assert not status.intact and not status.bottom_line
    expect(page.locator("main")).not_to_contain_text(hashlib.sha256(changed).hexdigest())
