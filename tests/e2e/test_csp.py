"""The Content-Security-Policy in a real browser: an inline script is refused, and the
browser tests' watcher (conftest.py) sees the refusal, so that every other browser test fails
on a page the policy breaks."""

from __future__ import annotations

from playwright.sync_api import Page

INJECT_INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
}"""


def test_an_inline_script_is_refused_and_the_watcher_sees_it(page: Page, csp_violations):
    page.goto("/")
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate(INJECT_INLINE_SCRIPT)

    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # seen on purpose: not this test's failure
