"""申辦健保卡作業 in the browser: 陳志明 signs in to the e-services with his NHI card, reports it
lost and applies for a replacement with an ID photo and the NT$200 fee from his account; NHIA
staff compare the photo with his data and approve; his new card then signs him in at
/eservice/login/, and the card agent refuses the old one."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from PIL import Image
from playwright.sync_api import expect

from healthbank.cards.models import CardApplication
from healthbank.external.models import BankAccount
from healthbank.identity.services import register_at_counter
from healthbank.identity.tests.cardhelpers import CHEN_CARD, CHEN_ID, PASSWORD
from healthbank.people.models import NhiCard, Person
from tests.e2e.steps import (
    eservice_sign_in,
    give_reason,
    insert_card,
    latest_notice_text,
    read_card,
    staff_sign_in,
)

STAFF_PASSWORD = "a long reviewer password"  # noqa: S105 - test password


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (480, 600), "wheat").save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.allow_errors(r"POST /nhi/sign → 410")  # the old card, refused by the card agent
def test_a_lost_card_is_replaced_and_only_the_new_card_signs_in(
    page, personas, browser, live_server
):
    chen = Person.objects.get(national_id=CHEN_ID)
    register_at_counter(person=chen, password=PASSWORD, staff_id=1)
    account = BankAccount.objects.get(holder_national_id=CHEN_ID)  # as make demo seeds it
    balance = account.balance

    # Signed in with the card on another computer too: the report ends that session.
    elsewhere = browser.new_context(base_url=live_server.url, locale="zh-TW")
    other = elsewhere.new_page()
    other.goto("/eservice/login/")
    eservice_sign_in(other, CHEN_ID, password=PASSWORD)

    # The person: sign in with the card, report it lost, apply for a replacement.
    page.goto("/eservice/login/")
    eservice_sign_in(page, CHEN_ID, password=PASSWORD)
    page.get_by_role("link", name="申辦健保卡作業").click()
    expect(page).to_have_url(re.compile(r"/eservice/cards/$"))
    expect(page.locator("#cards")).to_contain_text("0000********")
    page.get_by_role("link", name="健保卡掛失").click()
    page.get_by_role("button", name="確認掛失").click()
    expect(page.locator("main")).to_contain_text("請勾選確認您的健保卡已遺失")
    page.get_by_label(re.compile("我的健保卡已遺失")).check()
    page.locator("#ask-again").get_by_label("註冊密碼").fill(PASSWORD)  # asked again
    page.get_by_role("button", name="確認掛失").click()
    expect(page).to_have_url(re.compile(r"/eservice/cards/apply/\?reason=lost$"))
    expect(page.locator(".messages")).to_contain_text("您的健保卡已掛失並停用")
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.LOST
    assert "掛失，自該時起不能再登入" in latest_notice_text(page, chen, "card_lost")
    other.goto("/eservice/cards/")
    expect(other).to_have_url(re.compile(r"/eservice/login/"))
    expect(other.locator(".messages")).to_contain_text("您登入時使用的健保卡已掛失或換發")
    elsewhere.close()

    expect(page.get_by_label("遺失補發")).to_be_checked()
    page.get_by_label("證件照片").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.get_by_label("郵寄至我的地址").check()
    page.get_by_label("扣繳工本費的金融機構").select_option("004")
    page.get_by_label("扣繳工本費的帳號").fill("0123-4567-8901")
    page.locator("#ask-again").get_by_label("註冊密碼").fill(PASSWORD)  # the fee: asked again
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/eservice/cards/\d+/$"))
    expect(page.locator("#application")).to_contain_text("審核中")
    expect(page.locator("#application")).to_contain_text("004-…8901")
    application = CardApplication.objects.get(person=chen)
    assert (application.fee, application.reason) == (200, "lost")
    account.refresh_from_db()
    assert account.balance == balance - 200

    # NHIA staff: the photo beside his data, then approve.
    reviewer = get_user_model().objects.create_user(
        "card-reviewer", password=STAFF_PASSWORD, is_staff=True
    )
    reviewer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="cards",
            codename__in=["view_cardapplication", "change_cardapplication"],
        )
    )
    staff = browser.new_context(base_url=live_server.url, locale="en-US")
    staff.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    desk = staff.new_page()
    desk.goto("/staff/cards/cardapplication/")
    staff_sign_in(desk, "card-reviewer", STAFF_PASSWORD)
    rows = desk.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="陳志明").click()
    give_reason(desk)
    review = desk.locator("#application-review")
    expect(review).to_contain_text(CHEN_ID)
    photo = review.locator("img")
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0
    desk.get_by_role("button", name="Approve").click()
    expect(desk.locator(".messagelist")).to_contain_text("Approved")
    staff.close()
    application.refresh_from_db()
    new_card = application.card
    assert new_card is not None and new_card.status == NhiCard.Status.VALID

    # The new card signs him in (the card agent reads and signs with the new card's file) ...
    person = browser.new_context(base_url=live_server.url, locale="en-US")
    again = person.new_page()
    again.goto("/eservice/login/")
    eservice_sign_in(again, CHEN_ID, password=PASSWORD)  # inserts his valid card: the new one
    again.goto("/eservice/cards/")
    expect(again.locator("#cards tbody tr")).to_have_count(2)
    expect(again.locator("#applications")).to_contain_text("核准")
    person.close()

    # ... and the old one is refused by the card agent.
    stranger = browser.new_context(base_url=live_server.url, locale="en-US")
    old = stranger.new_page()
    old.goto("/eservice/login/")
    form = old.locator("form:has(input[name=method][value=card])")
    insert_card(CHEN_CARD)
    read_card(old, within=form)
    expect(form.locator("[data-status]")).to_have_attribute("data-state", "error")
    expect(form.locator("[data-status]")).to_contain_text("此健保卡已掛失")
    expect(form.locator("input[name=card-card_signature]")).to_have_value("")
    stranger.close()
