"""院所發送授權請求 (seed 004): the clinic asks, the person agrees within 10 minutes in the
app, then the clinic may read the card for 1 hour; every read is in the person's audit log."""

from __future__ import annotations

import pytest
from django.http import Http404

from healthbank.audit.models import AuditEvent
from healthbank.vcard import selectors, services
from healthbank.vcard.tests.test_qr import refused


def ask(family, provider=None):
    return services.request_by_clinic(
        provider=provider or family.clinic, national_id=family.parent.national_id.lower()
    )


def test_agreed_within_ten_minutes_then_usable_for_one_hour(family, card_for, clock):
    card_for(family.parent)
    request = ask(family)
    assert ask(family).pk == request.pk  # asking again while it waits is the same request
    assert list(selectors.waiting_for(family.parent)) == [request]
    refused(
        "request_not_usable", services.use_by_clinic, provider=family.clinic, authorisation=request
    )

    clock.forward(minutes=9)
    services.agree(person=family.parent, authorisation_id=request.pk)
    clock.forward(minutes=59, seconds=59)
    request = services.clinic_request(provider=family.clinic, request_id=request.pk)
    read = services.use_by_clinic(provider=family.clinic, authorisation=request)
    assert read.person == family.parent and read.basis == "clinic"
    assert (
        AuditEvent.objects.filter(action="vcard.verified", actor_id=family.clinic.pk).count() == 1
    )

    clock.forward(seconds=1)
    assert request.state(clock.now) == "ended"
    refused(
        "request_not_usable", services.use_by_clinic, provider=family.clinic, authorisation=request
    )


def test_not_agreed_in_ten_minutes(family, card_for, clock):
    card_for(family.parent)
    request = ask(family)
    clock.forward(minutes=10)
    refused("lapsed", services.agree, person=family.parent, authorisation_id=request.pk)
    assert (
        services.clinic_request(provider=family.clinic, request_id=request.pk).state(clock.now)
        == "lapsed"
    )
    assert ask(family).pk != request.pk  # a new request may be sent


def test_declined_requests_are_never_usable(family, card_for):
    card_for(family.parent)
    request = ask(family)
    services.decline(person=family.parent, authorisation_id=request.pk)
    request = services.clinic_request(provider=family.clinic, request_id=request.pk)
    refused(
        "request_not_usable", services.use_by_clinic, provider=family.clinic, authorisation=request
    )


def test_only_accepting_clinics_ask(family, card_for):
    card_for(family.parent)
    refused("not_accepting", ask, family=family, provider=family.other_clinic)


def test_asking_about_someone_without_a_card_lapses_unanswered(family, clock):
    """Nobody can answer it, so it lapses as an unanswered request does (no enumeration)."""
    request = ask(family)
    assert request.grantor is None and request.state(clock.now) == "pending"
    assert ask(family).pk == request.pk
    assert list(selectors.waiting_for(family.parent)) == []
    clock.forward(minutes=10)
    assert request.state(clock.now) == "lapsed"
    assert ask(family).pk != request.pk


def test_a_clinic_sees_only_its_own_requests_and_only_the_person_answers(family, card_for):
    card_for(family.parent)
    request = ask(family)
    refused(
        "card_not_found",
        services.clinic_request,
        provider=family.other_clinic,
        request_id=request.pk,
    )
    for other in (family.spouse, family.outsider):
        with pytest.raises(Http404):
            services.agree(person=other, authorisation_id=request.pk)
