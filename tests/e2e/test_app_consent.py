"""The consent screen in a real browser: a person signed in to My Health Bank opens an app's
authorisation request, presses Allow (or Deny), and lands back at the app's redirect URI
with a code (or error=access_denied).

The app is a tiny https server on 127.0.0.1 (its own self-signed certificate, which this
browser context accepts): another origin than the live server's, as a real app's is. What
matters is that the browser follows the redirect at all, which the consent page's
Content-Security-Policy (`form-action`) decides."""

from __future__ import annotations

import datetime as dt
import http.server
import re
import ssl
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from healthbank.fhir import services
from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.tests.conftest import authorize_query, authorize_url
from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person, Sex
from tests.fixtures.personas import PASSWORD


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "app.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def app_server():
    """(the app's redirect URI, the paths the browser asked it for)."""
    reached: list[str] = []

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if not self.path.startswith("/callback"):  # the browser's /favicon.ico
                self.send_response(204)
                self.end_headers()
                return
            reached.append(self.path)
            body = b"<!doctype html><title>app</title>back at the app"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    with tempfile.TemporaryDirectory() as directory:
        cert_file, key_file = _self_signed(Path(directory))
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert_file, key_file)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Callback)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"https://127.0.0.1:{server.server_port}/callback", reached
        server.shutdown()
        server.server_close()


@pytest.fixture
def tab(browser, live_server, transactional_db):
    """A tab in English that accepts the app server's self-signed certificate."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", ignore_https_errors=True
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    yield context.new_page()
    context.close()


def open_consent(page: Page, live_server, redirect_uri: str) -> Person:
    """A person signed in to My Health Bank opens an approved app's consent screen."""
    person = Person.objects.create(
        national_id="A123456789", name="陳志明", sex=Sex.MALE, birth_date=dt.date(1966, 5, 4)
    )
    account = register_at_counter(person=person, password=PASSWORD, staff_id=1)
    client = Client()
    client.force_login(account.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    developer = services.sign_up_developer(email="dev@app.example", password="Correct-horse-9")
    listing, _secret = services.register_app(
        developer=developer,
        name="Health Diary",
        publisher="Diary Co.",
        description="Keeps a diary of your visits.",
        privacy_policy="https://app.example/privacy",
        homepage="",
        redirect_uris=[redirect_uri],
        confidential=False,
        sandbox=False,
    )
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.APPROVED)
    query = authorize_query(listing, redirect_uri=redirect_uri, aud=f"{live_server.url}/fhir/r4")
    page.goto(authorize_url(query))
    expect(page.locator("h1")).to_contain_text("Health Diary")
    return person


def landed_at(page: Page, redirect_uri: str) -> dict[str, list[str]]:
    expect(page).to_have_url(re.compile(rf"^{re.escape(redirect_uri)}\?"))
    expect(page.locator("body")).to_contain_text("back at the app")
    return parse_qs(urlsplit(page.url).query)


def test_allow_lands_at_the_apps_redirect_uri_with_a_code(tab: Page, live_server, app_server):
    redirect_uri, reached = app_server
    person = open_consent(tab, live_server, redirect_uri)
    tab.get_by_label("Your registration password").fill(PASSWORD)
    tab.get_by_role("button", name="Allow").click()

    params = landed_at(tab, redirect_uri)
    assert params["code"][0] and params["state"] == ["s-123"]
    assert len(reached) == 1
    assert Grant.objects.filter(person=person, revoked_at__isnull=True).count() == 1


def test_deny_lands_at_the_apps_redirect_uri_with_access_denied(tab: Page, live_server, app_server):
    redirect_uri, _reached = app_server
    person = open_consent(tab, live_server, redirect_uri)
    tab.get_by_role("button", name="Deny").click()

    params = landed_at(tab, redirect_uri)
    assert params["error"] == ["access_denied"] and "code" not in params
    assert not Grant.objects.filter(person=person).exists()
