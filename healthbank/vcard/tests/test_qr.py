"""One-time QR codes (seed 004: 一次性授權QR Code時效性為5分鐘, 超過時效或使用過即失效): shown
by the holder or a delegate, verified once by an accepting clinic, void after 5 minutes,
after use, or when a newer code is shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.vcard import qr, services
from healthbank.vcard.models import QrToken
from healthbank.vcard.services import VcardError


def refused(expected: str, call, /, *args, **kwargs) -> VcardError:
    with pytest.raises(VcardError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == expected, caught.value.message
    return caught.value


def test_a_clinic_reads_the_card_once_and_the_code_is_then_void(family, card_for):
    card_for(family.parent)
    token, _row = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)

    read = services.verify_qr(provider=family.clinic, token=token)

    assert read.person == family.parent
    assert read.enrolment is not None and read.enrolment.status == "active"
    assert read.basis == "self" and read.presented_by == family.parent
    refused("qr_used", services.verify_qr, provider=family.clinic, token=token)
    refused("qr_used", services.verify_qr, provider=family.other_clinic, token=token)
    event = AuditEvent.objects.get(action="vcard.verified")
    assert (event.person, event.actor, event.actor_id) == (
        family.parent,
        "provider",
        family.clinic.pk,
    )


def test_the_code_expires_after_five_minutes(family, card_for, clock):
    card_for(family.parent)
    late, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    clock.forward(minutes=5)
    refused("qr_expired", services.verify_qr, provider=family.clinic, token=late)

    in_time, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    clock.forward(minutes=4, seconds=59)
    assert services.verify_qr(provider=family.clinic, token=in_time).person == family.parent


def test_showing_a_new_code_voids_the_one_before(family, card_for):
    """A screenshot of an earlier code is worthless once the holder has shown a new one."""
    card_for(family.parent)
    first, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    second, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)

    refused("qr_expired", services.verify_qr, provider=family.clinic, token=first)
    assert services.verify_qr(provider=family.clinic, token=second).person == family.parent


def test_forged_garbled_and_foreign_codes_are_refused(family, card_for, settings):
    card_for(family.parent)
    token, row = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    prefix, payload, signature = token.split(".")
    forged = f"{prefix}.{payload}.{'A' * len(signature)}"

    for bad in (forged, "hello", "", token[:-3], "HBVC1.!!.!!", token + "." + token):
        refused("qr_invalid", services.verify_qr, provider=family.clinic, token=bad)

    settings.SECRET_KEY = "another deployment's key " * 3
    foreign, _ = qr.sign(timezone.now() + dt.timedelta(minutes=5))
    settings.SECRET_KEY = "yet another key " * 4
    refused("qr_invalid", services.verify_qr, provider=family.clinic, token=foreign)
    assert QrToken.objects.get(pk=row.pk).used_at is None  # nothing was used up


def test_no_card_or_someone_elses_card_gives_no_code(family, card_for):
    with pytest.raises(Http404):
        services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
    card_for(family.parent)
    for stranger in (family.outsider, family.spouse):
        with pytest.raises(Http404):
            services.issue_qr(presenter=stranger, owner_id=family.parent.pk)
    assert not QrToken.objects.exists()


def test_a_child_under_15_is_shown_by_the_parent_until_the_15th_birthday(family, card_for, clock):
    """未滿15歲子女 ... 自動授權予所依附投保之父或母, 至子女滿15歲為止."""
    card_for(family.child, applicant=family.parent)
    born = family.child.birth_date
    birthday = timezone.make_aware(
        dt.datetime.combine(born.replace(year=born.year + 15), dt.time())
    )

    clock.to(birthday - dt.timedelta(minutes=2))
    token, row = services.issue_qr(presenter=family.parent, owner_id=family.child.pk)
    assert row.basis == "child"
    assert row.expires_at == birthday  # the code does not outlive the rule
    assert services.verify_qr(provider=family.clinic, token=token).presented_by == family.parent

    clock.to(birthday)
    with pytest.raises(Http404):
        services.issue_qr(presenter=family.parent, owner_id=family.child.pk)
    with pytest.raises(Http404):  # the other parent was never the one she is insured under
        services.issue_qr(presenter=family.spouse, owner_id=family.child.pk)


def test_a_dependant_card_is_shown_by_the_member_who_applied(family, card_for):
    """依附眷屬: a household member without a phone; the applicant shows the card."""
    card_for(family.spouse, applicant=family.parent)
    token, row = services.issue_qr(presenter=family.parent, owner_id=family.spouse.pk)
    assert row.basis == "dependant"
    assert services.verify_qr(provider=family.clinic, token=token).person == family.spouse
