from unittest import mock

import pytest
from django.db import OperationalError

from healthbank.core.logging import mask


@pytest.mark.django_db
def test_healthz_answers_when_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_fails_when_database_does_not(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


@pytest.mark.django_db
def test_landing_page_speaks_chinese_first_and_english_on_request(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "健康存摺" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "My Health Bank" in client.get("/").content.decode()
    assert "健康存摺" not in client.get("/").content.decode().split('<main id="main">')[1]


def test_logs_never_carry_ids_or_card_numbers():
    line = mask("login failed for A123456789 card 000012345678 (resident AC01234567)")
    assert "A123456789" not in line and "000012345678" not in line and "AC01234567" not in line
    assert "A1********" in line


@pytest.mark.django_db
def test_the_stylesheet_the_pages_link_is_served(client):
    page = client.get("/").content.decode()
    assert "/static/healthbank/site.css" in page
    response = client.get("/static/healthbank/site.css")
    assert response.status_code == 200
    assert b"--green" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_browser_language_does_not_override_the_default(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hant"
    assert '<html lang="zh-Hant-TW"' in page.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "fr"
    assert client.get("/")["Content-Language"] == "zh-hant"


@pytest.mark.django_db
def test_language_switch_names_each_language_in_its_own_words(client):
    page = client.get("/").content.decode()
    assert ">English</button>" in page and ">繁體中文</button>" in page
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert ">English</button>" in page and ">繁體中文</button>" in page


@pytest.mark.django_db
def test_the_favicon_browsers_ask_for_unlinked_is_served_and_kept(admin_client):
    """Browsers ask /favicon.ico on pages that link no icon; even signed in (no-store
    elsewhere) it is a cached image, not a 404 in the console."""
    response = admin_client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response["Cache-Control"] == "max-age=604800, public"
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_every_page_layout_links_the_icon(admin_client):
    for url in ["/", "/staff/", "/staff/people/person/"]:
        page = admin_client.get(url).content.decode()
        assert '<link rel="icon" href="/favicon.ico"' in page, url
        assert 'href="/static/healthbank/favicon.svg" type="image/svg+xml"' in page, url
