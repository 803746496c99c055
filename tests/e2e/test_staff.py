"""A member of NHIA staff signs in to the staff pages and looks a person up."""

import datetime as dt

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from healthbank.synth.services import seed_population


def test_staff_find_a_person_by_national_id_and_open_their_record(page):
    seed_population(people_count=0, seed=1, today=dt.date(2026, 11, 23))  # the personas only
    get_user_model().objects.create_superuser("clerk", password="a long clerk password")

    page.goto("/staff/")
    page.get_by_label("使用者名稱").fill("clerk")
    page.get_by_label("密碼").fill("a long clerk password")
    page.get_by_role("button", name="登入").click()

    page.get_by_role("link", name="民眾", exact=True).click()
    page.get_by_role("textbox").first.fill("a123456789")  # any case finds the ID
    page.keyboard.press("Enter")
    expect(page.get_by_role("cell", name="陳志明", exact=True)).to_be_visible()
    expect(page.get_by_text("林雅婷")).to_have_count(0)

    page.get_by_role("link", name="A123456789").click()
    expect(page.locator("input[name=name]")).to_have_value("陳志明")
    expect(page.locator('input[value="000090000001"]')).to_be_visible()  # his card, inline
