"""Browser test of the download service: request a package, see it become ready, download
it and open it with the national ID (seeds 000 and 001)."""

from __future__ import annotations

import pyzipper
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.test_portal import CHEN, PASSWORD, sign_in_as


def test_request_wait_download_and_open_the_zip(page, live_server, personas, settings, tmp_path):
    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    sign_in_as(page, live_server, CHEN)
    page.goto("/bank/downloads/")
    page.locator("[data-select-all]").click()
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.package-form button[type=submit]").click()
    row = page.locator("tr[data-package]").first
    expect(row).to_have_attribute("data-status", "pending")

    call_command("worker", "--batch", "--interval", "0.01")  # the background worker's turn
    expect(row).to_have_attribute("data-status", "ready", timeout=15_000)  # the list refreshes

    with page.expect_download() as download:
        row.locator("[data-download]").click()
        page.locator("#password-dialog button").click()  # the seed's message about the password
    path = download.value.path()
    assert download.value.suggested_filename.startswith("健康存摺_")
    with pyzipper.AESZipFile(path) as archive:
        archive.setpassword(CHEN.encode())
        names = archive.namelist()
        assert "README.txt" in names and len(names) > 20
        assert "健康存摺" in archive.read("README.txt").decode()
