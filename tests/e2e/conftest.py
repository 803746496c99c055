"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Run alone with `pytest -m e2e`. They skip, saying why, where /usr/bin/chromium is
missing (`make test` installs it when it can). Nothing here downloads a browser.

Every browser context any test opens watches for Content-Security-Policy violations, and a
test during which one happened fails (`csp_violations`): a page that needs an inline script
or style, or a source the policy does not name, is caught where it breaks.

It watches, too, for what a person's browser console would show in a normal flow: an error
logged by a script, an uncaught exception, and a request answered 4xx/5xx or not at all
("Failed to load resource"). Any of these fails the test (`browser_errors`). A test that
provokes one on purpose (a wrong password, a refused code, going offline) says so with
`@pytest.mark.allow_errors(*patterns)`: each pattern is a regular expression searched in
the error's line (e.g. "POST /api/v1/auth/login → 401"), and only matching errors are let
through; with no pattern every console error and failed request is. CSP violations are
never allowed.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

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
_errors: list[str] = []


def _is_violation(text: str) -> bool:
    return text.startswith("CSP violation") or "Content Security Policy" in text


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def watch_csp(context) -> None:
    """Record the CSP violations, console errors, uncaught exceptions and failed requests
    of every page of this browser context."""
    context.add_init_script(CSP_WATCH)

    def logged(message) -> None:
        if message.type != "error":
            return
        where = _path(message.page.url) if message.page else "?"
        if _is_violation(message.text):
            _violations.append(f"{where}: {message.text}")
        elif not message.text.startswith("Failed to load resource"):
            # (a failed request is recorded below, with its method and path)
            source = message.location.get("url") if message.location else ""
            _errors.append(f"{where}: console error {message.text} ({_path(source or '')})")

    def answered(response) -> None:
        if response.status >= 400:
            request = response.request
            _errors.append(f"{request.method} {_path(response.url)} → {response.status}")

    def failed(request) -> None:
        # ERR_ABORTED: dropped by the page itself as it moved on (a navigation while an image
        # or a fetch was still loading, or a link that downloads), which no person sees.
        if request.failure != "net::ERR_ABORTED":
            _errors.append(f"{request.method} {_path(request.url)} failed: {request.failure}")

    context.on("console", logged)
    context.on("weberror", lambda error: _errors.append(f"uncaught {error.error}"))
    context.on("response", answered)
    context.on("requestfailed", failed)


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


@pytest.fixture(autouse=True)
def browser_errors(request):
    """Console errors, uncaught exceptions and failed requests seen while this test ran; any
    not allowed by its `allow_errors` marker fail it (torn down after its browser contexts)."""
    _errors.clear()
    yield _errors
    marker = request.node.get_closest_marker("allow_errors")
    allowed = [re.compile(p) for p in marker.args] if marker else []
    found, _errors[:] = list(_errors), []
    if marker and not allowed:
        return
    unexpected = [e for e in found if not any(p.search(e) for p in allowed)]
    if unexpected:
        pytest.fail(
            "Errors a person would see in the browser's console (mark the test "
            "@pytest.mark.allow_errors(pattern) if it provokes them on purpose):\n"
            + "\n".join(unexpected),
            pytrace=False,
        )


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
def reference_data(transactional_db):
    """Counties to villages and the code tables, which the flush after every browser test
    (transactional_db) empties."""
    from tests.fixtures.personas import load_reference_data

    load_reference_data()


@pytest.fixture
def page(browser, live_server, reference_data):
    """A fresh browser tab (no cookies) on the live server, with reference data loaded."""
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
def personas(agent, reference_data):
    """The ten demo personas, with their virtual NHI cards and certificate cards."""
    from tests.fixtures.personas import TODAY, seed_personas

    seed_personas(today=TODAY)
