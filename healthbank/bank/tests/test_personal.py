"""個人專區: insurance status, NHI card records, premiums, allergies and care wishes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from healthbank.people.models import (
    CardIssuance,
    Enrolment,
    InsuredUnit,
    NhiCard,
    Person,
    PremiumBill,
    PremiumPayment,
)
from healthbank.records.models import Allergy, CareWish, Provider
from healthbank.records.rules import insurance_window
from healthbank.records.tests.factories import AllergyFactory, CareWishFactory
from tests.fixtures.personas import CHEN, CHEN_WIFE, LIN, LIN_DAUGHTER, WU

pytestmark = pytest.mark.django_db

PAGES = ("insurance", "cards", "premiums", "allergies", "wishes")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def page(client, name: str) -> str:
    response = client.get(reverse(f"bank:{name}"))
    assert response.status_code == 200
    return response.content.decode()


def add_allergy(person: Person, substance: str, day: dt.date, n: int) -> Allergy:
    provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("pk").first()
    return AllergyFactory(
        person=person,
        provider=provider,
        source_id=f"T{person.pk}-{n}",
        recorded_on=day,
        substance=substance,
        physician="王大明",
    )


def add_wish(person: Person, kind: str, signed: dt.date, revoked: dt.date | None = None):
    agency = Provider.objects.filter(kind=Provider.Kind.AGENCY).order_by("pk").first()
    return CareWishFactory(
        person=person,
        provider=agency,
        source_id=f"W{person.pk}-{kind}",
        kind=kind,
        signed_on=signed,
        noted_on=signed + dt.timedelta(days=20),
        revoked_on=revoked,
    )


# --- 健保投保資料專區 -----------------------------------------------------------------------


def test_insurance_shows_the_current_enrolment(client, sign_in):
    chen = sign_in(english(client), CHEN)
    current = Enrolment.objects.get(person=chen, end_date__isnull=True)
    html = page(client, "insurance")
    assert "Insured (as the insured person)" in html
    assert current.unit.name in html
    assert f"NT$ {current.insured_amount:,}" in html
    assert current.start_date.isoformat() in html
    assert current.get_category_display() in html
    assert "陳○明" in html  # the name masked as on the seed's page
    assert "0800-030598" in html


def test_insurance_dates_are_roc_in_chinese(client, sign_in):
    chen = sign_in(client, CHEN)
    start = Enrolment.objects.get(person=chen, end_date__isnull=True).start_date
    html = page(client, "insurance")
    assert f"{start.year - 1911:03d}/{start.month:02d}/{start.day:02d}" in html


def test_dependant_sees_whom_they_depend_on_and_that_persons_unit(client, sign_in):
    sign_in(english(client), CHEN_WIFE)
    chen = Person.objects.get(national_id=CHEN)
    unit = Enrolment.objects.get(person=chen, end_date__isnull=True).unit
    html = page(client, "insurance")
    assert "Insured (as a dependant of 陳○明, Spouse)" in html
    assert unit.name in html


def test_insurance_history_lists_only_enrolments_of_the_last_year(client, sign_in):
    chen = sign_in(client, CHEN)
    window = insurance_window(timezone.localdate())
    current = Enrolment.objects.get(person=chen, end_date__isnull=True)
    ended_in_window = InsuredUnit.objects.create(
        code="900000001", name="近期離職公司", kind="employer"
    )
    ended_long_ago = InsuredUnit.objects.create(
        code="900000002", name="很久以前公司", kind="employer"
    )
    for unit, end in (
        (ended_in_window, window.start),
        (ended_long_ago, window.start - dt.timedelta(days=1)),
    ):
        Enrolment.objects.create(
            person=chen,
            role="insured",
            relation="self",
            unit=unit,
            category=1,
            insured_amount=30300,
            start_date=end - dt.timedelta(days=300),
            end_date=end,
            status="withdrawn",
        )
    html = page(client, "insurance")
    assert "近期離職公司" in html and "很久以前公司" not in html
    assert current.unit.name in html


def test_not_insured_shows_the_empty_state(client, sign_in):
    wu = sign_in(english(client), WU)
    Enrolment.objects.filter(person=wu).update(
        end_date=timezone.localdate() - dt.timedelta(days=3), status="withdrawn"
    )
    html = page(client, "insurance")
    assert "You are not insured at present." in html
    assert "Withdrawn" in html  # still in the year's history


# --- 健保卡狀況及領卡紀錄 ---------------------------------------------------------------------


def test_cards_show_the_masked_card_and_every_issuance(client, sign_in):
    lin = sign_in(english(client), LIN)
    card = NhiCard.objects.get(person=lin, status="valid")
    issuances = CardIssuance.objects.filter(person=lin).select_related("card")
    assert issuances.count() == 2
    html = page(client, "cards")
    assert str(card) in html and card.number not in html
    assert card.issued_on.isoformat() in html
    for issuance in issuances:
        assert issuance.get_reason_display() in html
        assert issuance.applied_on.isoformat() in html
        assert issuance.issued_on.isoformat() in html
        assert str(issuance.card) in html
    assert html.count("<tr>") - 1 == 2  # the header row and one row per issuance


def test_cards_without_a_valid_card_say_how_to_get_one(client, sign_in):
    wu = sign_in(english(client), WU)
    NhiCard.objects.filter(person=wu).update(status="lost")
    assert "You have no valid NHI card" in page(client, "cards")


# --- 保費計費明細 / 保險費繳納明細 -------------------------------------------------------------


def test_premiums_list_the_years_bills_payments_and_totals(client, sign_in):
    chen = sign_in(english(client), CHEN)
    window = insurance_window(timezone.localdate())
    bills = PremiumBill.objects.filter(person=chen, month__gte=window.start)
    payments = PremiumPayment.objects.filter(person=chen, paid_on__gte=window.start)
    billed = bills.aggregate(total=Sum("amount"))["total"]
    paid = payments.aggregate(total=Sum("amount"))["total"]
    assert bills.count() >= 11 and billed > 0

    response = client.get(reverse("bank:premiums"))
    html = response.content.decode()
    assert f"NT$ {billed:,}" in html and f"NT$ {paid:,}" in html
    latest = bills.latest("month")
    assert latest.unit.name in html and latest.due_date.isoformat() in html
    assert f"{latest.month:%Y-%m}" in html
    table = html[html.index('class="data premium-bills"') : html.index("</table>")]
    assert table.count("<tr") == 1 + bills.count() + 1  # header, one per month, total

    spec = response.context["spec"]
    assert spec["type"] == "bar"
    assert spec["datasets"][0]["data"] == [b.amount for b in bills.order_by("month")]
    assert 'data-chart="premium-chart-data"' in html


def test_an_unpaid_bill_is_marked(client, sign_in):
    chen = sign_in(english(client), CHEN)
    bill = PremiumBill.objects.filter(person=chen).latest("month")
    bill.payments.all().delete()
    html = page(client, "premiums")
    assert html.count('class="unpaid"') == 1
    assert "Some months are not paid yet" in html


def test_a_dependants_premiums_are_billed_to_the_insured(client, sign_in):
    sign_in(english(client), CHEN_WIFE)
    html = page(client, "premiums")
    assert "your premium is billed to 陳○明" in html


# --- 過敏資料 --------------------------------------------------------------------------------


def test_allergies_since_2015_with_the_uploading_provider(client, sign_in):
    chen = sign_in(english(client), CHEN)
    shown = add_allergy(chen, "Metoclopramide INJ 10mg/2mL", dt.date(2025, 11, 12), 1)
    add_allergy(chen, "Procaterol TAB 25mcg", dt.date(2014, 12, 31), 2)
    html = page(client, "allergies")
    assert "Metoclopramide INJ 10mg/2mL" in html and "Procaterol" not in html
    assert shown.provider.name in html and shown.provider.phone in html
    assert shown.provider.address in html and "王大明" in html
    assert "2025-11-12" in html
    assert "2015-01-01" in html  # the period since the data were collected
    assert "24 to 48 hours" in html


def test_allergies_empty_state(client, sign_in):
    sign_in(english(client), WU)
    assert "No provider has uploaded an allergy" in page(client, "allergies")


# --- 器捐或安寧緩和醫療意願 ------------------------------------------------------------------


def test_wishes_show_kind_dates_and_revocation(client, sign_in):
    chen = sign_in(english(client), CHEN)
    add_wish(chen, CareWish.Kind.ORGAN_DONATION, dt.date(2018, 3, 1))
    add_wish(chen, CareWish.Kind.HOSPICE, dt.date(2019, 5, 2), revoked=dt.date(2024, 1, 5))
    html = page(client, "wishes")
    assert "Organ donation" in html and "Hospice and palliative care" in html
    assert "2018-03-01" in html and "2018-03-21" in html
    assert "Revoked on 2024-01-05" in html and "In force" in html
    assert "MOHW" in html


def test_wishes_empty_state(client, sign_in):
    sign_in(english(client), WU)
    assert "No organ-donation or hospice wish" in page(client, "wishes")


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_another_person_never_sees_the_owners_rows(client, sign_in, outsider, name):
    chen = Person.objects.get(national_id=CHEN)
    add_allergy(chen, "Chen-only allergen", dt.date(2024, 1, 2), 1)
    add_wish(chen, CareWish.Kind.NO_CPR, dt.date(2020, 1, 2))
    chen_unit = Enrolment.objects.get(person=chen, end_date__isnull=True).unit.name
    html = english(outsider).get(reverse(f"bank:{name}")).content.decode()
    for owners in (chen_unit, "Chen-only allergen", "Do not resuscitate", "陳○明"):
        assert owners not in html


def test_parent_sees_the_childs_insurance_and_cards(client, sign_in):
    sign_in(english(client), LIN)
    daughter = Person.objects.get(national_id=LIN_DAUGHTER)
    client.post(reverse("bank:switch"), {"person": daughter.pk})
    html = page(client, "insurance")
    assert "Insured (as a dependant of 林○婷, Child)" in html
    assert "王○妤" in html
    card = NhiCard.objects.get(person=daughter, status="valid")
    assert str(card) in page(client, "cards")
    assert "your premium is billed to 林○婷" in page(client, "premiums")


@pytest.mark.parametrize("name", PAGES)
def test_pages_use_a_bounded_number_of_queries(
    client, sign_in, django_assert_max_num_queries, name
):
    chen = sign_in(client, CHEN)
    for n in range(5):
        add_allergy(chen, f"Allergen {n}", dt.date(2020, 1, 1 + n), n)
    with django_assert_max_num_queries(12):  # the portal frame's 8 and the page's 2 or 3
        client.get(reverse(f"bank:{name}"))
