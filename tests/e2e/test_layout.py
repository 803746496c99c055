"""Layout in the browser: every page reflows to a 320 px-wide window (WCAG 1.4.10), the
portal's font sizes and 200% zoom keep pages readable, and the charts' legends fit.

One sign-in per test; each test walks many pages. Problems are gathered over the whole walk
and reported together, so that one run names every page that is too wide.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from healthbank.downloads.services import request_package
from healthbank.identity import devices
from healthbank.identity.eservice_menu import SERVICES
from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE
from tests.e2e.steps import ESERVICE_FORMS, PUBLIC_PAGES, eservice_sign_in, htmx_settled
from tests.e2e.test_portal import CHEN, LIN, PASSWORD, expect_charts_drawn, menu_pages

SHOTS = Path(__file__).resolve().parents[2] / "var" / "test-screenshots"
NARROW = {"width": 320, "height": 640}

# Everything that sticks out on the right of the window (the only side that makes a page
# scroll in a left-to-right script). Allowed: a table inside a box that scrolls sideways
# (overflow-x auto/scroll) and itself fits, which is focusable and named so that keyboard
# and screen-reader users can scroll it too.
WIDE_ELEMENTS = """async () => {
  // After the next frame: layout settled, and resize observers have run.
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const width = document.documentElement.clientWidth;
  const wide = new Set();
  const reported = new Set();
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const scrollBox = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const x = getComputedStyle(box).overflowX;
      if (x === "auto" || x === "scroll") return box;
    }
    return null;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    let up = el.parentElement;
    while (up && !reported.has(up)) up = up.parentElement;
    if (up) continue;  // its ancestor is reported already
    reported.add(el);
    const scroller = scrollBox(el);
    if (scroller && scroller.getBoundingClientRect().right <= width + 1) {
      const named = scroller.getAttribute("aria-label") || scroller.getAttribute("aria-labelledby");
      const table = el.tagName === "TABLE" && scroller.contains(el);
      if (table && scroller.tabIndex === 0 && named && scroller.getAttribute("role") === "region") {
        continue;
      }
      wide.add(`${name(el)} overflows its scroll box ${name(scroller)}` +
        (table ? " (box not a focusable, named region)" : " (not a table)"));
      continue;
    }
    wide.add(`${name(el)} to ${Math.round(box.right)} px`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: [...wide]};
}"""

# A Chart.js legend drawn outside its canvas is cut off: each item's box must fit.
LEGENDS_CUT = """() => [...document.querySelectorAll("canvas[data-chart]")].flatMap((c) => {
  const chart = c.chart;
  if (!chart || !chart.legend || !chart.legend.options.display) return [];
  const boxes = chart.legend.legendHitBoxes || [];
  const shown = chart.legend.legendItems.length;
  const cut = boxes.filter((b) => b.left < 0 || b.top < 0 ||
    b.left + b.width > chart.width + 1 || b.top + b.height > chart.height + 1);
  return cut.length || boxes.length < shown ?
    [`${c.id}: ${cut.length} of ${shown} legend items cut off`] : [];
})"""


def sign_in(page: Page, live_server, national_id: str) -> Person:
    """A session cookie for the persona, begun with the citizen certificate so that the
    portal, the registration site and the personal e-services all open."""
    person = Person.objects.get(national_id=national_id)
    account = getattr(person, "account", None) or register_at_counter(
        person=person, password=PASSWORD, staff_id=1
    )
    client = Client()
    client.force_login(account.user)
    session = client.session
    session["login_method"] = "certificate"
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
    return person


def layout_problems(page: Page, where: str) -> list[str]:
    found = page.evaluate(WIDE_ELEMENTS)
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(f"{where}: page {found['scrollWidth']} px wide in {found['width']} px")
    problems += [f"{where}: {w}" for w in found["wide"]]
    problems += [f"{where}: {c}" for c in page.evaluate(LEGENDS_CUT)]
    return problems


APP_SCREENS = [
    *("home", "verify", "verify-code", "verify-phone", "login", "help", "vcard-sites"),
    *("providers", "emergency"),
]
SIGNED_IN = [
    "/register/password/",
    "/register/account/",
    "/register/devices/",
    "/eservice/",
    "/eservice/mobile-account/",
]


def test_nothing_scrolls_sideways_at_320_px(page, live_server, personas):
    """Every page in Chinese, then in English (whose long words do not break), at 320 px."""
    page.set_viewport_size(NARROW)
    mother = sign_in(page, live_server, LIN)
    account = mother.account
    # A package in the download page's list, and two phones on the device pages (one on).
    request_package(person=mother, requested_by=mother, choices=[{"code": next(iter(BY_CODE))}])
    for phone in ("D8CF0CBF-A62A-40F5-A118-A5B6DF", "E9D0D1C0-B73B-51G6-B229-B6C7EG"):
        code, _row = devices.issue_code(account=account)
        devices.verify_device(code=code, platform="ios", model="iPhone 15", identifier=phone)
    signed_in = page.context.cookies()

    problems: list[str] = []
    for language in ("zh-hant", "en"):
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        for url in PUBLIC_PAGES:
            page.goto(url)
            problems += layout_problems(page, f"{language} {url}")
        for screen in APP_SCREENS:
            page.goto(f"/app/#{screen}")
            expect(page.locator(f"[data-screen='{screen}']")).to_be_visible()
            problems += layout_problems(page, f"{language} /app/#{screen}")
        page.context.add_cookies(signed_in)
        for url in [*menu_pages(), *SIGNED_IN]:
            page.goto(url)
            expect_charts_drawn(page)
            problems += layout_problems(page, f"{language} {url}")
        # A wide table is a named region that the keyboard scrolls; then the visit dialog,
        # and a child's records seen by the parent.
        page.goto(reverse("bank:western"))
        name = re.compile("^(西醫門診資料|Western-medicine outpatient visits) ·")
        box = page.get_by_role("region", name=name)
        if box.count() == 1:
            box.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle())
        else:
            problems.append(f"{language} {page.url}: the visits table is no named region")
        page.locator("table.visits a[hx-get]").first.click()
        expect(page.locator("#detail-dialog")).to_be_visible()
        htmx_settled(page)  # site.js names the dialog's scroll boxes once htmx settles
        problems += layout_problems(page, f"{language} visit dialog")
        page.keyboard.press("Escape")
        page.goto(reverse("bank:home"))
        page.locator(".subject-switch button[name=person]").nth(1).click()
        for url in [reverse("bank:home"), reverse("bank:vaccinations")]:
            page.goto(url)
            expect(page.locator(".child-note")).to_be_visible()
            problems += layout_problems(page, f"{language} {url} (child)")
        page.locator(".subject-switch button[name=person]").first.click()  # back to her own
    assert not problems, "\n".join(problems)


# Text that an element with overflow hidden/clip cuts off (scroll boxes are meant to scroll,
# and visually hidden text is meant to be 1 px).
CLIPPED_TEXT = """() => {
  const cut = [];
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const clips = (v) => v === "hidden" || v === "clip";
    if (!clips(style.overflowX) && !clips(style.overflowY)) continue;
    if (el.clientWidth <= 1 || el.clientHeight <= 1 || !el.textContent.trim()) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    const wide = clips(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const tall = clips(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    if (wide || tall) {
      cut.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} ` +
        `"${el.textContent.trim().slice(0, 30)}" (${el.scrollWidth}x${el.scrollHeight} ` +
        `in ${el.clientWidth}x${el.clientHeight})`);
    }
  }
  return cut;
}"""

# Pairs of visible text blocks whose boxes overlap. A text block is an element with text of
# its own; an element and one inside it do not count, nor do boxes that merely touch. Inline
# elements are compared line by line (getClientRects), not by their bounding box.
OVERLAPPING_TEXT = """() => {
  const blocks = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || (el.checkVisibility && !el.checkVisibility({visibilityProperty: true}))) continue;
    if (el.closest("dialog:not([open]), [hidden], .visually-hidden, script, style")) continue;
    const rects = [...el.getClientRects()]
      .filter((r) => r.width > 1 && r.height > 1 && r.right > 0);
    if (rects.length) blocks.push({el, rects});
  }
  const name = (el) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 20)}"`;
  const overlaps = [];
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = blocks[i], b = blocks[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const hit = a.rects.some((r) => b.rects.some((s) =>
        Math.min(r.right, s.right) - Math.max(r.left, s.left) > 3 &&
        Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 3));
      if (hit) overlaps.push(`${name(a.el)} overlaps ${name(b.el)}`);
    }
  }
  return overlaps;
}"""


def readability_problems(page: Page, where: str) -> list[str]:
    problems = layout_problems(page, where)
    problems += [f"{where}: clipped {c}" for c in page.evaluate(CLIPPED_TEXT)]
    problems += [f"{where}: {o}" for o in page.evaluate(OVERLAPPING_TEXT)]
    return problems


def test_font_sizes_and_200_percent_zoom_keep_home_and_outpatient_readable(
    browser, page, live_server, personas
):
    """字體大小 小/中/大/巨 on a desktop window and on a 390 px phone, then 200% browser zoom.
    A 1280 px window zoomed to 200% lays pages out in 640 CSS px, each drawn with 2 device
    pixels: exactly a 640 px viewport with device_scale_factor 2 (the same innerWidth, media
    queries, rem and devicePixelRatio). CSS `zoom` would not be: it scales the page inside an
    unchanged viewport, so the media queries would not see the narrower window. The
    screenshots are for people to look at (var/test-screenshots/), not compared."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, CHEN)
    pages = {"home": reverse("bank:home"), "outpatient": reverse("bank:western")}
    problems: list[str] = []
    for size in ("small", "medium", "large", "huge"):
        page.goto(pages["home"])
        page.locator(f".font-size [data-font={size}]").click()  # as a person does, once
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 800})
            for name, url in pages.items():
                page.goto(url)
                expect(page.locator("html")).to_have_attribute("data-font", size)
                expect_charts_drawn(page)
                page.screenshot(path=SHOTS / f"font-{size}-{width}-{name}.png", full_page=True)
                problems += readability_problems(page, f"{url} at {size}, {width} px")

    zoomed = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 640, "height": 400},
        device_scale_factor=2,
    )
    zoomed.add_cookies(page.context.cookies())  # the same session, font size medium
    zoomed.add_cookies([{"name": "font", "value": "medium", "url": live_server.url}])
    tab = zoomed.new_page()
    for name, url in pages.items():
        tab.goto(url)
        expect_charts_drawn(tab)
        tab.screenshot(path=SHOTS / f"zoom-200-{name}.png", full_page=True)
        problems += readability_problems(tab, f"{url} at 200% zoom")
    zoomed.close()
    assert not problems, "\n".join(problems)


def test_every_e_service_page_fits_320_px(page, live_server, personas):
    """The e-services' tables (bills, enrolment periods, cases) scroll inside named boxes on
    a phone: 黃冠宇 (unpaid bills) in Chinese, 陳志明 (his and his wife's periods) in English,
    張淑芬 (a certificate and a case) in Chinese."""
    page.set_viewport_size(NARROW)
    services = [reverse(name) for name in (*(s.url_name for s in SERVICES), *ESERVICE_FORMS)]
    problems: list[str] = []
    people = (("B123456780", "zh-hant"), (CHEN, "en"), ("E223456785", "zh-hant"))
    for national_id, language in people:
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.goto("/eservice/login/")
        problems += layout_problems(page, f"{language} /eservice/login/")
        eservice_sign_in(page, national_id)
        for url in ("/eservice/", *services):
            page.goto(url)
            problems += layout_problems(page, f"{national_id} {language} {url}")
    assert not problems, "\n".join(problems)
