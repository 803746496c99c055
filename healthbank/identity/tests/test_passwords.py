"""Forgotten, reset and changed registration passwords (忘記註冊密碼, 變更註冊密碼)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db.models import F

from healthbank.audit.models import AuditEvent
from healthbank.identity import rules, services
from healthbank.identity.cards import CardRefused
from healthbank.identity.models import Account
from healthbank.identity.services import IdentityError
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    WIFE_CARD,
    card_proof,
    certificate_proof,
    household_fields,
    registered,
    seed_personas,
    token_in,
)
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh#2027"  # noqa: S105


@pytest.fixture
def chen() -> Account:
    seed_personas()
    account = registered(CHEN_ID, email="chen@example.com")
    mail.outbox.clear()
    return account


def code_of(call) -> str:
    with pytest.raises((IdentityError, CardRefused)) as refused:
        call()
    return refused.value.code


def request_reset(**kwargs) -> str:
    services.request_password_reset(proof=card_proof(CHEN_CARD), **kwargs)
    return token_in(mail.outbox[-1])


def sign_in(password: str) -> Account:
    return services.sign_in(
        method="password", national_id=CHEN_ID, card_number=CHEN_CARD, password=password
    )


# --- forgot password -------------------------------------------------------------------------


def test_the_reset_link_goes_to_the_registered_address(chen, settings):
    token = request_reset()

    [message] = mail.outbox
    assert message.to == ["chen@example.com"]
    assert "重設註冊密碼" in message.subject
    assert f"{settings.SITE_URL}/register/reset/{token}/" in message.body


def test_the_forgot_password_screen_shows_the_address_masked():
    assert services.masked_email("elaine@nhi.gov.tw") == "ela*****@nhi.gov.tw"


def test_a_new_address_needs_the_household_to_match(chen):
    person = Person.objects.get(national_id=CHEN_ID)

    token = request_reset(new_email="chen.new@example.com", **household_fields(person))

    chen.refresh_from_db()
    assert chen.email == "chen.new@example.com"
    assert mail.outbox[-1].to == ["chen.new@example.com"]
    assert services.reset_link(token).account == chen


def test_a_new_address_with_a_wrong_household_is_refused(chen):
    fields = household_fields(Person.objects.get(national_id=CHEN_ID)) | {"neighbourhood": 99}

    assert code_of(lambda: request_reset(new_email="thief@example.com", **fields)) == (
        "household_mismatch"
    )
    chen.refresh_from_db()
    assert chen.email == "chen@example.com"
    assert mail.outbox == []


def test_without_an_address_on_record_the_person_must_give_one(chen):
    Account.objects.filter(pk=chen.pk).update(email="")

    assert code_of(request_reset) == "no_email"


def test_someone_not_registered_cannot_reset():
    seed_personas()

    assert code_of(lambda: services.request_password_reset(proof=card_proof(WIFE_CARD))) == (
        "not_registered"
    )


def test_a_certificate_only_account_has_no_password_to_reset():
    seed_personas()
    services.sign_in(method="certificate", proof=certificate_proof(CHEN_ID))

    assert code_of(lambda: services.request_password_reset(proof=card_proof(CHEN_CARD))) == (
        "not_registered"
    )


# --- reset -------------------------------------------------------------------------------


def test_the_link_and_the_own_card_set_the_new_password(chen):
    token = request_reset()

    services.reset_password(token=token, proof=card_proof(CHEN_CARD), password=NEW_PASSWORD)

    assert sign_in(NEW_PASSWORD) == chen
    assert code_of(lambda: sign_in(PASSWORD)) == "invalid_login"
    assert "註冊密碼變更通知" in mail.outbox[-1].subject


def test_resetting_lifts_a_wrong_password_suspension(chen, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        code_of(lambda: sign_in("Wrong#pass1"))
    chen.refresh_from_db()
    assert chen.is_locked

    services.reset_password(
        token=request_reset(), proof=card_proof(CHEN_CARD), password=NEW_PASSWORD
    )

    chen.refresh_from_db()
    assert not chen.is_locked
    assert chen.failed_logins == 0
    assert sign_in(NEW_PASSWORD) == chen


def test_resetting_with_another_persons_card_is_refused(chen):
    token = request_reset()

    assert code_of(
        lambda: services.reset_password(
            token=token, proof=card_proof(WIFE_CARD), password=NEW_PASSWORD
        )
    ) == ("other_person")
    assert sign_in(PASSWORD) == chen
    services.reset_link(token)  # still usable by its owner


def test_a_reset_link_works_once(chen):
    token = request_reset()
    services.reset_password(token=token, proof=card_proof(CHEN_CARD), password=NEW_PASSWORD)

    assert code_of(
        lambda: services.reset_password(
            token=token, proof=card_proof(CHEN_CARD), password="Other#2028"
        )
    ) == ("link_invalid")


def test_a_reset_link_expires_after_five_days(chen):
    token = request_reset()
    by = rules.RESET_VALID_FOR + dt.timedelta(seconds=1)
    chen.links.update(created_at=F("created_at") - by, expires_at=F("expires_at") - by)

    assert code_of(lambda: services.reset_link(token)) == "link_expired"


def test_a_newer_reset_request_replaces_the_older_link(chen):
    old = request_reset()
    new = request_reset()

    assert code_of(lambda: services.reset_link(old)) == "link_invalid"
    assert services.reset_link(new).account == chen


def test_a_reset_link_does_not_confirm_a_registration(chen):
    token = request_reset()

    assert code_of(lambda: services.confirmation_link(token)) == "link_invalid"


# --- change password ---------------------------------------------------------------------


def test_changing_needs_the_current_password_and_is_audited(chen):
    assert code_of(
        lambda: services.change_password(
            account=chen,
            old_password="Wrong#pass1",
            new_password=NEW_PASSWORD,
            session="s1",
            address="198.51.100.7",
        )
    ) == ("password_again")

    assert sign_in(PASSWORD) == chen
    refused = AuditEvent.objects.get(person=chen.person, action=AuditEvent.Action.REAUTH_FAILED)
    assert refused.success is False
    assert refused.address == "198.51.100.7"
    assert refused.detail["purpose"] == "password_change"
    assert "Wrong#pass1" not in str(refused.detail)
    assert mail.outbox == []


def test_changing_with_the_current_password_mails_the_person(chen):
    services.change_password(
        account=chen, old_password=PASSWORD, new_password=NEW_PASSWORD, session="s1"
    )

    assert sign_in(NEW_PASSWORD) == chen
    assert mail.outbox[-1].to == ["chen@example.com"]
    assert AuditEvent.objects.filter(
        person=chen.person, action=AuditEvent.Action.PASSWORD_CHANGED, success=True
    ).exists()


def test_contact_data_changes_only_with_the_password(chen):
    assert code_of(
        lambda: services.update_account(
            account=chen, password="Wrong#pass1", email="x@x.tw", session="s1"
        )
    ) == ("password_again")

    services.update_account(
        account=chen, password=PASSWORD, email="chen@example.com", mobile="0912345678", session="s1"
    )

    chen.refresh_from_db()
    assert chen.mobile == "0912345678"
    event = AuditEvent.objects.get(person=chen.person, action=AuditEvent.Action.ACCOUNT_UPDATED)
    assert event.detail == {"fields": ["mobile"]}
