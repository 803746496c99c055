"""The NHI Express app's shell: its page, manifest and service worker, as a phone fetches them
before any personal data (which only ever comes from /api/v1/)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders

from healthbank.identity.tests.cardhelpers import CHEN_ID, registered, seed_personas


def english(client):
    client.cookies["django_language"] = "en"
    return client


def strings(response) -> dict:
    found = re.search(
        r'<script id="express-strings" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def shell_list(client) -> list[str]:
    body = client.get("/app/sw.js").content.decode()
    return json.loads(re.search(r"const SHELL = (\[.*?\]);", body).group(1))


def test_the_app_opens_in_chinese(client):
    response = client.get("/app/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>健保快易通</title>" in page
    assert 'lang="zh-Hant-TW"' in page
    assert "健康存摺" in page and "裝置碼認證" in page and "行動電話認證" in page
    assert strings(response)["not_applied"] == "尚未申請，請按上方資料申請。"
    assert 'rel="manifest" href="/app/manifest.webmanifest"' in page


def test_the_app_in_english_after_the_language_switch(client):
    response = english(client).get("/app/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>NHI Express</title>" in page and 'lang="en"' in page
    assert "Device code verification" in page and "Mobile phone verification" in page
    assert strings(response)["not_applied"] == "Not applied for yet. Press Apply above."
    assert "健保快易通" not in page


def test_the_page_runs_no_inline_script(client):
    """CSP: scripts come only from files; the one script element without src is JSON data."""
    page = client.get("/app/").content.decode()
    tags = re.findall(r"<script[^>]*>", page)
    inline = [tag for tag in tags if "src=" not in tag]
    assert inline == ['<script id="express-strings" type="application/json">']
    assert " on" not in "".join(re.findall(r"<[a-z]+ [^>]*\bon[a-z]+=", page))


@pytest.mark.django_db
def test_the_shell_is_the_same_for_a_signed_in_person(client):
    """The service worker keeps this page: it must hold nothing of the person."""
    seed_personas()
    account = registered(CHEN_ID)
    client.force_login(account.user)
    page = client.get("/app/").content.decode()
    assert account.person.name not in page
    assert CHEN_ID not in page and account.person.masked_id not in page


def test_manifest_makes_the_app_installable(client):
    response = client.get("/app/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "健保快易通"
    assert manifest["start_url"] == "/app/" and manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, icon in sizes.items():
        assert icon["type"] == "image/png"
        png = client.get(icon["src"])
        assert png.status_code == 200
        content = b"".join(png.streaming_content)
        width, height = int.from_bytes(content[16:20]), int.from_bytes(content[20:24])
        assert content.startswith(b"\x89PNG") and f"{width}x{height}" == size


def test_manifest_in_english(client):
    assert english(client).get("/app/manifest.webmanifest").json()["name"] == "NHI Express"


def test_service_worker_is_served_from_the_app_and_checked_each_time(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    # A worker's scope is at most its own folder: served at /app/sw.js it may control /app/.
    assert response.wsgi_request.path == "/app/sw.js"
    body = response.content.decode()
    assert re.search(r'const CACHE = "express-shell-[0-9a-f]{12}";', body)


def test_service_worker_caches_the_shell_and_nothing_of_the_api(client):
    shell = shell_list(client)
    assert "/app/" in shell and "/app/manifest.webmanifest" in shell
    assert {"/static/express/app.js", "/static/vendor/jsqr-1.4.0/jsQR.js"} <= set(shell)
    assert not [url for url in shell if "/api/" in url]
    for url in shell:
        assert client.get(url).status_code == 200, url


def test_the_shell_files_exist_where_the_page_loads_them(client):
    page = client.get("/app/").content.decode()
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert finders.find(url.removeprefix("/static/")), url
        assert url in shell_list(client), url


def test_the_landing_page_opens_the_app(client):
    page = client.get("/").content.decode()
    assert 'href="/app/">開啟健保快易通：手機上的健康存摺</a>' in page
