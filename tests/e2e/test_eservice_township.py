"""申辦公所加保、轉出、停保、復保 in the browser: 張淑芬 (category 6 at 新北市板橋區公所) signs
in to the e-services with her NHI card, applies to suspend her cover before a stay abroad
(a stay too short is refused first), NHIA staff approve it in /staff/, and she sees the
suspended period in her enrolment history and the departure month's bill withdrawn."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from healthbank.core.months import add_months, month_end
from healthbank.identity.services import register_at_counter
from healthbank.identity.tests.cardhelpers import PASSWORD
from healthbank.people.models import Enrolment, Person, PremiumBill
from healthbank.township.models import TownshipApplication
from tests.e2e.steps import eservice_sign_in, give_reason, latest_notice_text, staff_sign_in

ZHANG = "E223456785"
STAFF_PASSWORD = "a long reviewer password"  # noqa: S105 - test password


def roc(day: dt.date) -> str:
    return f"{day.year - 1911:03d}/{day:%m/%d}"


def test_zhang_suspends_before_going_abroad_and_staff_approve(page, live_server, personas):
    zhang = Person.objects.get(national_id=ZHANG)
    register_at_counter(person=zhang, password=PASSWORD, staff_id=1)
    today = timezone.localdate()
    departure = today + dt.timedelta(days=5)
    month = departure.replace(day=1)
    # The departure month's bill was already issued (as a billing run may issue it early).
    office = Enrolment.objects.filter(person=zhang).latest("start_date").unit
    PremiumBill.objects.update_or_create(
        person=zhang,
        month=month,
        defaults={
            "unit": office,
            "category": 6,
            "insured_amount": 0,
            "dependants": 0,
            "amount": 826,
            "due_date": month_end(add_months(month, 1)),
        },
    )

    page.goto("/eservice/login/")
    eservice_sign_in(page, ZHANG, password=PASSWORD)
    page.locator("a[href='/eservice/township/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申辦公所加保、轉出、停保、復保")
    main = page.locator("main")
    expect(main).to_contain_text("新北市板橋區公所")
    expect(main).to_contain_text("您目前未停保，無須復保。")
    page.get_by_role("link", name="出國停保").click()

    # A stay of five months is not one to suspend for: explained, nothing filed.
    page.get_by_label("出國日期").fill(departure.isoformat())
    page.get_by_label("預定返國日期").fill(add_months(departure, 5).isoformat())
    page.get_by_role("button", name="送出申請").click()
    expect(main).to_contain_text("預定出國六個月以上者始得停保")
    assert not TownshipApplication.objects.exists()

    page.get_by_label("出國日期").fill(departure.isoformat())
    page.get_by_label("預定返國日期").fill(add_months(departure, 9).isoformat())
    page.get_by_label("給審核人員的說明（選填）").fill("赴美國照顧孫子")
    page.get_by_role("button", name="送出申請").click()
    expect(page).to_have_url(re.compile(r"/eservice/township/[0-9]+/$"))
    expect(main).to_contain_text("您的申請已送出")
    expect(main).to_contain_text("審核中")
    page.goto("/eservice/billing/unpaid/")
    expect(page.locator("main")).to_contain_text(roc(month)[:6])  # still owed before approval

    # NHIA staff approve it in the queue.
    reviewer = get_user_model().objects.create_user(
        "reviewer", password=STAFF_PASSWORD, is_staff=True
    )
    reviewer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="township",
            codename__in=["view_townshipapplication", "change_townshipapplication"],
        )
    )
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.goto("/staff/township/townshipapplication/")
    staff_sign_in(page, "reviewer", STAFF_PASSWORD)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("張淑芬")
    rows.first.locator("a").first.click()
    give_reason(page)
    review = page.locator("#application-review")
    expect(review).to_contain_text("Suspend while abroad")
    expect(review).to_contain_text("赴美國照顧孫子")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved")

    # She sees the suspended period and the bills following it.
    page.context.clear_cookies()
    page.goto("/eservice/login/")
    eservice_sign_in(page, ZHANG, password=PASSWORD)
    page.goto("/eservice/services/enrolment/")
    current = page.locator("table.data tbody tr").first
    expect(current).to_contain_text("新北市板橋區公所")
    expect(current).to_contain_text(roc(departure - dt.timedelta(days=1)))
    expect(current).to_contain_text("出國停保")
    expect(current).to_contain_text("停保")

    page.goto("/eservice/township/")
    page.locator("a[href^='/eservice/township/'][href$='/']").filter(has_text="/").first.click()
    expect(main).to_contain_text("核准")
    expect(main).to_contain_text(f"自{roc(departure)}當月起不再計收保險費")
    expect(main).to_contain_text(f"已撤銷的保險費月份: {roc(month)[:6]}")
    assert not PremiumBill.objects.filter(person=zhang, month__gte=month).exists()
    page.goto("/eservice/billing/unpaid/")
    expect(page.locator("main")).not_to_contain_text(roc(month)[:6])
    # ... and the notice NHIA sends says so.
    notice = latest_notice_text(page, zhang, "enrolment")
    assert "起因出國停保" in notice and "不再計收保險費的月份" in notice
