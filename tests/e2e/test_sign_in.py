"""Signing in to My Health Bank by each of the three methods; being locked out after wrong
passwords and recovering with Forgot password; the idle sign-out warning."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from healthbank.identity import services
from healthbank.identity.models import Account
from healthbank.people.models import Person
from healthbank.synth.personas import CERTIFICATE_PIN
from tests.e2e.steps import (
    insert_card,
    insert_certificate,
    open_mail_link,
    read_card,
    solve_captcha,
    submit,
)

PASSWORD = "Tea-time-60!"  # noqa: S105 - not built from his e-mail (zhiming@)


def _registered_at_counter(national_id: str) -> Person:
    person = Person.objects.get(national_id=national_id)
    services.register_at_counter(
        person=person, password=PASSWORD, email="zhiming@example.com", staff_id=1
    )
    return person


def _general_sign_in(page, national_id: str, card_number: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("身分證號").fill(national_id)
    page.get_by_label("健保卡卡號").fill(card_number)
    page.get_by_label("健保卡網路服務註冊密碼").fill(password)
    solve_captcha(page, "password")
    submit(page)


def _sign_out(page) -> None:
    page.get_by_role("button", name="登出").click()
    expect(page).to_have_url(re.compile("/login/"))


@pytest.mark.allow_errors(r"^POST /certificate/sign → 403$")  # a wrong PIN, on purpose
def test_sign_in_by_card_then_general_then_certificate(page, personas):
    _registered_at_counter("A123456789")

    # Registered at the counter: the card has never been read online, so general sign-in
    # (no card) is refused until a card sign-in.
    _general_sign_in(page, "A123456789", "000090000001", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("尚未")

    insert_card("000090000001")
    page.get_by_role("link", name="健保卡", exact=True).click()
    read_card(page)
    page.get_by_label("健保卡網路服務註冊密碼").fill(PASSWORD)
    solve_captcha(page, "card")
    submit(page)
    expect(page).to_have_url(re.compile("/bank/$"))
    _sign_out(page)

    _general_sign_in(page, "a123456789", "0000 9000 0001", PASSWORD)
    expect(page).to_have_url(re.compile("/bank/$"))
    expect(page.locator(".last-login")).to_contain_text("健保卡")
    _sign_out(page)

    insert_certificate("A123456789")
    page.get_by_role("link", name="自然人憑證").click()
    read_card(page, pin="000000")
    expect(page.locator("[data-status]")).to_contain_text("PIN 碼錯誤")
    read_card(page, pin=CERTIFICATE_PIN)
    submit(page)
    expect(page).to_have_url(re.compile("/bank/$"))
    expect(page.locator(".last-login")).to_contain_text("一般登入")


def test_locked_out_after_five_wrong_passwords_then_recover_with_forgot_password(page, personas):
    person = _registered_at_counter("A123456789")
    insert_card("000090000001")
    Account.objects.filter(person=person).update(card_verified_at="2026-11-01T00:00:00Z")

    for _attempt in range(5):
        _general_sign_in(page, "A123456789", "000090000001", "wrong-password")
        expect(page.get_by_role("alert")).to_contain_text("登入資料有誤")
    # Now the right password reads like a wrong one (no oracle for whoever is guessing)...
    _general_sign_in(page, "A123456789", "000090000001", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("登入資料有誤")
    expect(page).to_have_url(re.compile("/login/"))
    # ...while the card in the reader proves who is there: they are told why and how.
    page.get_by_role("link", name="健保卡", exact=True).click()
    read_card(page)
    page.get_by_label("健保卡網路服務註冊密碼").fill(PASSWORD)
    solve_captcha(page, "card")
    submit(page)
    expect(page.get_by_role("alert")).to_contain_text("已暫停使用網路服務")
    expect(page).to_have_url(re.compile("/login/"))

    page.get_by_role("link", name="忘記密碼").click()
    read_card(page)
    page.get_by_label("寄送重設註冊密碼信", exact=True).check()
    page.get_by_role("button", name="確定").click()
    expect(page.locator(".done")).to_contain_text("zhi*****@example.com")

    open_mail_link(page, "/register/reset/")
    read_card(page)
    page.get_by_label(re.compile("^註冊密碼")).fill("New-pass-88")
    page.get_by_label("再次確認密碼").fill("New-pass-88")
    page.get_by_role("button", name="確定").click()
    expect(page.locator(".done")).to_contain_text("註冊密碼變更成功")

    _general_sign_in(page, "A123456789", "000090000001", "New-pass-88")
    expect(page).to_have_url(re.compile("/bank/$"))


def test_idle_warning_then_sign_out(page, personas, settings):
    settings.SESSION_IDLE_SECONDS = 6
    settings.SESSION_IDLE_WARNING_SECONDS = 5
    _registered_at_counter("A123456789")
    insert_certificate("A123456789")
    page.goto("/login/?tab=certificate")
    read_card(page, pin=CERTIFICATE_PIN)
    submit(page)
    expect(page).to_have_url(re.compile("/bank/$"))

    dialog = page.locator("dialog[data-idle-dialog]")
    expect(dialog).to_be_visible(timeout=10_000)
    dialog.get_by_role("button", name="繼續使用").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile("/login/"), timeout=20_000)
    page.goto("/bank/")
    expect(page).to_have_url(re.compile("/login/"))
