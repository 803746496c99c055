"""NHIA staff review virtual card applications (/staff/vcard/application/): the queue, both
photos side by side with the card holder's data, a rejection with a common reason edited
before sending, and an approval."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from PIL import Image
from playwright.sync_api import expect

from healthbank.people.models import Person
from healthbank.vcard import services
from healthbank.vcard.models import Application, VirtualCard
from tests.e2e.steps import give_reason, staff_sign_in
from tests.fixtures.personas import seed_personas

PASSWORD = "a long reviewer password"  # noqa: S105 - test password
HUANG, ZHANG = "B123456780", "E223456785"  # 黃冠宇, 張淑芬: no card after seeding


@pytest.fixture(autouse=True)
def vcard_dir(settings, tmp_path):
    settings.VCARD_DIR = tmp_path / "vcard"


def photo(size, color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def apply(national_id: str) -> Application:
    person = Person.objects.get(national_id=national_id)
    return services.apply(
        applicant=person,
        person=person,
        document_kind=Application.Document.ID_CARD,
        document=photo((1200, 760), "lightblue"),
        portrait=photo((600, 800), "wheat"),
        contact_phone="0912345678",
        email="applicant@example.com",
        terms_accepted=True,
    )


def test_a_reviewer_rejects_one_application_with_an_edited_reason_and_approves_another(
    page, live_server
):
    seed_personas(today=dt.date(2026, 11, 23))
    first = apply(ZHANG)
    apply(HUANG)
    Application.objects.filter(pk=first.pk).update(
        submitted_at=first.submitted_at - dt.timedelta(days=1)
    )
    reviewer = get_user_model().objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    reviewer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="vcard",
            codename__in=["view_application", "change_application"],
        )
    )

    page.context.add_cookies(  # in English, the language of the assertions below
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.goto("/staff/vcard/application/")
    staff_sign_in(page, "reviewer", PASSWORD)

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(5)  # the two waiting, then the personas' three approved
    expect(rows.nth(0)).to_contain_text("張淑芬")  # the oldest waiting first
    expect(rows.nth(1)).to_contain_text("黃冠宇")
    rows.nth(0).get_by_role("link", name="張淑芬").click()
    give_reason(page)  # reviewing her application: the reason offered first

    review = page.locator("#application-review")
    expect(review).to_contain_text("E223456785")
    for image in review.locator("img").all():
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    review.get_by_role("link", name="The photo is blurred and cannot be recognised.").click()
    reason = page.get_by_label("Reason for rejection")
    expect(reason).to_have_value("The photo is blurred and cannot be recognised.")
    reason.fill("The photo is blurred and cannot be recognised. Take it again in daylight.")
    page.get_by_role("button", name="Reject").click()

    expect(page.locator(".messagelist")).to_contain_text("Rejected")
    first.refresh_from_db()
    assert first.status == Application.Status.REJECTED
    assert first.rejection_reason.endswith("Take it again in daylight.")

    page.get_by_role("link", name="黃冠宇").first.click()
    give_reason(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved")
    assert VirtualCard.objects.filter(person__national_id=HUANG).exists()
