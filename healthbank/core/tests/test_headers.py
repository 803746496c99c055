"""Security headers on every page: a strict Content-Security-Policy (django-csp), a
Permissions-Policy with every powerful feature off except the camera on the app page that
scans codes, HSTS once the site is HTTPS; templates that keep the CSP possible (no inline
script, handler or style); and `manage.py check --deploy` clean with the README's production
environment."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "healthbank").glob("**/templates/**/*.html"))
# Files written into a record package (a ZIP the person opens from disk): self-contained on
# purpose, never served under the site's CSP.
# Templates of files a person keeps, never served as pages: a package's HTML files, and the
# PDFs' (rendered by WeasyPrint from HTML and CSS: named *pdf*, or kept in a pdf/ folder).
PACKAGE = "downloads/templates/downloads/package/"


def _served(name: str) -> bool:
    return not (name.startswith(PACKAGE) or "pdf" in Path(name).name or "/pdf/" in name)


PAGES = ["/", "/login/", "/register/", "/help/faq/", "/app/", "/units/login/", "/staff/login/"]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_content_security_policy(client, settings, path):
    settings.CARD_AGENT_URL = "http://127.0.0.1:7123"
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    # Pages call the card agent with fetch(), wherever it is configured.
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:7123"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_only_the_app_shows_data_and_blob_images(client):
    """The app draws a virtual card's QR code from a data: URI and previews chosen photos
    from blob: URLs; no other page needs either."""
    assert directives(client.get("/app/"))["img-src"] == ["'self'", "data:", "blob:"]
    assert directives(client.get("/"))["img-src"] == ["'self'"]


@pytest.mark.django_db
def test_camera_and_location_are_allowed_only_on_the_app_page(client):
    """The app scans QR codes with the camera and finds providers near the phone (asked on
    the tap); no other page may ask for either."""

    def features(path: str) -> dict[str, str]:
        header = client.get(path)["Permissions-Policy"]
        return dict(item.strip().split("=", 1) for item in header.split(","))

    for path in ("/", "/login/", "/register/", "/staff/login/"):
        policy = features(path)
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
            assert policy[feature] == "()", (path, feature)
    app = features("/app/")
    assert app["camera"] == app["geolocation"] == "(self)"
    assert app["microphone"] == app["payment"] == "()"


def test_templates_have_no_inline_script_handler_or_style():
    """What the CSP would refuse: a <script> with a body (JSON data blocks excepted), an
    on* handler attribute, a javascript: URL, a style attribute or a <style> element."""
    script = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
    handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
    style = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style\b", re.I)
    assert len(TEMPLATES) > 100
    found = []
    for path in TEMPLATES:
        name = str(path.relative_to(ROOT / "healthbank"))
        text = path.read_text(encoding="utf-8")
        for attributes, body in script.findall(text):
            if body.strip() and "application/json" not in attributes:
                found.append((name, "inline script"))
        if handler.search(text):
            found.append((name, "on* handler"))
        if "javascript:" in text.lower():
            found.append((name, "javascript: URL"))
        if style.search(text) and _served(name):
            found.append((name, "inline style"))
    assert found == []


# --- HSTS and the production settings, in their own processes -------------------------------


def _environment(tmp_path: Path, **values: str) -> dict:
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["HEALTHBANK_VAR_DIR"] = str(tmp_path / "var")
    return env | values


HSTS_PROBE = """
from django.test import Client
response = Client().get("/healthz", secure=True)
print(response.status_code, response.get("Strict-Transport-Security", "none"))
"""


def _hsts(tmp_path: Path, **values: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, ROOT / "manage.py", "shell", "-c", HSTS_PROBE],
        env=_environment(tmp_path, ALLOWED_HOSTS="testserver", **values),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_hsts_with_subdomains_once_the_site_is_https(tmp_path):
    """Production's defaults (secure cookies) say HTTPS; a demo's do not."""
    production = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    assert _hsts(tmp_path, **production) == "200 max-age=31536000; includeSubDomains"
    assert _hsts(tmp_path, **production, SECURE_COOKIES="0") == "200 none"
    assert _hsts(tmp_path, **production, SECURE_COOKIES="0", BEHIND_TLS_PROXY="1") == (
        "200 max-age=31536000; includeSubDomains"
    )
    assert _hsts(tmp_path, DEBUG="1") == "200 none"


def production_environment() -> dict[str, str]:
    """The variables of the README's production section, as an operator copies them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    pairs = (line.split("=", 1) for line in block.splitlines() if re.match(r"[A-Z_]+=", line))
    return dict(pairs)


def test_check_deploy_is_clean_with_the_readmes_production_settings(tmp_path):
    values = production_environment()
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TRUSTED_PROXIES"} <= set(values)
    assert values["DEBUG"] == "0"
    values["SECRET_KEY"] = secrets.token_urlsafe(50)  # the README's is a placeholder
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, ROOT / "manage.py", "check", "--deploy", "--fail-level=WARNING"],
        env=_environment(tmp_path, **values),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr
