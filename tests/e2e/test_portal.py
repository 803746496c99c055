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


CHEN, LIN, HUANG = "A123456789", "F223456786", "B123456780"


def visit_ids(page: Page, rows: str) -> list[int]:
    hrefs = page.locator(f"{rows} a[hx-get]").evaluate_all("els => els.map(e => e.href)")
    return [int(re.search(r"/visits/(\d+)/", h).group(1)) for h in hrefs]


def test_a_slice_filters_the_list_and_a_row_opens_the_visit_dialog(
    page, live_server, personas, errors
):
    from healthbank.records.models import DrugOrder, Visit

    sign_in_as(page, live_server, CHEN)
    page.goto(reverse("bank:western"))
    canvas = page.locator("canvas[data-chart]").first
    expect(canvas).to_have_attribute("data-drawn", "true")
    # Click where Chart.js drew the first slice, as a person would.
    x, y = page.evaluate(
        """() => { const c = document.querySelector('canvas[data-chart]');
                   const p = c.chart.getDatasetMeta(0).data[0].tooltipPosition();
                   const r = c.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }"""
    )
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"diagnosis="))
    code = re.search(r"diagnosis=([^&]+)", page.url).group(1)
    shown = visit_ids(page, "table.visits")
    assert shown
    assert set(Visit.objects.filter(pk__in=shown).values_list("primary_diagnosis", flat=True)) == {
        code
    }

    page.locator("table.visits a[hx-get]").first.click()
    dialog = page.locator("#detail-dialog")
    expect(dialog).to_be_visible()
    drug = DrugOrder.objects.filter(visit_id=shown[0]).select_related("drug").first()
    if drug:
        expect(dialog).to_contain_text(drug.drug.name_zh)  # Chinese unless English is chosen
    dialog.locator("[data-close]").click()
    expect(dialog).to_be_hidden()
    assert not errors


def test_clicking_a_marked_tooth_lists_only_its_visits(page, live_server, personas, errors):
    from healthbank.records.models import ServiceOrder

    sign_in_as(page, live_server, HUANG)
    page.goto(reverse("bank:dental"))
    tooth = page.locator("svg a.tooth.has-visits").first
    tooth.click()
    expect(page).to_have_url(re.compile(r"tooth=\d\d"))
    code = re.search(r"tooth=(\d\d)", page.url).group(1)
    shown = set(visit_ids(page, "table"))
    with_tooth = set(
        ServiceOrder.objects.filter(person__national_id=HUANG, tooth_id=code).values_list(
            "visit_id", flat=True
        )
    )
    assert shown and shown <= with_tooth
    expect(page.locator("svg a.tooth.selected[aria-current]")).to_have_count(1)
    assert not errors


def test_language_switch_and_font_size_stay_across_pages(page, live_server, personas):
    sign_in_as(page, live_server, CHEN)
    page.goto(reverse("bank:health"))
    page.locator("header .language button[lang=zh-hant]").click()
    expect(page.locator("main h1")).to_have_text("健康資料")
    expect(page.locator(".breadcrumbs")).to_contain_text("現在位置")
    page.locator(".font-size [data-font=huge]").click()
    page.goto(reverse("bank:vaccinations"))
    expect(page.locator("html")).to_have_attribute("data-font", "huge")
    page.locator("header .language button[lang=en]").click()
    expect(page.locator("main h1")).to_have_text("Vaccinations")


def test_a_mother_opens_her_daughters_records(page, live_server, personas, errors):
    from healthbank.records.models import Vaccination

    mother = sign_in_as(page, live_server, LIN)
    daughter = Person.objects.get(national_id="F224681354")
    page.goto(reverse("bank:home"))
    page.locator(f".subject-switch button[value='{daughter.pk}']").click()
    expect(page.locator(".child-note")).to_contain_text(daughter.name)
    page.goto(reverse("bank:vaccinations"))
    codes = page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()
    assert codes and set(codes) <= set(
        Vaccination.objects.filter(person=daughter).values_list("vaccine_id", flat=True)
    )
    page.locator(f".subject-switch button[value='{mother.pk}']").click()
    expect(page.locator(".child-note")).to_have_count(0)
    assert not errors


def test_entering_blood_pressure_shows_it_and_a_wrong_value_is_explained(
    page, live_server, personas
):
    sign_in_as(page, live_server, CHEN)
    page.goto(reverse("bank:measurements"))
    form = page.locator("form.measurement-form")
    form.locator("input[name=systolic]").fill("400")
    form.locator("input[name=diastolic]").fill("85")
    form.locator("button[type=submit]").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(form.locator("input[name=systolic]")).to_have_value("400")  # nothing lost
    form.locator("input[name=systolic]").fill("135")
    form.locator("button[type=submit]").click()
    expect(page.locator(".form-errors")).to_have_count(0)
    from healthbank.records.models import Measurement

    latest = Measurement.objects.filter(person__national_id=CHEN, kind="systolic").latest(
        "measured_at"
    )
    assert latest.value == 135
