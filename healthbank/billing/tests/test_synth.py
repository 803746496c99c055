"""The seeded billing data: the personas the README names, and the same rows for a seed."""

from __future__ import annotations

from django.utils import timezone

from healthbank.billing import selectors
from healthbank.billing.models import BillDelivery, Notice, SupplementaryBill
from healthbank.billing.rules import SUPPLEMENTARY_RATE


def test_huang_owes_five_months_and_was_reminded(huang):
    overdue = [u for u in selectors.unpaid_bills(huang, timezone.localdate()) if u.overdue]
    assert len(overdue) >= 5
    notice = Notice.objects.get(person=huang, kind=Notice.Kind.ARREARS)
    assert len(notice.facts["months"]) == 5


def test_chen_has_e_bills(chen):
    assert selectors.delivery_of(chen).method == "ebill"


def test_lee_has_supplementary_bills_at_the_rate(lee):
    for bill in SupplementaryBill.objects.filter(person=lee):
        assert bill.amount == round(bill.paid_out * SUPPLEMENTARY_RATE)


def test_only_the_named_personas_have_billing_rows(personas):
    names = set(BillDelivery.objects.values_list("person__national_id", flat=True)) | set(
        SupplementaryBill.objects.values_list("person__national_id", flat=True)
    )
    assert names == {"A123456789", "H123456786"}


def test_seeded_notices_carry_the_registered_address_they_went_to(huang):
    from healthbank.people.addresses import postal_address

    notice = Notice.objects.get(person=huang, kind=Notice.Kind.ARREARS)
    assert notice.facts["postal_address"] == str(postal_address(huang))
    assert not Notice.objects.filter(facts__postal_address__isnull=True).exists()
