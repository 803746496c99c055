"""Steps the browser tests share: what a person does with the card reader, the image code
and the mailbox."""

from __future__ import annotations

import re

from captcha.models import CaptchaStore
from playwright.sync_api import Locator, Page, expect

from healthbank.external import cardreader

# Pages anyone may open, signed in or not: the accessibility and layout walks visit each.
PUBLIC_PAGES = [
    "/",
    "/login/?tab=password",
    "/login/?tab=card",
    "/login/?tab=certificate",
    "/register/",
    "/register/apply/",
    "/register/resend/",
    "/register/forgot/",
    "/register/delete/",
    "/eservice/login/",
]


def insert_card(card_number: str) -> None:
    cardreader.insert(card_number=card_number)


def insert_certificate(national_id: str) -> None:
    cardreader.insert(certificate_of=national_id)


def read_card(page: Page, pin: str | None = None, within: Locator | None = None) -> None:
    """Press 讀取 (in `within`, where a page has two readers) and wait until the card has
    signed the server's challenge."""
    block = (within or page).locator("[data-cardreader]")
    if pin is not None:
        block.locator("[data-pin]").fill(pin)
    block.locator("[data-read]").click()
    expect(block.locator("[data-status]")).to_have_attribute("data-state", re.compile("ok|error"))


def solve_captcha(page: Page, prefix: str = "") -> None:
    """Type the image code, as a person reading the picture would (the test reads it from the
    captcha store instead of the picture)."""
    name = f"{prefix}-captcha" if prefix else "captcha"
    key = page.locator(f"input[name='{name}_0']").get_attribute("value")
    page.locator(f"input[name='{name}_1']").fill(CaptchaStore.objects.get(hashkey=key).response)


def open_mail_link(page: Page, path: str) -> None:
    """Open the demo mailbox and follow the newest link to `path` (e.g. /register/confirm/)."""
    page.goto("/dev/mailbox/")
    page.locator(f"a[href*='{path}']").first.click()


def eservice_sign_in(page: Page, national_id: str, password: str | None = None) -> None:
    """On /eservice/login/: the NHI card + registration password panel when a password is
    given, else the citizen certificate + PIN panel; signed in, at the list of services."""
    from healthbank.people.models import Person
    from healthbank.synth.personas import CERTIFICATE_PIN

    if password is None:
        form = page.locator("form:has(input[name=method][value=certificate])")
        insert_certificate(national_id)
        read_card(page, pin=CERTIFICATE_PIN, within=form)
    else:
        form = page.locator("form:has(input[name=method][value=card])")
        insert_card(Person.objects.get(national_id=national_id).cards.get(status="valid").number)
        read_card(page, within=form)
        form.locator("input[name=card-password]").fill(password)
    expect(form.locator("[data-status]")).to_have_attribute("data-state", "ok")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/eservice/$"))


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").last.click()


def staff_sign_in(page: Page, username: str, password: str) -> None:
    """On the staff sign-in page (where /staff/ sends a visitor): the password, then the
    code the staff member's authenticator app shows now (the test works it out from the
    key; a login without an authenticator gets one first, as if enrolled earlier)."""
    from django.contrib.auth import get_user_model

    from healthbank.identity.second_factor import current_code, enrolled_device

    device = enrolled_device(get_user_model().objects.get(username=username))
    page.locator("#login-form input[name=username]").fill(username)
    page.locator("#login-form input[name=password]").fill(password)
    page.locator("#login-form [type=submit]").click()
    page.locator("#login-form input[name=code]").fill(current_code(device))
    page.locator("#login-form [type=submit]").click()


def give_reason(page: Page) -> None:
    """The staff site's question before a person's data is shown (identity.staff_reads): the
    reason it offers first (a review queue's) or the first common one, then on to the page."""
    form = page.locator("body.read-reason #content form")
    expect(form).to_be_visible()
    if form.locator("input[name=reason]:checked").count() == 0:
        form.locator("input[name=reason]").first.check()
    form.locator("[type=submit]").click()


def htmx_settled(page: Page) -> None:
    """Wait until htmx has swapped and settled what it loaded (its scripts run on settle)."""
    page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")


# The application forms anyone signed in to the e-services can open, beside the services'
# own pages (identity.eservice_menu): checked for accessibility and for a phone's width.
ESERVICE_FORMS = ("cards:card_apply", "cards:card_lost", "eservices:cases_apply")


def latest_notice_text(page: Page, person, kind: str) -> str:
    """The text of the person's newest notice of a kind, as its PDF reads, fetched in the
    page's e-services session."""
    from django.urls import reverse

    from healthbank.billing.models import Notice
    from healthbank.billing.tests.helpers import pdf_text

    notice = Notice.objects.filter(person=person, kind=kind).latest("pk")
    response = page.request.get(reverse("billing:notices_pdf", args=[notice.pk]))
    assert response.ok, response.status
    return pdf_text(response.body()).replace("\n", "")  # lines wrap inside words
