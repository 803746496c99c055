"""行動櫃檯 (the mobile counter, seed 000) in NHI Express on a 390 px phone: 陳志明 is signed in
to the e-services with his NHI card on a computer and to the app on his phone; he reports the
card lost in the app (the box, the password asked again, a confirmation). At once the card
signs in nowhere: the computer's card session ends, the card reader refuses the card on the
web's sign-in, and the app's phone verification refuses its digits, as the website's rules
say (only a valid card proves who holds it). He then applies for a replacement in the app,
and issues a certificate of insurance and changes his mailing address there."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from healthbank.audit.models import AuditEvent
from healthbank.cards.models import CardApplication
from healthbank.certificates.models import Certificate
from healthbank.external.models import BankAccount
from healthbank.identity import devices
from healthbank.identity.services import register_at_counter
from healthbank.people.addresses import current_mailing_address
from healthbank.people.models import NhiCard, Person, Village
from tests.e2e.steps import eservice_sign_in, insert_card, read_card

PASSWORD = "Health#2026"  # noqa: S105 - test password
CHEN, CHEN_CARD = "A123456789", "000090000001"  # 陳志明
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def reference_data(transactional_db):
    from healthbank.codes.loading import load_code_tables
    from healthbank.people.loading import load_divisions

    load_divisions()
    load_code_tables()


@pytest.fixture
def phone(browser: Browser, live_server, reference_data, personas, settings, tmp_path):
    """A phone on the app (390 px), with its script's errors kept in `phone.errors`."""
    settings.CERTIFICATE_DIR = tmp_path / "docsign"
    contexts, errors = [], []

    def phone() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="zh-TW", **PHONE)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        return tab

    phone.errors = errors
    yield phone
    for context in contexts:
        context.close()


def signed_in_to_app(tab: Page, account, screen: str) -> None:
    """This phone verified with a device code typed in the app, then signed in, arriving at
    the screen the person set out for."""
    code, _row = devices.issue_code(account=account, address="127.0.0.1")
    tab.goto(f"/app/#{screen}")  # signed-in only: verify this phone first
    expect(tab.get_by_role("heading", level=1)).to_have_text("裝置認證")
    tab.get_by_role("link", name="裝置碼認證").click()
    tab.get_by_label("裝置認證碼").fill(code)
    tab.get_by_role("button", name="確定").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("登入健康存摺")
    tab.get_by_label("帳號（身分證號）").fill(CHEN)
    tab.locator("#login-password").fill(PASSWORD)
    tab.get_by_role("button", name="登入", exact=True).click()
    expect(tab.locator(f"[data-screen={screen}]")).to_be_visible()
    expect(tab.locator("body")).not_to_have_attribute("aria-busy", "true")  # loaded


def photo_file() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (480, 600), "wheat").save(out, format="JPEG")
    return {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def fits_the_phone(tab: Page) -> None:
    """Nothing wider than the 390 px screen: no sideways scrolling."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


# On purpose: a wrong password asked again (403), the card reader refusing the lost card on
# the web's sign-in (410), and the app's phone verification refusing its digits (401).
@pytest.mark.allow_errors(
    r"^POST /api/v1/counter/cards/lost → 403$",
    r"POST /nhi/sign → 410",
    r"^POST /api/v1/devices/verify-phone → 401$",
)
def test_a_card_reported_lost_in_the_app_stops_signing_in_everywhere(
    phone, browser: Browser, live_server
):
    chen = Person.objects.get(national_id=CHEN)
    account = register_at_counter(person=chen, password=PASSWORD, staff_id=1)
    money = BankAccount.objects.get(holder_national_id=CHEN)  # as make demo seeds it
    balance = money.balance

    # Signed in to the e-services with the card on a computer.
    computer = browser.new_context(base_url=live_server.url, locale="zh-TW")
    web = computer.new_page()
    web.goto("/eservice/login/")
    eservice_sign_in(web, CHEN, password=PASSWORD)

    # The phone: the 行動櫃檯 tile, signed in, the card screen.
    tab = phone()
    signed_in_to_app(tab, account, "counter")
    expect(tab.get_by_role("heading", level=1)).to_have_text("行動櫃檯")
    fits_the_phone(tab)
    tab.get_by_role("link", name=re.compile("申辦健保卡作業")).click()
    expect(tab.locator("[data-counter-valid-card]")).to_contain_text("0000********")
    tab.get_by_role("link", name="健保卡掛失").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("健保卡掛失")
    fits_the_phone(tab)

    # Not ticked: said so, nothing sent. Then ticked, the password, and the confirmation.
    tab.get_by_role("button", name="確認掛失").click()
    expect(tab.get_by_role("alert")).to_contain_text("請勾選確認您的健保卡已遺失")
    tab.get_by_label(re.compile("我的健保卡已遺失")).check()
    tab.locator("section:visible").get_by_label("註冊密碼（再次確認）").fill("not my password")
    tab.get_by_role("button", name="確認掛失").click()
    dialog = tab.locator("dialog[data-confirm]")
    expect(dialog).to_contain_text("確定將健保卡 0000******** 掛失？")
    dialog.get_by_role("button", name="暫不掛失").click()  # changed his mind: nothing sent
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.VALID
    tab.get_by_role("button", name="確認掛失").click()
    dialog.get_by_role("button", name="確定掛失").click()
    expect(tab.get_by_role("alert")).to_contain_text("密碼")  # the wrong password, asked again
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.VALID
    tab.locator("section:visible").get_by_label("註冊密碼（再次確認）").fill(PASSWORD)
    tab.get_by_role("button", name="確認掛失").click()
    dialog.get_by_role("button", name="確定掛失").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("申請健保卡")
    expect(tab.get_by_role("status")).to_contain_text("您的健保卡已掛失，各處均已停用")
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.LOST
    assert (
        AuditEvent.objects.filter(person=chen, action=AuditEvent.Action.CARD_REPORTED_LOST).count()
        == 1
    )

    # Everywhere at once: the computer's card session ends on its next page ...
    web.goto("/eservice/cards/")
    expect(web).to_have_url(re.compile(r"/eservice/login/"))
    expect(web.locator(".messages")).to_contain_text("您登入時使用的健保卡已掛失或換發")
    # ... the card no longer signs in on the web (the card reader refuses it) ...
    form = web.locator("form:has(input[name=method][value=card])")
    insert_card(CHEN_CARD)
    read_card(web, within=form)
    expect(form.locator("[data-status]")).to_have_attribute("data-state", "error")
    expect(form.locator("[data-status]")).to_contain_text("此健保卡已掛失")
    computer.close()
    # ... and the app's phone verification refuses its digits on another phone.
    other = phone()
    other.goto("/app/#verify-phone")
    other.locator("#card-last4").fill(CHEN_CARD[-4:])
    other.locator("#mobile").fill("0912345678")
    other.locator("#phone-id").fill(CHEN)
    other.get_by_role("button", name="下一步").click()
    other.locator("#phone-password").fill(PASSWORD)
    other.get_by_role("button", name="確定").click()
    expect(other.get_by_role("alert")).to_contain_text("登入資料有誤")
    # The phone that reported it stays signed in (its sign-in was the password's, as the web
    # session that reports a loss goes on): the replacement is applied for right here.
    expect(tab.get_by_label("遺失補發")).to_be_checked()
    expect(tab.locator("[data-counter-fee]")).to_be_visible()  # NT$200: the bank, the password
    tab.locator("[data-counter-photo]").set_input_files(files=[photo_file()])
    expect(tab.locator("[data-counter-preview]")).to_be_visible()
    tab.get_by_label("郵寄至我的地址").check()
    tab.get_by_label("扣繳工本費的金融機構").select_option("004")
    tab.get_by_label("扣繳工本費的帳號").fill(money.number)
    tab.locator("section:visible").get_by_label("註冊密碼（再次確認）").fill(PASSWORD)
    fits_the_phone(tab)
    tab.get_by_role("button", name="送出申請").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("申辦健保卡作業")
    expect(tab.locator("[data-counter-applications]")).to_contain_text("審核中")
    application = CardApplication.objects.get(person=chen)
    assert (application.reason, application.fee) == ("lost", 200)
    money.refresh_from_db()
    assert money.balance == balance - 200

    # A certificate of insurance, issued and kept; and a new mailing address.
    tab.goto("/app/#counter-certificates")
    expect(tab.get_by_role("heading", level=1)).to_have_text("證明文件")
    with tab.expect_download() as downloaded:
        tab.get_by_role("button", name="核發投保證明").click()
    assert downloaded.value.suggested_filename.startswith("投保證明_")
    expect(tab.locator("[data-counter-issued] li")).to_have_count(1)
    assert Certificate.objects.filter(person=chen).count() == 1

    village = Village.objects.filter(township__county_id="63000").order_by("code").first()
    tab.goto("/app/#counter-address")
    expect(tab.get_by_role("heading", level=1)).to_have_text("通訊地址變更")
    tab.locator("section:visible").get_by_label("縣市").select_option(village.township.county_id)
    tab.locator("section:visible").get_by_label("鄉鎮市區").select_option(village.township_id)
    tab.locator("section:visible").get_by_label("村里").select_option(village.pk)
    tab.locator("section:visible").get_by_label("街道地址").fill("忠孝東路一段1號3樓")
    fits_the_phone(tab)
    tab.get_by_role("button", name="變更通訊地址").click()
    expect(tab.get_by_role("status")).to_contain_text("通訊地址已變更")
    expect(tab.locator("[data-counter-mailing]")).to_contain_text("忠孝東路一段1號3樓")
    assert current_mailing_address(chen).village == village

    # In English, every screen of the counter, still at 390 px (the sign-in is kept).
    tab.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    headings = {
        "counter": "Mobile counter",
        "counter-cards": "NHI card applications",
        "counter-apply": "Apply for an NHI card",
        "counter-certificates": "Certificates",
        "counter-premiums": "Premiums",
        "counter-address": "Change of mailing address",
    }
    for screen, heading in headings.items():
        tab.goto(f"/app/#{screen}")
        tab.reload()
        expect(tab.get_by_role("heading", level=1)).to_have_text(heading)
        expect(tab.locator("body")).not_to_have_attribute("aria-busy", "true")
        fits_the_phone(tab)
    tab.goto("/app/#counter-cards")
    expect(tab.locator("[data-counter-applications]")).to_contain_text("Under review")
    expect(tab.locator("[data-counter-valid-card]")).to_have_text("You have no valid NHI card.")
    assert phone.errors == []
