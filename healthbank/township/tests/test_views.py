"""The person's pages under /eservice/township/: the cover now and what may be filed (why
not, in both languages), the forms' bad input (clear messages, nothing written), filing,
and the applications, which only their owner sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from healthbank.core.months import add_months
from healthbank.identity.tests.cardhelpers import eservice_sign_in
from healthbank.township.models import TownshipApplication
from healthbank.township.tests.helpers import HUANG, ZHANG, file

HOME = reverse("township:township")
SUSPEND = reverse("township:township_apply", args=["suspend"])
TRANSFER = reverse("township:township_apply", args=["transfer_out"])
RESUME = reverse("township:township_apply", args=["resume"])


def signed_in(client, national_id, language="zh-hant"):
    client.cookies["django_language"] = language
    return eservice_sign_in(client, national_id)


def today() -> dt.date:
    return timezone.localdate()


def test_the_page_shows_the_cover_and_what_may_be_filed_in_chinese(client, zhang):
    page = signed_in(client, ZHANG).get(HOME).content.decode()
    assert "新北市板橋區公所" in page and "在保" in page
    assert f'href="{SUSPEND}"' in page and f'href="{TRANSFER}"' in page
    assert f'href="{RESUME}"' not in page
    assert "您目前未停保，無須復保。" in page
    assert "您目前在保中（新北市板橋區公所），無法在公所加保。" in page


def test_the_page_says_why_not_in_english_to_someone_insured_by_an_employer(client, people):
    page = signed_in(client, HUANG, "en").get(HOME).content.decode()
    assert "Only category 6 insured people of a township office apply here" in page
    assert f'href="{SUSPEND}"' not in page


def test_a_refused_kind_shows_why_and_a_post_writes_nothing(client, people):
    signed_in(client, HUANG, "en")
    page = client.get(SUSPEND).content.decode()
    assert "Only category 6 insured people" in page and "File the application" not in page
    day = (today() + dt.timedelta(days=5)).isoformat()
    client.post(SUSPEND, {"effective_date": day, "expected_return": "2030-01-01"})
    assert not TownshipApplication.objects.exists()


def test_an_unknown_kind_is_404(client, zhang):
    assert signed_in(client, ZHANG).get("/eservice/township/apply/holiday/").status_code == 404


SUSPEND_CASES = [
    # (posted fields, field, English message, Chinese message)
    ({}, "effective_date", "Enter the day you leave Taiwan.", "請輸入出國日期。"),
    (
        {"effective_date": "next week"},
        "effective_date",
        "Enter a date such as 2026-11-24 or 115/11/24.",
        "請輸入日期，例如",
    ),
    (
        {"effective_date": "+5"},
        "expected_return",
        "Enter the day you expect to come back.",
        "請輸入預定返國日期。",
    ),
    (
        {"effective_date": "-1", "expected_return": "+400"},
        "effective_date",
        "Suspension is filed before you leave",
        "停保應於出國前申辦",
    ),
    (
        {"effective_date": "+5", "expected_return": "+100"},
        "expected_return",
        "Suspension is for stays abroad of six months or more",
        "預定出國六個月以上者始得停保",
    ),
    (
        {"effective_date": "+120", "expected_return": "+400"},
        "effective_date",
        "This date is too far ahead",
        "日期太晚",
    ),
    (
        {"effective_date": "+5", "expected_return": "+400", "notes": "x" * 501},
        "notes",
        "Keep the notes to 500 characters.",
        "說明請勿超過 500 個字。",
    ),
]


def _days(data: dict) -> dict:
    """'+5' is five days from today (the pages judge by the real today)."""
    out = {}
    for key, value in data.items():
        if value[:1] in "+-" and value[1:].isascii() and value[1:].isdigit():
            value = (today() + dt.timedelta(days=int(value))).isoformat()
        out[key] = value
    return out


@pytest.mark.parametrize(("data", "field", "english", "chinese"), SUSPEND_CASES)
def test_bad_suspension_input_is_explained_in_both_languages_and_nothing_written(
    client, zhang, data, field, english, chinese
):
    for language, message in (("en", english), ("zh-hant", chinese)):
        signed_in(client, ZHANG, language)
        response = client.post(SUSPEND, _days(data))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors, errors
        assert message in " ".join(errors[field])
        assert message in response.content.decode().replace("&#x27;", "'")
    assert not TownshipApplication.objects.exists()


def test_a_roc_date_is_taken(client, zhang):
    signed_in(client, ZHANG)
    departure = today() + dt.timedelta(days=3)
    roc = f"{departure.year - 1911}/{departure:%m/%d}"
    back = add_months(departure, 7).isoformat()
    response = client.post(SUSPEND, {"effective_date": roc, "expected_return": back})
    app = TownshipApplication.objects.get()
    assert response["Location"] == reverse("township:township_application", args=[app.pk])
    assert (app.kind, app.effective_date, app.person) == ("suspend", departure, zhang)


def test_bad_transfer_input_is_explained_and_nothing_written(client, zhang):
    signed_in(client, ZHANG, "en")
    response = client.post(TRANSFER, {"transfer_reason": "holiday", "effective_date": "x"})
    errors = response.context["form"].errors
    assert errors["transfer_reason"] == ["Choose one of the reasons listed."]
    assert errors["effective_date"] == ["Enter a date such as 2026-11-24 or 115/11/24."]
    # Still registered in 板橋區: moving needs a new registered township.
    response = client.post(
        TRANSFER, {"transfer_reason": "moved", "effective_date": today().isoformat()}
    )
    assert response.context["form"].errors["transfer_reason"] == [
        "Your registered address is still in 新北市板橋區. Move your household registration "
        "first; the transfer goes to the office of your new township."
    ]
    signed_in(client, ZHANG)
    response = client.post(TRANSFER, {})
    assert response.context["form"].errors["transfer_reason"] == ["請選擇轉出原因。"]
    assert not TownshipApplication.objects.exists()


def test_filing_then_the_list_and_detail_show_it_pending(client, zhang):
    signed_in(client, ZHANG)
    departure = today() + dt.timedelta(days=10)
    response = client.post(
        SUSPEND,
        {
            "effective_date": departure.isoformat(),
            "expected_return": add_months(departure, 8).isoformat(),
            "notes": "赴美照顧孫子",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "您的申請已送出" in page and "審核中" in page and "赴美照顧孫子" in page
    listing = client.get(HOME).content.decode()
    assert "出國停保" in listing and "審核中" in listing
    assert "您有一件申請審核中" in listing  # nothing else until it is decided


def test_only_the_owner_sees_an_application(client, zhang, people):
    app = file(
        zhang,
        "suspend",
        today() + dt.timedelta(days=10),
        now=timezone.now(),
        expected_return=today() + dt.timedelta(days=400),
    )
    url = reverse("township:township_application", args=[app.pk])
    assert signed_in(client, ZHANG).get(url).status_code == 200
    client.logout()
    assert signed_in(client, HUANG).get(url).status_code == 404
    assert (
        client.get(reverse("township:township_application", args=[app.pk + 99])).status_code == 404
    )


def test_signed_out_visitors_go_to_the_e_services_sign_in(client, zhang):
    response = client.get(HOME)
    assert response.status_code == 302 and "/eservice/login/" in response["Location"]


def test_the_list_costs_the_same_queries_however_many_applications(client, zhang, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from healthbank.township import services

    signed_in(client, ZHANG)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    def suspension():
        app = file(
            zhang,
            "suspend",
            today() + dt.timedelta(days=10),
            now=timezone.now(),
            expected_return=today() + dt.timedelta(days=400),
        )
        services.reject(application=app, staff_user=reviewer, reason="日期不符")

    suspension()
    one = queries()
    for _ in range(3):
        suspension()
    assert queries() == one


@pytest.mark.parametrize(
    ("language", "dependants", "until"),
    [
        ("zh-hant", "即使眷屬留在國內亦同", "保障至"),
        ("en", "even if they stay in Taiwan", "covered until"),
    ],
)
def test_the_pages_say_plainly_what_an_approved_change_dated_ahead_does(
    client, zhang, language, dependants, until
):
    from django.contrib.auth.models import User

    from healthbank.township import services

    signed_in(client, ZHANG, language)
    assert dependants in client.get(SUSPEND).content.decode()
    today = timezone.localdate()
    app = file(
        zhang,
        "transfer_out",
        today + dt.timedelta(days=10),
        now=timezone.now(),
        transfer_reason="other_insurer",
    )
    services.approve(application=app, staff_user=User.objects.create_user("staff"))
    page = client.get(HOME).content.decode()
    assert ("在保" if language == "zh-hant" else "Insured") in page
    last_day = today + dt.timedelta(days=9)
    shown = f"{last_day.year - 1911}/{last_day:%m/%d}" if language == "zh-hant" else f"{last_day}"
    assert f"{until}{shown}" in page.replace("covered until ", "covered until")
