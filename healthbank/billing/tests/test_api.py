"""Premiums and the mailing address in the app (/api/v1/counter/): 黃冠宇's unpaid months with
what he owes and a bill's slip, the address changed with the website's form and service
(audited once, a notice), another person's token gets 404 for a bill, bad input refused in
both languages with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from healthbank.api.tests.apphelpers import app_sign_in, get, post
from healthbank.audit.models import AuditEvent
from healthbank.billing.models import Notice
from healthbank.billing.tests.helpers import CHEN, HUANG
from healthbank.billing.tests.test_address import villages
from healthbank.people.addresses import current_mailing_address
from healthbank.people.models import MailingAddress, PremiumBill, PremiumPayment


@pytest.fixture
def huang_token(huang) -> str:
    return app_sign_in(HUANG)


@pytest.fixture
def chen_token(chen) -> str:
    return app_sign_in(CHEN)


def test_premiums_show_the_months_owed_and_their_total(client, huang, huang_token):
    body = get(client, "/counter/premiums", huang_token).json()
    assert body["unpaid"], "黃冠宇 owes months (synth)"
    assert body["total"] == sum(b["owed"] for b in body["unpaid"])
    assert body["overdue_total"] == sum(b["owed"] for b in body["unpaid"] if b["overdue"])
    assert body["latest"] is not None
    read = AuditEvent.objects.filter(person=huang, action=AuditEvent.Action.RECORDS_READ)
    assert read.latest("pk").detail["page"] == "app:billing:unpaid"


def test_a_bills_slip_is_the_owners_only(client, huang_token, chen_token):
    bill = next(
        b
        for b in get(client, "/counter/premiums", huang_token).json()["unpaid"]
        if not b["in_plan"]
    )
    slip = get(client, f"/counter/premiums/bills/{bill['id']}/slip", huang_token)
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    other = get(client, f"/counter/premiums/bills/{bill['id']}/slip", chen_token)
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def _body(where, **changes) -> dict:
    township = where.township
    return {
        "county": township.county_id,
        "township": township.pk,
        "village": where.pk,
        "neighbourhood": 5,
        "street_address": "忠孝東路一段1號3樓",
    } | changes


def test_the_address_is_changed_with_the_websites_rules_and_audit(client, huang, huang_token):
    first, _second, _elsewhere = villages()
    before = Notice.objects.filter(person=huang, kind=Notice.Kind.ADDRESS).count()
    changed = post(client, "/counter/address", _body(first), huang_token)
    assert changed.status_code == 200, changed.json()
    assert changed.json()["mailing"].endswith("5鄰忠孝東路一段1號3樓")
    assert current_mailing_address(huang).village == first
    events = AuditEvent.objects.filter(person=huang, action=AuditEvent.Action.ADDRESS_CHANGED)
    assert events.count() == 1  # the service's; the app does not audit it again
    assert Notice.objects.filter(person=huang, kind=Notice.Kind.ADDRESS).count() == before + 1
    same = post(client, "/counter/address", _body(first), huang_token)
    assert same.status_code == 409 and same.json()["code"] == "address_unchanged"
    back = post(client, "/counter/address/registered", None, huang_token)
    assert back.status_code == 200 and back.json()["mailing"] is None


def test_bad_addresses_are_refused_in_both_languages_and_nothing_is_written(
    client, huang, huang_token
):
    first, _second, elsewhere = villages()
    # A village of another county's township: the website's form refuses it.
    mixed = post(client, "/counter/address", _body(first, village=elsewhere.pk), huang_token)
    assert mixed.status_code == 422 and mixed.json()["code"] == "invalid_village"
    no_street = post(client, "/counter/address", _body(first, street_address="  "), huang_token)
    assert no_street.json()["message"] == "請輸入街道地址：路（街）、門牌號碼及樓層。"
    en = post(client, "/counter/address", _body(first, neighbourhood=100), huang_token, "en")
    assert en.json() == {
        "code": "invalid_neighbourhood",
        "message": "The neighbourhood is a number from 1 to 99; leave it empty if none.",
    }
    assert not MailingAddress.objects.filter(person=huang).exists()


def test_one_years_transfers_by_its_path(client, huang, huang_token, chen_token):
    bills = list(PremiumBill.objects.filter(person=huang).order_by("month")[:2])
    for bill, year in zip(bills, (2024, 2025), strict=True):
        PremiumPayment.objects.create(
            person=huang, bill=bill, paid_on=dt.date(year, 6, 1), amount=bill.amount, method="bank"
        )
    latest = get(client, "/counter/premiums", huang_token).json()
    assert (latest["years"], latest["year"]) == ([2025, 2024], 2025)
    older = get(client, "/counter/premiums/paid/2024", huang_token).json()
    assert older["year"] == 2024 and [p["paid_on"] for p in older["payments"]] == ["2024-06-01"]
    # A year without transfers shows the latest one; another person never sees these.
    assert get(client, "/counter/premiums/paid/1900", huang_token).json()["year"] == 2025
    assert get(client, "/counter/premiums/paid/2024", chen_token).json()["payments"] == []
