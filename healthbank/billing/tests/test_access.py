"""Every billing page: the owner gets it, a signed-out client goes to the sign-in, and a URL
naming another person's row is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from healthbank.billing import selectors, services
from healthbank.billing.models import Notice, SupplementaryBill
from healthbank.billing.tests.helpers import CHEN, HUANG, LEE, signed_in

MAIN_PAGES = ["unpaid", "ebill", "delivery", "transfers", "notices", "address", "debit"]


@pytest.mark.parametrize("name", MAIN_PAGES + ["transfers_pdf"])
def test_signed_out_people_go_to_the_sign_in(client, personas, name):
    url = reverse(f"billing:{name}")
    assert client.get(url)["Location"] == f"/eservice/login/?next={url}"


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_the_owner_gets_each_page_in_both_languages(client, huang, name):
    for language, word in (("zh-hant", "健保"), ("en", "NHI")):
        signed_in(client, HUANG, language)
        response = client.get(reverse(f"billing:{name}"))
        assert response.status_code == 200
        assert (
            response.headers["Cache-Control"].startswith("max-age=0")
            or "no-cache" in (response.headers["Cache-Control"])
        )
        assert "黃冠宇" in response.content.decode() or word in response.content.decode()


def _huang_rows(huang):
    today = timezone.localdate()
    bill = selectors.unpaid_bills(huang, today)[0].bill
    ids = [u.bill.pk for u in selectors.plannable_bills(huang, today)]
    plan = services.apply_instalments(person=huang, bill_ids=ids[:-1], count=2)
    notice = Notice.objects.filter(person=huang).first()
    return {
        "billing:unpaid_slip": [ids[-1]],
        "billing:unpaid_plan": [plan.pk],
        "billing:unpaid_plan_slip": [plan.pk, 1],
        "billing:ebill_pdf": [selectors.latest_bill(huang).pk],
        "billing:notices_pdf": [notice.pk],
    }, bill


def test_rows_of_another_person_are_404_and_the_owners_are_served(client, huang, lee):
    rows, _ = _huang_rows(huang)
    supplementary = SupplementaryBill.objects.filter(person=lee).first()
    signed_in(client, CHEN)
    for name, args in rows.items():
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert (
        client.get(reverse("billing:transfers_supplementary", args=[supplementary.pk])).status_code
        == 404
    )
    signed_in(client, HUANG)
    for name, args in rows.items():
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    signed_in(client, LEE)
    response = client.get(reverse("billing:transfers_supplementary", args=[supplementary.pk]))
    assert response["Content-Type"] == "application/pdf"


def test_a_paid_bill_has_no_slip(client, huang):
    paid = huang.premium_bills.filter(payments__isnull=False).first()
    signed_in(client, HUANG)
    assert client.get(reverse("billing:unpaid_slip", args=[paid.pk])).status_code == 404


def test_row_urls_of_no_row_are_404(client, huang):
    signed_in(client, HUANG)
    for name, args in (
        ("billing:unpaid_slip", [999999]),
        ("billing:unpaid_plan", [999999]),
        ("billing:notices_pdf", [999999]),
        ("billing:transfers_supplementary", [999999]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
