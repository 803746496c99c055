"""What a person meets on the sign-in and registration forms before getting in: the image
code in their language, its spoken version for those who cannot read it, and phone numbers
taken as people write them, with the expected form shown before anything is typed."""

from __future__ import annotations

import io
import re
import shutil
import time
import wave

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from healthbank.identity.models import Account
from healthbank.people.models import Person

PASSWORD = "Tea-time-26!"  # noqa: S105 - strong, and not built from her e-mail


def _answer(page: Page, prefix: str) -> str:
    key = page.locator(f"input[name='{prefix}-captcha_0']").get_attribute("value")
    return CaptchaStore.objects.get(hashkey=key).response


def _choose_english(page: Page) -> None:
    site = re.match(r"https?://[^/]+", page.url).group(0)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": f"{site}/"}]
    )


def test_a_wrong_image_code_is_told_in_the_pages_language(page: Page):
    page.goto("/login/")
    picture = page.locator("img.captcha")
    expect(picture).to_have_attribute("alt", "圖型驗證碼：請輸入圖中的數字")
    page.get_by_label("身分證號").fill("A123456789")
    page.get_by_label("健保卡卡號").fill("000090000001")
    page.get_by_label("健保卡網路服務註冊密碼").fill(PASSWORD)
    length = settings.CAPTCHA_LENGTH
    wrong = str((int(_answer(page, "password")) + 1) % 10**length).zfill(length)
    page.get_by_label("圖型驗證碼").fill(wrong)
    page.get_by_role("button", name="登入").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "圖型驗證碼錯誤或已逾時，請輸入新圖片中的數字。"
    )
    expect(page.locator("main")).not_to_contain_text("CAPTCHA")

    _choose_english(page)
    page.goto("/login/?tab=card")
    expect(page.locator("img.captcha")).to_have_attribute(
        "alt", "Image code: a picture of the digits to type"
    )
    page.get_by_label("Image code").fill("x")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main")).to_contain_text(
        "The image code was wrong or has expired. Type the digits of the new picture."
    )


@pytest.mark.skipif(
    shutil.which(settings.IMAGE_CODE_SYNTHESISER) is None,
    reason="espeak-ng is not installed (Debian's espeak-ng; `make packages` installs it): "
    "the image code cannot be spoken",
)
def test_the_image_code_is_spoken_in_the_pages_language_and_played_from_the_keyboard(
    page: Page,
):
    page.goto("/login/")
    page.get_by_label("健保卡網路服務註冊密碼").focus()
    for _ in range(4):  # the picture is not a stop; its spoken version is
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "AUDIO":
            break
    audio = page.locator("audio")
    expect(audio).to_be_focused()
    expect(audio).to_have_accessible_name("看不清楚圖片嗎？請收聽語音驗證碼：")
    page.keyboard.press("Space")
    # It plays: the browser has the sound and its clock runs.
    page.wait_for_function(
        "() => { const a = document.querySelector('audio');"
        " return !a.paused && a.currentTime > 0 && a.duration > 1; }"
    )
    source = audio.get_attribute("src")
    code = _answer(page, "password")
    assert code not in page.content()  # the code is never written on the page
    assert code not in source

    chinese = page.request.get(source)
    _choose_english(page)
    english = page.request.get(source)
    for answer, language in ((chinese, "zh-hant"), (english, "en")):
        assert answer.status == 200
        assert answer.headers["content-type"] == "audio/wav"
        assert answer.headers["content-language"] == language
        with wave.open(io.BytesIO(answer.body())) as sound:
            seconds = sound.getnframes() / sound.getframerate()
        assert seconds > 3, f"{language}: {seconds:.1f} s is too short for five digits, twice"
    assert chinese.body() != english.body()  # Mandarin on the Chinese page, English here


def _applying_as(page: Page, live_server, person: Person) -> None:
    """Past the card step of an online application (test_registration.py walks it)."""
    client = Client()
    session = client.session
    session.update({"apply_rules": True, "apply_person": person.pk, "apply_at": time.time()})
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


def test_registration_takes_phone_numbers_as_people_write_them(page: Page, live_server, personas):
    person = Person.objects.get(national_id="K223456780")
    _applying_as(page, live_server, person)
    page.goto("/register/apply/details/")

    # Before anything is typed: the expected form, in words and in the boxes.
    phone, mobile = page.get_by_label("聯絡電話"), page.get_by_label("行動電話")
    expect(phone).to_have_accessible_description(re.compile("例如 02-2345-6789"))
    expect(mobile).to_have_accessible_description(re.compile("09 開頭的十碼數字"))
    expect(phone).to_have_attribute("placeholder", "02-2345-6789")
    expect(mobile).to_have_attribute("placeholder", "0912-345-678")

    page.get_by_label(re.compile("^註冊密碼")).fill(PASSWORD)
    page.get_by_label("再次確認密碼").fill(PASSWORD)
    page.get_by_label("E-Mail（主要）").fill("yijun@example.com")
    phone.fill("02-2345-6789")
    mobile.fill("0912 345 67")  # one digit short
    page.get_by_role("button", name="確認申請").click()
    expect(page.locator(".errorlist")).to_have_text(
        "請輸入行動電話：09 開頭的十碼數字，例如 0912-345-678 或 0912 345 678。"
    )

    page.get_by_label(re.compile("^註冊密碼")).fill(PASSWORD)
    page.get_by_label("再次確認密碼").fill(PASSWORD)
    page.get_by_label("行動電話").fill("0912 345 678")
    page.get_by_role("button", name="確認申請").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("請至電子信箱收取認證信")
    account = Account.objects.get(person=person)
    assert (account.phone, account.mobile) == ("0223456789", "0912345678")
