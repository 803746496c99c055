"""The virtual NHI card in NHI Express on a phone (seed 004): a person applies with two photos,
staff approve, the app shows a one-time QR code that a clinic verifies once through the
providers' API; a mother authorises her husband (same household), who agrees in his own app
and then shows her card's QR code."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import segno
from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from healthbank.identity import devices
from healthbank.identity.services import register_at_counter
from healthbank.ingest import services as ingest
from healthbank.ingest.models import Credential
from healthbank.people.models import Person, Township
from healthbank.records.models import Provider
from healthbank.vcard import services
from healthbank.vcard.models import AcceptingSite, Application, VirtualCard
from tests.e2e.steps import give_reason, staff_sign_in

PASSWORD = "Health#2026"  # noqa: S105 - test password
WIFE = "A223456781"  # 陳林秀英
LIN, HUSBAND = "F223456786", "F123456784"  # 林雅婷 and 王建志, one household
FRIEND = "B123456780"  # 黃冠宇, another household
PHONE = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
STAFF_PASSWORD = "a long reviewer password"  # noqa: S105 - test password
SVG, BLOB = re.compile("^data:image/svg"), re.compile("^blob:")  # a QR code, a fetched photo


@pytest.fixture
def reference_data(transactional_db):
    from healthbank.codes.loading import load_code_tables
    from healthbank.people.loading import load_divisions

    load_divisions()
    load_code_tables()


@pytest.fixture
def world(reference_data, personas, live_server, settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"
    return live_server


@pytest.fixture
def phone(browser: Browser, world):
    """phone(): a new phone (browser context) on the app; errors its script raises are kept in
    `errors`."""
    contexts, errors = [], []

    def phone() -> Page:
        context = browser.new_context(base_url=world.url, locale="zh-TW", **PHONE)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        return tab

    phone.errors = errors
    yield phone
    for context in contexts:
        context.close()


def jpeg(path, size, colour) -> str:
    image = Image.new("RGB", size, colour)
    image.save(path, format="JPEG")
    return str(path)


def signed_in(tab: Page, national_id: str, screen: str = "vcard") -> Person:
    """Registered at the counter; this phone verified with a device code typed in the app;
    signed in, arriving at the screen the person set out for."""
    person = Person.objects.get(national_id=national_id)
    account = register_at_counter(person=person, password=PASSWORD, staff_id=1)
    code, _row = devices.issue_code(account=account, address="127.0.0.1")
    tab.goto(f"/app/#{screen}")  # signed-in only: verify this phone first
    expect(tab.get_by_role("heading", level=1)).to_have_text("裝置認證")
    tab.get_by_role("link", name="裝置碼認證").click()
    tab.get_by_label("裝置認證碼").fill(code)
    tab.get_by_role("button", name="確定").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("登入健康存摺")
    tab.get_by_label("帳號（身分證號）").fill(national_id)
    tab.locator("#login-password").fill(PASSWORD)
    tab.get_by_role("button", name="登入", exact=True).click()
    expect(tab.locator(f"[data-screen={screen}]")).to_be_visible()
    expect(tab.locator("body")).not_to_have_attribute("aria-busy", "true")  # loaded
    return person


def accepting_clinic() -> str:
    """A clinic registered to accept the virtual card: its provider API token."""
    town = Township.objects.order_by("code").first()
    clinic = Provider.objects.create(
        code="9935010001",
        name="安心診所",
        kind=Provider.Kind.CLINIC,
        county=town.county,
        township=town,
        phone="02-23456789",
        address="中山路1號",
    )
    AcceptingSite.objects.create(provider=clinic, outpatient=True)
    return ingest.issue_credential(credential=Credential(provider=clinic, scopes=[]))


def staff_approve(browser: Browser, base_url: str, person: Person) -> None:
    """A reviewer approves on the staff pages (/staff/vcard/application/), or, where that page
    is not there, through the service it calls."""
    user = get_user_model().objects.create_superuser("reviewer", password=STAFF_PASSWORD)
    context = browser.new_context(base_url=base_url, locale="zh-TW")
    try:
        desk = context.new_page()
        if desk.goto("/staff/vcard/application/").status == 404:
            application = Application.objects.get(person=person, status="pending")
            services.approve(application=application, staff_user=user)
            return
        staff_sign_in(desk, "reviewer", STAFF_PASSWORD)
        desk.get_by_role("link", name=re.compile(person.name)).first.click()
        give_reason(desk)
        desk.locator("input[name=_approve]").click()
        expect(desk.locator(".messagelist")).to_be_visible()
    finally:
        context.close()
    assert VirtualCard.objects.filter(person=person).exists()


@pytest.mark.allow_errors(r"^POST /api/v1/vcard/applications → 422$")  # a text file, on purpose
def test_apply_approve_show_the_qr_code_and_a_clinic_verifies_it_once(
    browser, world, phone, tmp_path
):
    tab = phone()
    tab.clock.install()  # the page's clock, moved on below to the QR code's expiry
    wife = signed_in(tab, WIFE)
    expect(tab.get_by_role("heading", level=1)).to_have_text("虛擬健保卡")
    expect(tab.locator("[data-vcard-none]")).to_contain_text("5 大步驟輕鬆開通")

    # 1-2. 同意 隱私條款與服務政策, 一般申請 (refused until ticked)
    tab.get_by_role("link", name="申請", exact=True).click()
    tab.get_by_role("button", name="一般申請").click()
    expect(tab.get_by_role("alert")).to_contain_text("請先勾選同意隱私條款與服務政策")
    tab.get_by_text("隱私條款與服務政策", exact=True).click()  # the terms open
    expect(tab.locator(".terms")).to_contain_text("誰會看到")
    tab.get_by_label("同意 隱私條款與服務政策").check()
    tab.get_by_role("button", name="一般申請").click()

    # 3. the document and a half-body photo, each previewed; a text file is refused as given
    expect(tab.get_by_label("國民身分證")).to_be_checked()
    expect(tab.get_by_label("健保卡正面（未滿14歲）")).to_be_hidden()  # 58: not under 14
    document = jpeg(tmp_path / "id.jpg", (1200, 760), "#d6e4f0")
    tab.locator("input[name=document]").set_input_files(document)
    note = tmp_path / "portrait.jpg"
    note.write_text("not a photo")
    tab.locator("input[name=portrait]").set_input_files(str(note))
    expect(tab.locator("[data-preview-of=document]")).to_be_visible()
    tab.get_by_role("button", name="下一步").click()

    # 4. contact phone and e-mail, the photo checked, submitted
    tab.get_by_label("聯絡電話").fill("0912-000-002")
    tab.get_by_label("電子郵件").fill("xiuying@example.com")
    tab.get_by_role("button", name="送出虛擬健保卡申請").click()
    expect(tab.get_by_role("alert")).to_contain_text("此檔案不是照片")
    expect(tab.get_by_role("group", name="步驟 2／3：拍攝上傳相片")).to_be_visible()  # back there
    assert not Application.objects.filter(person=wife).exists()
    portrait = jpeg(tmp_path / "me.jpg", (600, 800), "#8fb3d0")
    tab.locator("input[name=portrait]").set_input_files(portrait)
    tab.get_by_role("button", name="下一步").click()
    expect(tab.get_by_label("聯絡電話")).to_have_value("0912-000-002")  # kept
    expect(tab.locator(".preview.big")).to_be_visible()  # 核對虛擬健保卡相片
    tab.get_by_role("button", name="送出虛擬健保卡申請").click()
    expect(tab.get_by_role("status")).to_contain_text("已送出虛擬健保卡申請")
    expect(tab.locator("[data-vcard-application]")).to_contain_text("審核中")

    staff_approve(browser, world.url, wife)
    tab.reload()
    card = tab.locator("[data-vcard-card]")
    expect(card).to_contain_text("陳林秀英")
    expect(card).to_contain_text("A22345****")
    expect(tab.locator("[data-vcard-photo]")).to_have_attribute("src", BLOB)

    # 5. 出示 QR Code: shown big with a countdown; a clinic reads it once
    tab.get_by_role("link", name="出示 QR Code").click()
    expect(tab.locator("[data-qr-name]")).to_have_text("陳林秀英")
    expect(tab.locator("[data-qr-image]")).to_have_attribute("src", SVG)
    expect(tab.locator("[data-qr-countdown]")).to_have_text(re.compile(r"^0[45]:[0-5]\d$"))
    expect(tab.locator("[data-screen=vcard-qr] .note")).to_contain_text(
        "一次性 QR Code 5 分鐘內有效"
    )
    token = tab.locator("[data-qr]").get_attribute("data-token")

    clinic = {"Authorization": f"Bearer {accepting_clinic()}"}
    verify = f"{world.url}/providers/api/v1/vcard/verify"
    first = tab.request.post(verify, data={"token": token}, headers=clinic)
    assert first.status == 200, first.text()
    assert (first.json()["name"], first.json()["national_id"]) == ("陳林秀英", WIFE)
    second = tab.request.post(verify, data={"token": token}, headers=clinic)
    assert (second.status, second.json()["code"]) == (409, "qr_used")

    # At 0 the code is hidden, and 重新產生 makes a new one.
    tab.clock.fast_forward("05:01")
    expect(tab.locator("[data-qr-countdown]")).to_have_text("00:00")
    expect(tab.locator("[data-qr]")).to_have_class(re.compile("expired"))
    expect(tab.get_by_role("status")).to_contain_text("QR Code 已逾時失效")
    tab.get_by_role("button", name="重新產生").click()
    expect(tab.locator("[data-qr]")).not_to_have_class(re.compile("expired"))
    assert tab.locator("[data-qr]").get_attribute("data-token") not in (None, token)
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.errors == []


def own_card(person: Person, staff) -> None:
    """The person applied with photos before and staff approved: their card exists."""
    if VirtualCard.objects.filter(person=person).exists():
        return

    def photo(size) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", size, "#b7c9a8").save(out, format="JPEG")
        return out.getvalue()

    application = services.apply(
        applicant=person,
        person=person,
        document_kind="id_card",
        document=photo((900, 600)),
        portrait=photo((480, 600)),
        contact_phone="0912000003",
        email="yating@example.com",
        terms_accepted=True,
    )
    services.approve(application=application, staff_user=staff)


def test_a_household_member_is_authorised_agrees_and_shows_the_card(world, phone):
    staff = get_user_model().objects.create_user("reviewer", is_staff=True)
    own_card(Person.objects.get(national_id=LIN), staff)
    mother, husband = phone(), phone()
    signed_in(mother, LIN, "vcard-manage")
    signed_in(husband, HUSBAND, "vcard-manage")

    # 林雅婷: 授權與管理 → 新增授權對象 → 同一健保戶 → 王建志, a week, her password again.
    expect(mother.get_by_role("heading", level=1)).to_have_text("授權與管理")
    mother.get_by_role("link", name="新增授權對象").click()
    mother.get_by_label("同一健保戶", exact=True).check()
    mother.get_by_label("同一健保戶成員").select_option(label="王建志 F12345****")
    week = timezone.localdate() + dt.timedelta(days=7)
    mother.get_by_label("授權迄日").fill(week.isoformat())
    mother.get_by_role("button", name="下一步").click()
    mother.locator("#authorise-password").fill(PASSWORD)
    mother.get_by_role("button", name="確認授權").click()
    expect(mother.get_by_role("status")).to_contain_text("請王建志於 10 分鐘內在 APP 按下同意")
    granted = mother.locator("[data-granted] li").first
    expect(granted).to_contain_text("王建志")
    expect(granted).to_contain_text("等待同意")

    # 王建志: 待同意 shows her request with the minutes left; he agrees.
    husband.reload()
    husband.get_by_role("tab", name=re.compile("待同意")).click()
    waiting = husband.locator("[data-waiting] li").first
    expect(waiting).to_contain_text("林雅婷")
    expect(waiting).to_contain_text(re.compile(r"剩餘同意時間 (10:00|0\d:[0-5]\d)"))
    waiting.get_by_role("button", name="同意", exact=True).click()
    expect(husband.get_by_role("status")).to_contain_text("已同意授權")

    # 我可使用: her card; tapped, her QR code and photo.
    expect(husband.get_by_role("tab", name="我可使用")).to_have_attribute("aria-selected", "true")
    usable = husband.locator("[data-usable] li", has_text="林雅婷")
    expect(usable).to_contain_text("同一健保戶授權")
    usable.get_by_role("link").click()
    expect(husband.locator("[data-qr-name]")).to_have_text("林雅婷")
    expect(husband.locator("[data-qr-image]")).to_have_attribute("src", SVG)
    expect(husband.locator("[data-qr-photo]")).to_have_attribute("src", BLOB)

    # She revokes it (after confirming); his next QR code is refused.
    mother.reload()
    row = mother.locator("[data-granted] li", has_text="王建志")
    row.get_by_role("button", name=re.compile("取消授權")).click()
    mother.get_by_role("dialog").get_by_role("button", name="取消授權").click()
    expect(mother.get_by_role("status")).to_contain_text("已取消授權")
    expect(mother.locator("[data-granted] li").first).to_contain_text("已取消")
    husband.get_by_role("button", name="返回").click()
    expect(husband.locator("[data-usable]")).not_to_contain_text("林雅婷")
    assert phone.errors == []


def test_someone_outside_the_household_gets_the_code_and_scans_it(world, phone, tmp_path):
    """特定對象: 林雅婷 authorises 黃冠宇 for a week; he scans a photo of her authorisation
    QR code in his app and sees her card's QR code."""
    staff = get_user_model().objects.create_user("reviewer", is_staff=True)
    own_card(Person.objects.get(national_id=LIN), staff)
    mother, friend = phone(), phone()
    signed_in(mother, LIN, "vcard-authorise")
    signed_in(friend, FRIEND, "vcard-claim")

    mother.get_by_label("授權對象身分證號").fill(FRIEND.lower())
    mother.get_by_label("授權對象姓名").fill("黃冠宇")
    mother.get_by_label("授權迄日").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    mother.get_by_role("button", name="下一步").click()
    mother.locator("#authorise-password").fill(PASSWORD)
    mother.get_by_role("button", name="確認授權").click()
    expect(mother.get_by_role("heading", name="授權 QR CODE 與授權碼")).to_be_visible()
    expect(mother.locator("[data-authorised-qr]")).to_have_attribute("src", SVG)
    code = mother.locator("[data-authorised-code]").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    friend.get_by_label("授權碼").fill("ABCD")  # too short: said so, nothing sent
    friend.get_by_role("button", name="確定").click()
    expect(friend.get_by_role("alert")).to_contain_text("請輸入8碼授權碼")
    photo = tmp_path / "authorise.png"
    segno.make(services.CODE_PREFIX + code, error="m").save(photo, scale=10, border=4)
    friend.locator("[data-claim-photo]").set_input_files(photo)
    expect(friend.get_by_role("status")).to_contain_text("授權成功")
    expect(friend.locator("[data-qr-name]")).to_have_text("林雅婷")
    expect(friend.locator("[data-qr-image]")).to_have_attribute("src", SVG)

    friend.get_by_role("button", name="返回").click()  # to 我可使用, with its end date
    usable = friend.locator("[data-usable] li", has_text="林雅婷")
    expect(usable).to_contain_text("特定對象授權")
    expect(usable).to_contain_text("使用期限至")
    assert phone.errors == []


def test_where_the_card_is_accepted_without_signing_in(browser, reference_data, live_server):
    """哪些院所可以用: from the home screen, no sign-in; by county, service and name."""
    towns = Township.objects.select_related("county").order_by("code")
    first, other = towns.first(), towns.exclude(county=towns.first().county).first()
    for code, name, town, services_ in (
        ("9935010001", "安心診所", first, {"outpatient": True, "video": True}),
        ("9935010002", "平安居家護理所", first, {"home_care": True}),
        ("9935010003", "港都醫院", other, {"outpatient": True, "telemedicine": True}),
    ):
        provider = Provider.objects.create(
            code=code,
            name=name,
            kind=Provider.Kind.CLINIC,
            county=town.county,
            township=town,
            phone="(02)2345-6789",
            address="中山路1號",
        )
        AcceptingSite.objects.create(provider=provider, **services_)
    context = browser.new_context(base_url=live_server.url, locale="zh-TW", **PHONE)
    try:
        tab = context.new_page()
        tab.goto("/app/")
        tab.get_by_role("link", name="哪些院所可以用虛擬健保卡？").click()
        expect(tab.locator("[data-sites-count]")).to_have_text("共 3 家院所。")
        # Other screens ask for a county, a name and a search too (the mailing address,
        # the provider search): this screen's own fields.
        sites = tab.locator("[data-screen=vcard-sites]")
        sites.get_by_label("縣市").select_option(label=first.county.name_zh)
        sites.get_by_role("button", name="查詢").click()
        expect(tab.locator("[data-sites] li")).to_have_count(2)
        sites.get_by_label("服務項目").select_option(label="居家醫療")
        sites.get_by_role("button", name="查詢").click()
        found = tab.locator("[data-sites] li")
        expect(found).to_have_count(1)
        expect(found).to_contain_text("平安居家護理所")
        expect(found).to_contain_text(first.name_zh)
        phone_link = found.get_by_role("link", name="(02)2345-6789")
        expect(phone_link).to_have_attribute("href", "tel:0223456789")
        sites.get_by_label("縣市").select_option(label="全部縣市")
        sites.get_by_label("服務項目").select_option(label="全部服務項目")
        sites.get_by_label("院所名稱").fill("港都")
        sites.get_by_role("button", name="查詢").click()
        expect(tab.locator("[data-sites] li")).to_have_count(1)
        expect(tab.locator("[data-sites] li")).to_contain_text("門診、遠距醫療")
    finally:
        context.close()
