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


def test_the_virtual_card_screens_speak_the_leaflets_words(client):
    """虛擬健保卡 (seed 004): its tile and screens are in the shell, worded as the leaflet."""
    response = client.get("/app/")
    page = response.content.decode()
    assert 'href="#vcard"' in page and 'href="#vcard-sites"' in page  # home: card, accepted where
    for words in (
        "虛擬健保卡",
        "同意 隱私條款與服務政策",
        "一般申請",
        "送出虛擬健保卡申請",
        "核對虛擬健保卡相片",
        "授權與管理",
        "新增授權對象",
        "特定對象",
        "同一健保戶",
        "取得授權",
        "我授權的",
        "我可使用",
        "眷屬管理",
        "一次性 QR Code 5 分鐘內有效，使用過即失效",
        "授權 QR CODE 與授權碼",
    ):
        assert words in page, words
    assert 'accept="image/*" capture=' in page  # the camera opens for the photos
    assert strings(response)["vcard_revoke"] == "取消授權"
    assert "/static/express/vcard.js" in shell_list(client)


def test_the_virtual_card_screens_in_english(client):
    response = english(client).get("/app/")
    page = response.content.decode()
    assert "Virtual NHI card" in page and "Authorisation and management" in page
    assert strings(response)["vcard_agree"] == "Agree"
    assert "虛擬健保卡" not in page
