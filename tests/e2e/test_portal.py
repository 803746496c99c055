"""Browser tests of the My Health Bank portal: every page as every demo persona, charts
drawn, filters, the visit dialog, the language switch and the child switcher.

Signing in is done by the test (a session cookie for the persona's account); the sign-in
forms themselves are tested in test_sign_in.py.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from healthbank.bank.menu import SECTIONS
from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person

PASSWORD = "Health#2026"  # noqa: S105 - test password

# Every adult persona signs in (the children's records are seen through their mother).
ADULTS = {
    "A123456789": "陳志明",
    "A223456781": "陳林秀英",
    "F223456786": "林雅婷",
    "F123456784": "王建志",
    "B123456780": "黃冠宇",
    "E223456785": "張淑芬",
    "H123456786": "李建宏",
    "K223456780": "吳怡君",
}


def menu_pages() -> list[str]:
    def walk(pages):
        for page in pages:
            yield page
            yield from walk(page.children)

    urls = [reverse("bank:home")]
    for page in walk(SECTIONS):
        try:
            urls.append(reverse(page.view))
        except NoReverseMatch:  # detail pages, reached by clicking
            pass
    return urls


def sign_in_as(page: Page, live_server, national_id: str) -> Person:
    person = Person.objects.get(national_id=national_id)
    account = getattr(person, "account", None) or register_at_counter(
        person=person, password=PASSWORD, staff_id=1
    )
    client = Client()
    client.force_login(account.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return person


@pytest.fixture
def errors(page: Page) -> list[str]:
    """Script errors on the page: a chart that fails to draw shows up here."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    return found


def expect_charts_drawn(page: Page) -> None:
    charts = page.locator("canvas[data-chart]")
    for i in range(charts.count()):
        expect(charts.nth(i)).to_have_attribute("data-drawn", "true")


@pytest.mark.parametrize("national_id", list(ADULTS))
def test_every_page_renders_with_the_personas_data(
    page, live_server, personas, errors, national_id
):
    person = sign_in_as(page, live_server, national_id)
    for url in menu_pages():
        page.goto(url)
        expect(page.locator("main h1").first).to_be_visible()
        expect(page.locator(".welcome")).to_contain_text(person.masked_id)
        expect_charts_drawn(page)
        assert not errors, f"{url}: {errors}"
