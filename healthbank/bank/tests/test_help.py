"""Help pages (/help/): user guide, FAQ, announcements and health news; the login page's
公告事項; staff adding an announcement at /staff/."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from healthbank.bank.models import Announcement, HelpEntry
from healthbank.bank.news import current_announcements

pytestmark = pytest.mark.django_db

initial_content = importlib.import_module("healthbank.bank.migrations.0002_initial_content")


def _today() -> dt.date:
    return timezone.localdate()


def _announce(title: str, *, days_ago: int = 0, until_in: int | None = None, **fields):
    today = _today()
    return Announcement.objects.create(
        title_zh=f"{title}（中文）",
        title_en=title,
        published_on=today - dt.timedelta(days=days_ago),
        until=None if until_in is None else today + dt.timedelta(days=until_in),
        **fields,
    )


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- migrated content ------------------------------------------------------------------------


def test_guide_shows_the_migrated_sections_in_chinese_with_a_table_of_contents(client):
    sections = list(HelpEntry.objects.filter(kind="guide").order_by("position"))
    assert len(sections) >= 8

    page = client.get(reverse("help:guide")).content.decode()

    for section in sections:
        assert section.title_zh in page
        assert f'href="#guide-{section.pk}"' in page
        assert f'id="guide-{section.pk}"' in page
    assert "5日內開啟信中的連結" in page
    assert page.index(sections[0].title_zh) < page.index(sections[-1].title_zh)


def test_guide_shows_the_migrated_sections_in_english(english):
    page = english.get(reverse("help:guide")).content.decode()

    assert "<h1>User guide</h1>" in page
    assert "Three ways to sign in" in page
    assert "Children under 15" in page
    assert "三種登入方式" not in page


def test_faq_shows_each_question_with_its_answer_in_chinese(client):
    questions = HelpEntry.objects.filter(kind="faq")
    assert questions.count() >= 10

    page = client.get(reverse("help:faq")).content.decode()

    assert page.count("<details") == questions.count()
    assert "<summary>忘記註冊密碼怎麼辦？</summary>" in page
    assert "連續輸錯註冊密碼5次" in page


def test_faq_shows_each_question_in_english(english):
    page = english.get(reverse("help:faq")).content.decode()

    assert "<summary>I forgot my password. What do I do?</summary>" in page
    assert "Why does General sign-in need my NHI card once?" in page
    assert "忘記註冊密碼怎麼辦" not in page


def test_help_pages_keep_paragraphs_and_escape_html_in_bodies(client):
    HelpEntry.objects.create(
        kind="faq",
        position=999,
        title_zh="<b>粗體</b>？",
        title_en="Bold?",
        body_zh="第一段<script>alert(1)</script>\n\n第二段",
        body_en="One\n\nTwo",
    )

    page = client.get(reverse("help:faq")).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;粗體&lt;/b&gt;" in page
    assert "<p>第一段&lt;script&gt;alert(1)&lt;/script&gt;</p>\n\n<p>第二段</p>" in page


def test_empty_guide_says_so(english):
    HelpEntry.objects.all().delete()

    page = english.get(reverse("help:guide")).content.decode()

    assert "The user guide has no sections yet." in page


def test_initial_content_migration_reverses_and_reapplies(db):
    staff_written = _announce("Written by staff")
    count = Announcement.objects.count()

    initial_content.remove_content(global_apps, None)

    assert list(Announcement.objects.all()) == [staff_written]
    assert not HelpEntry.objects.exists()

    initial_content.add_content(global_apps, None)

    assert Announcement.objects.count() == count
    assert HelpEntry.objects.filter(kind="guide").count() == len(initial_content.GUIDE)


# --- which announcements are current -----------------------------------------------------------


def test_expired_and_future_announcements_are_not_listed(client):
    Announcement.objects.all().delete()
    current = _announce("Current", days_ago=3)
    last_day = _announce("Last day today", days_ago=10, until_in=0)
    _announce("Expired yesterday", days_ago=10, until_in=-1)
    _announce("From tomorrow", days_ago=-1)

    listed = current_announcements(_today())
    page = client.get(reverse("help:announcements")).content.decode()

    assert listed == [current, last_day]
    assert "Last day today（中文）" in page
    assert "Expired yesterday" not in page
    assert "From tomorrow" not in page


def test_pinned_come_first_then_newest_first(db):
    Announcement.objects.all().delete()
    old_pinned = _announce("Old but pinned", days_ago=30, pinned=True)
    newest = _announce("Newest", days_ago=0)
    older = _announce("Older", days_ago=5)

    assert current_announcements(_today()) == [old_pinned, newest, older]


def test_current_announcements_keep_kinds_apart_and_respect_the_limit(db):
    Announcement.objects.all().delete()
    notices = [_announce(f"Notice {n}", days_ago=n) for n in range(4)]
    news = _announce("News", kind=Announcement.Kind.NEWS)

    assert current_announcements(_today(), limit=2) == notices[:2]
    assert current_announcements(_today(), kind="news") == [news]
    assert len(current_announcements(_today(), kind=None, limit=None)) == 5


def test_a_published_or_deleted_announcement_shows_at_once_on_a_cached_page(client):
    """The list is cached for every page; staff saving or deleting one is seen at once."""
    Announcement.objects.all().delete()
    first = _announce("First notice")
    assert "First notice" in client.get(reverse("identity:login")).content.decode()

    _announce("Second notice")
    first.delete()
    page = client.get(reverse("identity:login")).content.decode()

    assert "Second notice" in page
    assert "First notice" not in page


def test_migrated_announcements_are_current_with_the_new_portal_pinned_first(db):
    notices = current_announcements(_today())
    news = current_announcements(_today(), kind="news")

    assert len(notices) == 4
    assert notices[0].pinned and "全面改版" in notices[0].title_zh
    assert len(news) >= 2
    assert all(item.link.startswith("https://www.cdc.gov.tw/") for item in news)


def test_announcements_page_lists_news_separately_in_english(english):
    page = english.get(reverse("help:announcements")).content.decode()

    assert '<h2 id="news-title">Health news</h2>' in page
    assert page.index("My Health Bank on your phone") < page.index("news-title")
    assert page.index("Prevent dengue") > page.index("news-title")


def test_announcement_detail_shows_body_date_and_source_link(english):
    item = _announce(
        "Dengue",
        kind=Announcement.Kind.NEWS,
        days_ago=2,
        body_en="Empty standing water.\n\nSee a doctor for fever.",
        link="https://www.cdc.gov.tw/",
    )

    page = english.get(reverse("help:announcement", args=[item.pk])).content.decode()

    assert "<h1>Dengue</h1>" in page
    assert "<p>Empty standing water.</p>" in page
    assert item.published_on.isoformat() in page
    assert 'href="https://www.cdc.gov.tw/"' in page
    assert "no longer current" not in page


def test_announcement_detail_shows_the_roc_date_in_chinese(client):
    item = _announce("Dated", days_ago=0)
    roc = f"{item.published_on.year - 1911}/{item.published_on:%m/%d}"

    page = client.get(reverse("help:announcement", args=[item.pk])).content.decode()

    assert "Dated（中文）" in page
    assert roc in page


def test_expired_announcement_detail_says_it_is_no_longer_current(english):
    item = _announce("Old news", days_ago=10, until_in=-2)

    page = english.get(reverse("help:announcement", args=[item.pk])).content.decode()

    assert "This is no longer current" in page


def test_future_or_unknown_announcement_detail_is_404(client):
    future = _announce("Not yet", days_ago=-1)

    assert client.get(reverse("help:announcement", args=[future.pk])).status_code == 404
    assert client.get("/help/announcements/999999/").status_code == 404


def test_announcement_html_is_escaped(client):
    item = _announce(
        "<img src=x onerror=alert(1)>",
        body_zh='<a href="javascript:alert(1)">點我</a>',
    )

    listing = client.get(reverse("identity:login")).content.decode()
    detail = client.get(reverse("help:announcement", args=[item.pk])).content.decode()

    assert "<img src=x" not in listing + detail
    assert "&lt;img src=x onerror=alert(1)&gt;" in listing
    assert '<a href="javascript:alert(1)">' not in detail
    assert "&lt;a href=&quot;javascript:alert(1)&quot;&gt;點我&lt;/a&gt;" in detail


# --- the login page ------------------------------------------------------------------------------


def test_login_page_lists_current_announcements_with_help_links(client):
    Announcement.objects.all().delete()
    shown = _announce("Shown on sign-in", days_ago=1)
    _announce("Gone", days_ago=9, until_in=-1)
    _announce("News only on the news list", kind=Announcement.Kind.NEWS)

    page = client.get(reverse("identity:login")).content.decode()

    assert "Shown on sign-in（中文）" in page
    assert reverse("help:announcement", args=[shown.pk]) in page
    assert "Gone" not in page
    assert "News only" not in page
    assert reverse("help:guide") in page
    assert reverse("help:faq") in page


def test_login_page_shows_the_migrated_announcements_in_english(english):
    page = english.get(reverse("identity:login")).content.decode()

    assert "The new My Health Bank" in page
    assert "more than 400 My Health Bank service points" in page


def test_login_page_reads_announcements_in_one_query(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the image code, the announcements
        assert client.get(reverse("identity:login")).status_code == 200


# --- staff pages -----------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model, staff_login):
    user = django_user_model.objects.create_user(
        username="editor", password="x-Editor-2026", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="bank",
            codename__in=["add_announcement", "change_announcement", "view_announcement"],
        )
    )
    return staff_login(client, user)


def test_staff_add_an_announcement_and_it_shows_on_the_login_page(staff_client, client):
    today = _today()
    response = staff_client.post(
        "/staff/bank/announcement/add/",
        {
            "kind": "announcement",
            "published_on": today.isoformat(),
            "until": (today + dt.timedelta(days=7)).isoformat(),
            "pinned": "on",
            "link": "",
            "title_zh": "系統維護公告",
            "body_zh": "本週六凌晨系統維護。",
            "title_en": "Maintenance on Saturday",
            "body_en": "The site is down early on Saturday.",
        },
    )

    assert response.status_code == 302, response.content.decode()
    item = Announcement.objects.get(title_zh="系統維護公告")
    assert item.pinned
    staff_client.logout()
    page = client.get(reverse("identity:login")).content.decode()
    assert "系統維護公告" in page
    assert page.index("系統維護公告") < page.index("全面改版")  # pinned, and newer


def test_staff_cannot_save_an_announcement_that_ends_before_it_starts(staff_client):
    today = _today()
    response = staff_client.post(
        "/staff/bank/announcement/add/",
        {
            "kind": "announcement",
            "published_on": today.isoformat(),
            "until": (today - dt.timedelta(days=1)).isoformat(),
            "title_zh": "錯誤",
            "title_en": "Wrong",
        },
    )

    assert response.status_code == 200
    assert not Announcement.objects.filter(title_zh="錯誤").exists()


def test_staff_list_filters_announcements_shown_now(admin_client):
    _announce("Long gone", days_ago=20, until_in=-5)

    shown = admin_client.get("/staff/bank/announcement/", {"shown": "current"}).content.decode()
    expired = admin_client.get("/staff/bank/announcement/", {"shown": "expired"}).content.decode()

    assert "全面改版" in shown and "Long gone" not in shown
    assert "Long gone" in expired and "全面改版" not in expired


def test_staff_edit_help_entries(admin_client):
    entry = HelpEntry.objects.filter(kind="faq").first()

    listing = admin_client.get("/staff/bank/helpentry/", {"kind__exact": "faq"})
    change = admin_client.get(f"/staff/bank/helpentry/{entry.pk}/change/")

    assert listing.status_code == 200 and entry.title_zh in listing.content.decode()
    assert change.status_code == 200
