"""Browser test of the risk predictions: 陳志明 answers the question on each page and sees
his risk as a number and as 100 people, what drove it and a what-if, in both languages.
Screenshots at 390 px wide go to var/screens/ (not committed)."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.test_portal import sign_in_as

CHEN = "A123456789"
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def _set_language(page: Page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


def test_chen_sees_both_risks_with_drivers_and_a_what_if(page: Page, live_server, personas):
    SCREENS.mkdir(parents=True, exist_ok=True)
    sign_in_as(page, live_server, CHEN)
    page.set_viewport_size({"width": 390, "height": 844})
    for language in ("zh-hant", "en"):
        _set_language(page, live_server, language)
        for name, url, question in (
            ("heart", reverse("bank:heart_risk"), "smoker"),
            ("diabetes", reverse("bank:diabetes_risk"), "parent"),
        ):
            page.goto(live_server.url + url)
            # Before answering, the missing answer is named.
            expect(page.locator("[data-missing]")).to_be_visible()
            page.locator(f"input[name={question}][value=no]").check()
            page.locator("form.questions button[type=submit]").click()
            figure = page.locator("[data-risk]")
            expect(figure).to_be_visible()
            expect(page.locator("[data-band]")).to_be_visible()
            people = int(page.locator("svg.icon-array").get_attribute("data-people"))
            expect(page.locator("svg.icon-array g.hit")).to_have_count(people)
            expect(page.locator("svg.icon-array g")).to_have_count(100)
            label = page.locator("svg.icon-array").get_attribute("aria-label")
            assert "100" in label
            expect(page.locator("table.drivers tbody tr").first).to_be_visible()
            expect(page.locator("[data-what-if]").first).to_be_visible()
            # Nothing wider than the phone's screen.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{name} {language}: page is {width}px wide"
            page.screenshot(path=str(SCREENS / f"risk-{name}-{language}.png"), full_page=True)
