"""The machine accessibility check (WCAG 2.2 AA): axe-core on every page a person reaches,
in Chinese and in English, on a 390 px-wide phone, with no serious or critical violation.

Walked in one test, each person signed in once (the seed and the sign-ins are the slow
part): the landing page, the three sign-in tabs, the registration and e-services pages,
every portal page of the menu (the download page among them) as 陳志明, whose records fill
every chart, with a visit dialog and a lab trend, then as a mother viewing her daughter's
records, and the NHI Express app's screens with its virtual card. Every chart on the way
must have its numbers in a table after it in the same section, for people who cannot see
the chart.

axe-core is vendored in tests/e2e/vendor/ (a test-only file, never served by the site). It is
evaluated in the page through Playwright, which the page's Content-Security-Policy does not
govern, so the policy stays as strict as it is in production.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from healthbank.identity import devices
from healthbank.identity.eservice_menu import SERVICES
from healthbank.people.models import Person
from healthbank.records.models import LabResult
from tests.e2e.steps import ESERVICE_FORMS, PUBLIC_PAGES, eservice_sign_in, htmx_settled
from tests.e2e.test_portal import PASSWORD, menu_pages, sign_in_as

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}
LANGUAGES = ("zh-hant", "en")
PHONE = {"width": 390, "height": 844}
ADULT = "A123456789"  # 陳志明, whose records fill every chart
MOTHER, DAUGHTER = "F223456786", "F224681354"  # 林雅婷 and her daughter 王品妤
HUANG = "B123456780"  # 黃冠宇, who holds a citizen digital certificate and owes premiums

# axe takes a sticky bar (the app's tab bar) to cover whatever is under it at the current
# scroll, and fails a link the reader would scroll to (axe-core issue 3720): the bars are laid
# out in place while axe runs.
RUN_AXE = r"""async (tags) => {
  const sticky = Array.from(document.querySelectorAll("body *"))
    .filter((e) => getComputedStyle(e).position === "sticky");
  sticky.forEach((e) => { e.style.position = "static"; });
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags }, resultTypes: ["violations"],
  });
  sticky.forEach((e) => { e.style.position = ""; });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    why: (v.nodes[0].failureSummary || "").replace(/\s+/g, " "),
  }));
}"""

# Every <canvas> chart needs a table after it in its section (or main): its numbers as text.
CHARTS_WITHOUT_TABLE = """() => Array.from(document.querySelectorAll("canvas")).filter((c) => {
  const scope = c.closest("section, main") || document.body;
  return !Array.from(scope.querySelectorAll("table")).some(
    (t) => c.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
}).map((c) => c.id || "a canvas")"""


class Audit:
    """What axe found on each page: blocking violations to report, every one to count."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.source = AXE.read_text(encoding="utf-8")
        self.pages = 0
        self.axe_seconds = 0.0
        self.charts = 0
        self.by_impact: Counter[str] = Counter()
        self.by_rule: Counter[tuple[str, str]] = Counter()
        self.problems: list[str] = []
        self.language = LANGUAGES[0]

    def speak(self, language: str) -> None:
        """Choose the site's language as the language switch does (its cookie)."""
        self.language = language
        host = urlsplit(settings.SITE_URL).hostname  # the whole site (not the page's path)
        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host}
        self.page.context.add_cookies([{**cookie, "path": "/"}])
        if urlsplit(self.page.url).path == "/app/":  # the app's screens change in one page
            self.page.reload()

    def check(self, label: str | None = None) -> None:
        """Run axe on the page as it is now (after a goto, a click or an app screen)."""
        page, where = self.page, f"[{self.language}] {label or self.page.url}"
        page.wait_for_load_state()
        lang = page.evaluate("document.documentElement.lang").lower()
        assert lang.startswith(self.language[:2]), f"{where}: the page is in {lang}"
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        self.pages += 1
        t0 = time.monotonic()
        found = page.evaluate(RUN_AXE, TAGS)
        self.axe_seconds += time.monotonic() - t0
        for v in found:
            self.by_impact[v["impact"]] += 1
            if v["impact"] in BLOCKING:
                self.by_rule[(v["id"], v["impact"])] += 1
                targets = ", ".join(v["targets"])
                self.problems.append(
                    f"{where}: {v['id']} ({v['impact']}, {v['nodes']} nodes: {targets}) "
                    f"– {v['help']}: {v['why']}"
                )
        self.charts += page.locator("canvas").count()
        for chart in page.evaluate(CHARTS_WITHOUT_TABLE):
            self.problems.append(f"{where}: chart #{chart} has no table of its numbers after it")

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.check()

    def app_screen(self, hash_: str) -> None:
        self.page.goto(f"/app/#{hash_}")
        expect(self.page.locator(f"[data-screen='{hash_.split('/')[0]}']")).to_be_visible()
        self.check(f"/app/#{hash_}")


SIGNED_IN_REGISTRATION = [
    "/register/",
    "/register/password/",
    "/register/account/",
    "/register/device/",
    "/register/devices/",
]
APP_ANONYMOUS = ["home", "verify", "verify-code", "verify-phone", "help", "providers", "emergency"]
APP_SIGNED_IN = [
    "bank",
    "records/outpatient",
    "vcard",  # 陳志明 holds a virtual card: its screens, not the application's
    "vcard-manage",
    "vcard-household",
    "vcard-sites",
    # 行動櫃檯: the mobile counter's screens (counter.js)
    "counter",
    "counter-cards",
    "counter-lost",
    "counter-apply",
    "counter-certificates",
    "counter-premiums",
    "counter-address",
]


def portal_walk(audit: Audit, page: Page) -> None:
    for url in menu_pages():
        audit.visit(url)
    page.goto("/bank/health/visits/western/")
    page.locator("table.visits a[hx-get]").first.click()
    expect(page.locator("#detail-dialog")).to_be_visible()
    htmx_settled(page)
    audit.check("/bank/health/visits/western/ with a visit dialog open")
    result = LabResult.objects.filter(person__national_id=ADULT).first()
    audit.visit(reverse("bank:lab_trend", args=[result.item_id]))  # 'All results for …'


def app_sign_in(page: Page, national_id: str) -> None:
    account = Person.objects.get(national_id=national_id).account
    code, _row = devices.issue_code(account=account, address="127.0.0.1")
    page.goto("/app/#verify-code")
    page.locator("#code").fill(code.replace("-", ""))
    page.locator("[data-screen=verify-code] button[type=submit]").click()
    expect(page.locator("[data-screen=login]")).to_be_visible()
    page.locator("#login-id").fill(national_id)
    page.locator("#login-password").fill(PASSWORD)
    page.locator("[data-screen=login] button[type=submit]").click()
    expect(page.locator("[data-screen=bank]")).to_be_visible()


def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    browser, live_server, personas, settings
):
    settings.SITE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    audit = Audit(page)
    started = time.monotonic()

    for language in LANGUAGES:  # before signing in
        audit.speak(language)
        for url in PUBLIC_PAGES:
            audit.visit(url)
        for screen in APP_ANONYMOUS:
            audit.app_screen(screen)

    sign_in_as(page, live_server, ADULT)
    for language in LANGUAGES:
        audit.speak(language)
        portal_walk(audit, page)
        for url in SIGNED_IN_REGISTRATION:
            audit.visit(url)
    app_sign_in(page, ADULT)
    page.locator("[data-apply]").click()  # 資料申請: the result screen shows its waiting state
    expect(page.locator("[data-result]")).to_have_attribute("data-state", "pending")
    for language in LANGUAGES:
        audit.speak(language)
        for screen in APP_SIGNED_IN:
            audit.app_screen(screen)
        page.goto("/app/#records/outpatient")
        page.locator("[data-records] a").first.click()
        expect(page.locator("[data-record-details] dt").first).to_be_visible()
        audit.check("/app/#record (an outpatient visit)")
        page.goto("/app/#vcard")
        page.locator("[data-vcard-show-qr]").click()
        expect(page.locator("[data-qr-image]")).to_have_attribute(
            "src", re.compile("^data:image/svg")
        )
        audit.check("/app/#vcard-qr (the card's QR code)")

    page.context.clear_cookies()
    sign_in_as(page, live_server, MOTHER)
    daughter = Person.objects.get(national_id=DAUGHTER)
    page.goto("/bank/")
    page.locator(f".subject-switch button[value='{daughter.pk}']").click()
    expect(page.locator(".child-note")).to_contain_text(daughter.name)
    # The same templates as the mother's own records, with the child's data and notes: each
    # page once, the languages taking turns (keeps the suite fast).
    for i, url in enumerate(menu_pages()):
        audit.speak(LANGUAGES[i % len(LANGUAGES)])
        audit.visit(url)

    page.goto("/eservice/login/")
    eservice_sign_in(page, HUANG)  # unpaid bills, payroll premiums: tables on most pages
    # The frame's pages in both languages; each service's page once, the languages taking
    # turns (their words are checked in both by each app's tests).
    for language in LANGUAGES:
        audit.speak(language)
        for url in (
            "/eservice/",
            "/eservice/mobile-account/",
            "/eservice/devices/",
            "/verify/",
            "/verify/ABCD-EFGH-JKMN-PQRS-TVWX/",  # a code no certificate has
        ):
            audit.visit(url)
    services = [reverse(name) for name in (*(s.url_name for s in SERVICES), *ESERVICE_FORMS)]
    for i, url in enumerate(services):
        audit.speak(LANGUAGES[i % len(LANGUAGES)])
        audit.visit(url)
    context.close()

    took = time.monotonic() - started
    rules = ", ".join(f"{rule} ({impact}) ×{n}" for (rule, impact), n in audit.by_rule.items())
    print(  # the figures the closing note reports (shown with -rP or -s)
        f"\naxe-core {AXE.parent.name}: {audit.pages} pages checked "
        f"(zh-Hant and English, 390 px wide), {audit.charts} charts, "
        f"in {took:.0f} s ({audit.axe_seconds:.0f} s in axe); "
        f"violations by impact: {dict(audit.by_impact)}; blocking: {rules or 'none'}"
    )
    assert not audit.problems, "Serious or critical accessibility violations:\n" + "\n".join(
        audit.problems
    )
