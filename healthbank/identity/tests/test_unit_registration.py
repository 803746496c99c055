"""An insured unit registers an employee (投保單位整批註冊, one accepted row): the employee
confirms with their own card and chooses the password within five days."""

from __future__ import annotations

import pytest
from django.core import mail

from healthbank.audit.models import AuditEvent
from healthbank.identity import services
from healthbank.identity.cards import CardRefused
from healthbank.identity.models import Account
from healthbank.identity.services import IdentityError
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    WIFE_CARD,
    card_proof,
    registered,
    seed_personas,
    token_in,
)
from healthbank.people.models import InsuredUnit, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def chen() -> Person:
    seed_personas()
    return Person.objects.get(national_id=CHEN_ID)


@pytest.fixture
def unit() -> InsuredUnit:
    return InsuredUnit.objects.create(
        code="987654321", name="健康&科技股份有限公司", kind=InsuredUnit.Kind.EMPLOYER
    )


def code_of(call) -> str:
    with pytest.raises((IdentityError, CardRefused)) as refused:
        call()
    return refused.value.code


def sign_in(password: str) -> Account:
    return services.sign_in(
        method="password", national_id=CHEN_ID, card_number=CHEN_CARD, password=password
    )


def test_the_unit_registers_a_pending_account_without_a_password(chen, unit):
    account = services.register_for_unit(
        person=chen, unit=unit, email="chen@example.com", mobile="0912345678"
    )

    account.refresh_from_db()
    assert account.status == Account.Status.PENDING
    assert account.channel == Account.Channel.EMPLOYER
    assert account.unit == unit
    assert account.mobile == "0912345678"
    assert not account.user.has_usable_password()
    event = AuditEvent.objects.get(person=chen, action=AuditEvent.Action.REGISTRATION_EMPLOYER)
    assert (event.actor, event.actor_id) == (AuditEvent.Actor.UNIT, unit.pk)


def test_the_employee_is_mailed_a_link_naming_the_unit(chen, unit, settings):
    services.register_for_unit(person=chen, unit=unit, email="chen@example.com")

    [message] = mail.outbox
    assert message.to == ["chen@example.com"]
    assert "健康&科技股份有限公司" in message.body
    assert f"{settings.SITE_URL}/register/confirm/{token_in(message)}/" in message.body
    assert "Dear 陳志明" in message.body


def test_the_employee_confirms_with_their_card_and_sets_the_password(chen, unit):
    services.register_for_unit(person=chen, unit=unit, email="chen@example.com")

    services.confirm_registration(
        token=token_in(mail.outbox[-1]), proof=card_proof(CHEN_CARD), password=PASSWORD
    )

    assert sign_in(PASSWORD).status == Account.Status.ACTIVE


def test_someone_else_cannot_confirm_for_the_employee(chen, unit):
    services.register_for_unit(person=chen, unit=unit, email="chen@example.com")
    token = token_in(mail.outbox[-1])

    assert code_of(
        lambda: services.confirm_registration(
            token=token, proof=card_proof(WIFE_CARD), password="Taken#over1"
        )
    ) == ("other_person")
    assert Account.objects.get(person=chen).status == Account.Status.PENDING


def test_resending_uses_the_units_wording(chen, unit):
    services.register_for_unit(person=chen, unit=unit, email="chen@example.com")

    services.resend_confirmation(proof=card_proof(CHEN_CARD))

    assert len(mail.outbox) == 2
    assert "健康&科技股份有限公司" in mail.outbox[-1].body


def test_a_pending_online_application_is_replaced_with_its_password(chen, unit):
    services.apply_online(person=chen, password=PASSWORD, email="old@example.com")
    old_token = token_in(mail.outbox[-1])

    account = services.register_for_unit(person=chen, unit=unit, email="chen@example.com")

    assert not account.user.has_usable_password()
    assert code_of(lambda: services.confirmation_link(old_token)) == "link_invalid"
    assert Account.objects.filter(person=chen).count() == 1


def test_someone_already_registered_is_refused(chen, unit):
    registered(CHEN_ID)

    assert code_of(
        lambda: services.register_for_unit(person=chen, unit=unit, email="new@example.com")
    ) == ("already_registered")
    account = Account.objects.get(person=chen)
    assert account.channel == Account.Channel.ONLINE
    assert account.email == "chen@example.com"
