"""通訊地址變更: a new mailing address ends the one in use, takes effect at once (the next
notice goes there), is confirmed by a notice and an e-mail; going back to the registered
address; bad input refused in both languages with nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from healthbank.audit.models import AuditEvent
from healthbank.billing import services
from healthbank.billing.models import Notice
from healthbank.billing.services import BillingRefused
from healthbank.billing.tests.helpers import CHEN, HUANG, pdf_text, signed_in
from healthbank.people.addresses import current_mailing_address, postal_address
from healthbank.people.models import MailingAddress, Village
from healthbank.vcard.tests.helpers import run_tasks

ADDRESS = reverse("billing:address")
TAIPEI = "63000"


def villages():
    """Two villages of one Taipei district, and one of another county's."""
    first = Village.objects.filter(township__county_id=TAIPEI).order_by("code").first()
    second = (
        Village.objects.filter(township=first.township)
        .exclude(pk=first.pk)
        .order_by("code")
        .first()
    )
    elsewhere = Village.objects.exclude(township__county_id=TAIPEI).order_by("code").first()
    return first, second, elsewhere


def posted(where, **changes):
    township = where.township
    return {
        "county": township.county_id,
        "township": township.pk,
        "village": where.pk,
        "neighbourhood": "5",
        "street_address": "忠孝東路一段1號3樓",
    } | changes


def test_a_new_address_ends_the_one_in_use_and_post_goes_there(huang):
    first, second, _ = villages()
    one = services.change_mailing_address(
        person=huang, village=first, neighbourhood=None, street_address="中山路1號"
    )
    two = services.change_mailing_address(
        person=huang, village=second, neighbourhood=7, street_address="  中山路 2號  "
    )
    one.refresh_from_db()
    assert one.until == two.since and two.until is None
    assert two.street_address == "中山路 2號"
    assert current_mailing_address(huang) == two
    postal = postal_address(huang)
    assert postal.is_mailing and postal.address == two.address and "7鄰" in postal.address
    assert AuditEvent.objects.filter(person=huang, action="address.changed").count() == 2
    notice = Notice.objects.filter(person=huang, kind=Notice.Kind.ADDRESS).latest("pk")
    assert notice.facts["postal_address"] == str(postal)
    with pytest.raises(BillingRefused) as refused:
        services.change_mailing_address(
            person=huang, village=second, neighbourhood=7, street_address="中山路 2號"
        )
    assert refused.value.code == "address_unchanged"


def test_going_back_to_the_registered_address(huang):
    first, _, _ = villages()
    row = services.change_mailing_address(
        person=huang, village=first, neighbourhood=None, street_address="中山路1號"
    )
    services.use_registered_address(person=huang)
    row.refresh_from_db()
    assert row.until is not None and current_mailing_address(huang) is None
    postal = postal_address(huang)
    assert not postal.is_mailing and postal.address == huang.household.address
    notice = Notice.objects.filter(person=huang, kind=Notice.Kind.ADDRESS).latest("pk")
    assert notice.facts["registered"] and notice.facts["postal_address"] == str(postal)
    with pytest.raises(BillingRefused) as refused:
        services.use_registered_address(person=huang)
    assert refused.value.code == "no_mailing_address"


def test_the_page_changes_the_address_and_the_worker_mails_both_languages(
    client, huang, django_capture_on_commit_callbacks, mailoutbox
):
    first, _, _ = villages()
    signed_in(client, HUANG)
    page = client.get(ADDRESS).content.decode()
    assert huang.household.address in page and "data-divisions" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADDRESS, posted(first))
    assert response.status_code == 302
    row = current_mailing_address(huang)
    assert row.village == first and row.neighbourhood == 5
    run_tasks()
    [mail] = [m for m in mailoutbox if "通訊地址" in m.subject]
    assert "mailing address" in mail.subject and row.address in mail.body
    assert "通訊地址已變更" in mail.body and "Your mailing address has changed" in mail.body
    page = client.get(ADDRESS).content.decode()
    assert row.address in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADDRESS, {"action": "registered"})
    assert current_mailing_address(huang) is None


def test_the_next_notice_shows_the_new_address_on_the_page_and_the_pdf(client, huang):
    first, _, _ = villages()
    signed_in(client, HUANG)
    client.post(ADDRESS, posted(first))
    row = current_mailing_address(huang)
    notice = Notice.objects.filter(person=huang).latest("pk")
    assert client.get(reverse("billing:notices")).content.decode().count(row.address) == 1
    text = pdf_text(client.get(reverse("billing:notices_pdf", args=[notice.pk])).content)
    assert "寄送地址" in text and row.street_address in text


def _other_township_village(village):
    return (
        Village.objects.filter(township__county_id=village.township.county_id)
        .exclude(township=village.township)
        .order_by("code")
        .first()
    )


CASES = {
    "no_county": (lambda v, e: posted(v, county=""), "縣市", "county"),
    "no_township": (lambda v, e: posted(v, township=""), "鄉鎮市區", "township"),
    "no_village": (lambda v, e: posted(v, village=""), "村里", "village"),
    "township_elsewhere": (
        lambda v, e: posted(v, township=e.township.pk, village=e.pk),
        "鄉鎮市區",
        "township",
    ),
    "village_elsewhere": (
        lambda v, e: posted(v, village=_other_township_village(v).pk),
        "村里",
        "village",
    ),
    "no_street": (lambda v, e: posted(v, street_address="   "), "街道地址", "street address"),
    "long_street": (lambda v, e: posted(v, street_address="路" * 101), "100", "100"),
    "neighbourhood": (lambda v, e: posted(v, neighbourhood="0"), "鄰", "neighbourhood"),
    "neighbourhood_text": (lambda v, e: posted(v, neighbourhood="五"), "鄰", "neighbourhood"),
}


@pytest.mark.parametrize("language", ["zh-hant", "en"])
@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_in_both_languages_and_nothing_is_written(
    client, huang, case, language
):
    first, _, elsewhere = villages()
    make, zh, en = CASES[case]
    notices = Notice.objects.count()
    signed_in(client, HUANG, language)
    response = client.post(ADDRESS, make(first, elsewhere))
    assert response.status_code == 400
    errors = " ".join(str(e) for field in response.context["form"].errors.values() for e in field)
    assert (zh if language == "zh-hant" else en) in errors.lower()
    assert not MailingAddress.objects.exists()
    assert Notice.objects.count() == notices
    assert not AuditEvent.objects.filter(action="address.changed").exists()


def test_another_person_does_not_see_the_address(client, huang):
    first, _, _ = villages()
    services.change_mailing_address(
        person=huang, village=first, neighbourhood=None, street_address="秘密路9號"
    )
    signed_in(client, CHEN)
    assert "秘密路9號" not in client.get(ADDRESS).content.decode()


@pytest.mark.parametrize("neighbourhood", [0, -1, 100])
def test_a_neighbourhood_out_of_range_is_refused_in_both_languages(huang, neighbourhood):
    from django.utils import translation

    first, _, _ = villages()
    with pytest.raises(BillingRefused) as refused:
        services.change_mailing_address(
            person=huang, village=first, neighbourhood=neighbourhood, street_address="中山路1號"
        )
    assert refused.value.code == "bad_neighbourhood"
    with translation.override("zh-hant"):
        assert "鄰" in refused.value.message
    with translation.override("en"):
        assert "neighbourhood is a number from 1 to 99" in refused.value.message
    assert not MailingAddress.objects.filter(person=huang).exists()
