"""The keyboard alone: a new user registers for online services, signs in, opens a record
page and a visit's details with Tab, Shift+Tab, Enter, Space and the arrow keys, never the
mouse (WCAG 2.1.1), and always sees where the focus is (2.4.7). Only the confirmation link
is opened by its address, as it arrives by e-mail."""

from __future__ import annotations

import re

from captcha.models import CaptchaStore
from playwright.sync_api import Locator, Page, expect

from healthbank.identity.models import Account
from healthbank.people.models import Person
from tests.e2e.steps import insert_card

PASSWORD = "Tea-time-26!"  # noqa: S105 - test password

# Whether the focused element shows it: an outline of its own at least 2 px wide whose colour
# has a contrast of 3:1 or more with the background around it (WCAG 1.4.11), or a box shadow.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2) {
    return style.boxShadow !== "none";
  }
  const rgba = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = [255, 255, 255];
  for (let up = el.parentElement; up; up = up.parentElement) {
    const colour = rgba(getComputedStyle(up).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) { behind = colour; break; }
  }
  const [a, b] = [luminance(rgba(style.outlineColor)), luminance(behind)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) >= 3;
}"""


def focused(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, which must be visible there."""
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused(target):
            assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {target}"
            return
    raise AssertionError(f"{target} not reached with {limit} presses of Tab")


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def choose(page: Page, select: Locator, value: str) -> None:
    """Pick an option of a closed <select> with the arrow keys, as on Windows and Linux."""
    tab_to(page, select)
    expect(select.locator(f"option[value='{value}']")).to_have_count(1)
    page.keyboard.press("Home")
    index = select.evaluate("(s, v) => [...s.options].findIndex((o) => o.value === v)", value)
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    expect(select).to_have_value(value)


def read_card(page: Page) -> None:
    """讀取, pressed with Enter."""
    block = page.locator("[data-cardreader]")
    tab_to(page, block.locator("[data-read]:not([disabled])"))
    page.keyboard.press("Enter")
    expect(block.locator("[data-status]")).to_have_attribute("data-state", "ok")


def test_register_sign_in_and_read_a_visit_with_the_keyboard_alone(page, personas):
    person = Person.objects.select_related("household__village__township").get(
        national_id="A123456789"
    )
    household = person.household
    insert_card("000090000001")  # 陳志明, who has visits to look at
    page.goto("/register/")

    # The skip link comes first, shows itself, and takes the focus past the header.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要內容")
    assert focused(skip) and page.evaluate(FOCUS_SHOWN)
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0  # on screen while focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

    tab_to(page, page.get_by_role("link", name="首次登入請先申請"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("我已閱讀完畢，並瞭解相關規定"))
    page.keyboard.press("Space")
    expect(page.get_by_label("我已閱讀完畢，並瞭解相關規定")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="下一步"))
    page.keyboard.press("Enter")

    read_card(page)
    expect(page.locator("[data-name]")).to_have_value("陳志明")
    type_into(page, page.get_by_label("戶號"), household.number)
    choose(page, page.get_by_label("縣市"), household.village.township.county_id)
    choose(page, page.get_by_label("鄉鎮市區"), str(household.village.township_id))
    choose(page, page.get_by_label("村里"), str(household.village_id))
    type_into(page, page.get_by_label("鄰"), str(household.neighbourhood))
    tab_to(page, page.get_by_role("button", name="下一步"))
    page.keyboard.press("Enter")

    type_into(page, page.get_by_label(re.compile("^註冊密碼")), PASSWORD)
    type_into(page, page.get_by_label("再次確認密碼"), PASSWORD)
    type_into(page, page.get_by_label("E-Mail（主要）"), "chihming@example.com")
    tab_to(page, page.get_by_role("button", name="確認申請"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("請至電子信箱收取認證信")

    # The e-mail's link, opened by its address.
    page.goto("/dev/mailbox/")
    page.goto(page.locator("a[href*='/register/confirm/']").first.get_attribute("href"))
    read_card(page)
    tab_to(page, page.get_by_role("button", name="確定"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("註冊完成")
    assert Account.objects.get(person=person).status == Account.Status.ACTIVE

    # Sign in with the card: the tab, the reader, the password and the image code.
    tab_to(page, page.get_by_role("link", name="登入健康存摺"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="健保卡", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="健保卡", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    read_card(page)
    type_into(page, page.get_by_label("健保卡網路服務註冊密碼"), PASSWORD)
    key = page.locator("input[name='card-captcha_0']").get_attribute("value")
    code = CaptchaStore.objects.get(hashkey=key).response  # read off the picture
    type_into(page, page.locator("input[name='card-captcha_1']"), code)
    page.keyboard.press("Enter")  # Enter in a field sends its form
    expect(page).to_have_url(re.compile("/bank/$"))

    # A record page through the menu, then a visit's details in the dialog.
    tab_to(page, page.locator(".portal-menu a", has_text=re.compile("^健康資料$")))
    tab_to(page, page.locator(".portal-menu a", has_text=re.compile("^就醫資料$")))
    page.keyboard.press("Enter")
    tab_to(page, page.locator("main a", has_text="西醫門診"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("西醫門診資料")
    opener = page.locator("table.visits a[hx-get]").first
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.locator("#detail-dialog")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("d => d.contains(document.activeElement)"), "focus left outside"
    assert page.evaluate(FOCUS_SHOWN)
    tab_to(page, dialog.get_by_role("button", name="關閉"))
    for key in ("Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"):  # the page behind is inert
        page.keyboard.press(key)
        assert page.evaluate(
            "!document.activeElement || document.activeElement === document.body ||"
            " document.getElementById('detail-dialog').contains(document.activeElement)"
        ), f"{key} left the open dialog"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert focused(opener), "focus not back on the visit that opened the dialog"
    assert page.evaluate(FOCUS_SHOWN)
