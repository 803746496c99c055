"""Family access in the browser (家人健康存摺): a father lets his grown daughter see his
laboratory results only; she accepts, sees them, is refused his visits, and loses access the
moment he ends it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from healthbank.identity.models import Delegation
from healthbank.people.models import Person
from healthbank.records.models import LabResult
from tests.e2e.test_portal import PASSWORD, sign_in_as

pytestmark = pytest.mark.e2e

FATHER = "A123456789"  # 陳志明, 60, with laboratory results
DAUGHTER = "K223456780"  # 吳怡君, 29, his grown daughter in this story


@pytest.mark.allow_errors(r"^GET /bank/health/visits/western/ → 404$")  # his visits, refused
def test_a_daughter_sees_her_fathers_labs_only_until_he_ends_it(
    page: Page, browser, live_server, personas, settings
):
    father = sign_in_as(page, live_server, FATHER)
    daughter = Person.objects.get(national_id=DAUGHTER)
    tab = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    sign_in_as(tab, live_server, DAUGHTER)

    # He offers his laboratory results for 30 days, with his password again.
    page.goto(reverse("bank:family"))
    offer = page.locator("form.family-offer")
    offer.locator("input[name=delegate_id]").fill(daughter.national_id)
    offer.locator("input[name=delegate_birth_date]").fill(daughter.birth_date.isoformat())
    offer.locator("input[name=categories][value=labs]").check()
    offer.locator("input[name=days][value='30']").check()
    offer.locator("input[name=password]").fill(PASSWORD)
    offer.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    row = Delegation.objects.get(owner=father, delegate=daughter)
    assert row.categories == ["labs"] and row.confirmed_at is None

    # She accepts on her own family page and switches to his records.
    tab.goto(reverse("bank:family"))
    tab.locator(f"form[action='{reverse('bank:family_accept', args=[row.pk])}'] button").click()
    tab.locator(f".subject-switch button[value='{father.pk}']").click()
    expect(tab.locator(".child-note")).to_contain_text(father.name)

    # His results are there; his visits are not, nor in her menu.
    tab.goto(reverse("bank:other_labs"))
    expect(tab.locator(".child-note")).to_contain_text(father.name)
    assert LabResult.objects.filter(person=father).exists()
    expect(tab.locator("main table").first).to_be_visible()
    expect(tab.locator(f".portal-menu a[href='{reverse('bank:visits')}']")).to_have_count(0)
    response = tab.goto(reverse("bank:western"))
    assert response is not None and response.status == 404

    # He sees her name among his readers, and ends her access.
    page.goto(reverse("bank:family"))
    expect(page.locator("table.family-given")).to_contain_text(daughter.name)
    page.locator(f"form[action='{reverse('bank:family_end', args=[row.pk])}'] button").click()
    expect(page.locator("table.family-given")).to_have_count(0)

    # At once she is back on her own records, with no way to his.
    tab.goto(reverse("bank:other_labs"))
    expect(tab.locator(".child-note")).to_have_count(0)
    expect(tab.locator(f".subject-switch button[value='{father.pk}']")).to_have_count(0)
    tab.context.close()
