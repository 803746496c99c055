"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Run alone with `pytest -m e2e`. They skip, saying why, where /usr/bin/chromium is
missing (`make test` installs it when it can). Nothing here downloads a browser.

Every browser context any test opens watches for Content-Security-Policy violations, and a
test during which one happened fails (`csp_violations`): a page that needs an inline script
or style, or a source the policy does not name, is caught where it breaks.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e-screenshots"

# Runs in every page before its own scripts (Playwright's init scripts are not subject to the
# page's CSP): each violation is logged where the console listener below finds it.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile || event.documentURI}:${event.lineNumber}`;
  console.error(`CSP violation: ${event.effectiveDirective} refused ` +
    `${event.blockedURI || "inline"} at ${where}`);
});
"""
_violations: list[str] = []


def _is_violation(text: str) -> bool:
    return text.startswith("CSP violation") or "Content Security Policy" in text


def watch_csp(context) -> None:
    """Record the CSP violations of every page of this browser context."""
    context.add_init_script(CSP_WATCH)

    def logged(message) -> None:
        if message.type == "error" and _is_violation(message.text):
            _violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", logged)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves a screenshot of its page in var/e2e-screenshots/."""
    outcome = yield
    report = outcome.get_result()
    tab = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and tab is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in item.nodeid)
        path = SCREENSHOTS / f"{name}.png"
        try:
            tab.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
        except Exception as exc:  # noqa: BLE001 - a closed page must not hide the real failure
            report.sections.append(("screenshot", f"none: {exc}"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def csp_violations():
    """The CSP violations seen while this test ran; any left at its end fail it. (Torn down
    after the test's own fixtures, so after their browser contexts have closed.)"""
    _violations.clear()
    yield _violations
    found, _violations[:] = list(_violations), []
    if found:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests")
    from django.db import connections
    from playwright.sync_api import Browser, sync_playwright

    def new_context(self, *args, **kwargs):
        context = plain_new_context(self, *args, **kwargs)
        watch_csp(context)
        return context

    # Every context, also those a test opens itself or in a browser it launches itself.
    plain_new_context = Browser.new_context
    with sync_playwright() as playwright, pytest.MonkeyPatch.context() as patch:
        patch.setattr(Browser, "new_context", new_context)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # A database connection opened by the first browser test outlived the session
        # (likely held in Playwright's event-loop context, where asgiref keeps Django's
        # connections apart from the thread's own), so on PostgreSQL the test database could
        # not be dropped at the end. Close it while that context is still here.
        connections.close_all()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh browser tab (no cookies) on the live server, with reference data loaded."""
    from healthbank.codes.loading import load_code_tables
    from healthbank.people.loading import load_divisions

    load_divisions()
    load_code_tables()
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def agent(live_server, settings):
    """The card agent on a free port, serving this test's virtual cards to the live server's
    pages; links in e-mail point at the live server, and mail goes to the demo mailbox."""
    from healthbank.external import cardagent

    server = cardagent.start_in_thread("127.0.0.1", 0, [live_server.url])
    settings.CARD_AGENT_URL = f"http://127.0.0.1:{server.server_port}"
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "healthbank.external.mail.MailboxBackend"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def personas(agent):
    """The ten demo personas, with their virtual NHI cards and certificate cards."""
    import datetime as dt

    from healthbank.synth.services import seed_population

    seed_population(people_count=0, seed=1, today=dt.date(2026, 11, 23))
