"""自墊醫療費用核退 in the browser: 陳志明 claims the costs of an emergency abroad with a
receipt photo and a PDF certificate; one member of NHIA staff checks it and sets the amount,
another approves it (four eyes); he sees the case paid with the amount, and the money is in
his (synthetic) bank account."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from healthbank.eservices.models import ReimbursementClaim
from healthbank.eservices.tests.reimbursement import (
    ACCOUNT,
    bank_account,
    claim_staff,
    pdf,
    receipt_jpeg,
)
from healthbank.identity.review import ReviewStatus
from healthbank.people.models import Person
from tests.e2e.steps import eservice_sign_in, give_reason, latest_notice_text, staff_sign_in

CHEN = "A123456789"  # 陳志明
PASSWORD = "a long staff password"  # noqa: S105 - test password
QUEUE = "/staff/eservices/reimbursementclaim/"


def staff_tab(browser, live_server, username: str):
    claim_staff(username, PASSWORD)
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    tab = context.new_page()
    tab.goto(QUEUE)
    staff_sign_in(tab, username, PASSWORD)
    expect(tab).to_have_url(re.compile(f"{QUEUE}$"))
    return context, tab


def test_a_claim_is_checked_approved_by_another_and_paid(
    page, personas, browser, live_server, tmp_path
):
    chen = Person.objects.get(national_id=CHEN)
    account = bank_account(chen)  # NT$1,000 before
    receipt, certificate = tmp_path / "receipt.jpg", tmp_path / "certificate.pdf"
    receipt.write_bytes(receipt_jpeg())
    certificate.write_bytes(pdf(2))
    today = timezone.localdate()

    page.goto("/eservice/")
    eservice_sign_in(page, CHEN)
    page.goto("/eservice/services/cases/")
    page.get_by_role("link", name="自墊醫療費用核退申請").click()
    page.get_by_label("出國期間緊急傷病").check()
    page.get_by_label("國家（國外就醫）或醫療院所名稱").fill("日本東京")
    page.get_by_label("就醫起日").fill((today - dt.timedelta(days=12)).isoformat())
    page.get_by_label("就醫迄日（或出院日）").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_label("自墊金額（新臺幣元）").fill("25800")
    page.get_by_label("撥款金融機構").select_option("004")
    page.get_by_label("帳號（須為本人帳戶）").fill(ACCOUNT)
    page.locator("#id_receipts").set_input_files(str(receipt))
    page.locator("#id_certificates").set_input_files(str(certificate))
    page.get_by_role("button", name="送出申請").click()
    expect(page.locator(".messages")).to_contain_text("已收到您的申請")
    claim = ReimbursementClaim.objects.get(person=chen)
    expect(page.locator("#documents li")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("已收件")

    # Staff A checks and sets the amount to pay.
    context_a, tab_a = staff_tab(browser, live_server, "checker")
    tab_a.get_by_role("link", name=str(chen)).first.click()
    give_reason(tab_a)
    documents = tab_a.locator("#claim-documents")
    image = documents.locator("img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
    expect(documents.get_by_role("link", name="Open the PDF")).to_be_visible()
    # The PDF, served sandboxed (CSP sandbox) under its own name, opens in Chromium's viewer.
    viewer = context_a.new_page()
    viewer.goto(documents.get_by_role("link", name="Open the PDF").get_attribute("href"))
    for _ in range(50):
        if any(f.url.startswith("chrome-extension://") for f in viewer.frames):
            break
        viewer.wait_for_timeout(100)
    viewer_frame = next(f for f in viewer.frames if f.url.startswith("chrome-extension://"))
    viewer_frame.wait_for_selector("pdf-viewer")
    viewer.close()
    tab_a.get_by_label("Amount approved (NT$)").fill("20000")
    tab_a.get_by_role("button", name="Check and pass for approval").click()
    expect(tab_a.locator(".messagelist")).to_contain_text("Checked")
    # The checker cannot approve what they checked.
    tab_a.goto(f"{QUEUE}{claim.pk}/change/")
    expect(tab_a.locator("#application-review")).to_contain_text("four-eyes rule")
    expect(tab_a.get_by_role("button", name="Approve")).to_have_count(0)
    context_a.close()

    # Staff B approves: it is paid.
    context_b, tab_b = staff_tab(browser, live_server, "approver")
    tab_b.goto(f"{QUEUE}{claim.pk}/change/")
    give_reason(tab_b)
    expect(tab_b.locator("#amount-approved")).to_have_text("20,000")
    tab_b.get_by_role("button", name="Approve").click()
    expect(tab_b.locator(".messagelist")).to_contain_text("Approved")
    context_b.close()

    claim.refresh_from_db()
    assert claim.status == ReviewStatus.APPROVED and claim.paid_at is not None
    page.goto("/eservice/services/cases/")
    row = page.locator("tr", has_text=claim.case.number)
    expect(row).to_contain_text("已撥款")
    expect(row).to_contain_text("20,000")
    row.get_by_role("link", name=claim.case.number).click()
    expect(page.locator("#claim")).to_contain_text("新臺幣 20,000 元已撥入您的帳戶")
    account.refresh_from_db()
    assert account.balance == 21_000
    notice = latest_notice_text(page, claim.person, "reimbursement")
    assert "核退 20,000 元" in notice and "款項已匯入您的銀行帳戶" in notice
