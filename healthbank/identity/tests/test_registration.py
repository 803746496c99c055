"""Online registration (健保卡網路服務註冊): household check, application, the e-mailed
confirmation link, resend and delete."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.core.logging import MaskPersonalData
from healthbank.identity import rules, services
from healthbank.identity.cards import CardRefused
from healthbank.identity.models import Account, EmailLink
from healthbank.identity.services import IdentityError
from healthbank.identity.tests.cardhelpers import (
    CHEN_CARD,
    CHEN_ID,
    PASSWORD,
    WIFE_CARD,
    card_proof,
    household_fields,
    registered,
    seed_personas,
    token_in,
)
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db

EMAIL = "chen@example.com"


@pytest.fixture
def chen() -> Person:
    seed_personas()
    return Person.objects.select_related("household").get(national_id=CHEN_ID)


def apply(person: Person, **kwargs) -> tuple[Account, str]:
    """Apply online; the account and the token of the link in the confirmation e-mail."""
    kwargs = {"password": PASSWORD, "email": EMAIL} | kwargs
    account = services.apply_online(person=person, **kwargs)
    return account, token_in(mail.outbox[-1])


def code_of(call) -> str:
    with pytest.raises((IdentityError, CardRefused)) as refused:
        call()
    return refused.value.code


def age_links(account: Account, by: dt.timedelta) -> None:
    """Move the account's links into the past, as if `by` had gone by since they were sent."""
    account.links.update(created_at=F("created_at") - by, expires_at=F("expires_at") - by)


# --- step 2: the household ----------------------------------------------------------------


def test_the_card_holder_with_their_household_may_apply(chen):
    person = services.check_household(proof=card_proof(CHEN_CARD), **household_fields(chen))

    assert person == chen


@pytest.mark.parametrize(
    "change",
    [{"household_number": "F0000000"}, {"village_code": "63000010001"}, {"neighbourhood": 99}],
    ids=["number", "village", "neighbourhood"],
)
def test_a_household_that_does_not_match_the_registry_is_refused(chen, change):
    proof = card_proof(CHEN_CARD)
    fields = household_fields(chen) | change

    assert code_of(lambda: services.check_household(proof=proof, **fields)) == (
        "household_mismatch"
    )


def test_someone_already_registered_is_told_to_sign_in(chen):
    registered(CHEN_ID)
    proof = card_proof(CHEN_CARD)

    assert code_of(lambda: services.check_household(proof=proof, **household_fields(chen))) == (
        "already_registered"
    )
    assert code_of(lambda: apply(chen)) == "already_registered"


# --- step 3: the application ---------------------------------------------------------------


def test_applying_creates_a_pending_account_with_an_argon2_password(chen):
    account, _ = apply(chen, mobile="0912345678")

    account.refresh_from_db()
    assert account.status == Account.Status.PENDING
    assert account.channel == Account.Channel.ONLINE
    assert account.email == EMAIL
    assert account.mobile == "0912345678"
    assert account.user.password.startswith("argon2")
    assert account.user.check_password(PASSWORD)
    assert account.confirmed_at is None


def test_the_confirmation_mail_carries_the_link_in_both_languages(chen, settings):
    _, token = apply(chen, backup_email="chen.backup@example.com")

    [message] = mail.outbox
    assert message.to == [EMAIL, "chen.backup@example.com"]
    assert "健保卡網路服務註冊" in message.subject
    assert "please confirm" in message.subject
    assert "親愛的 陳志明 您好" in message.body
    assert "Dear 陳志明" in message.body
    assert f"{settings.SITE_URL}/register/confirm/{token}/" in message.body
    assert PASSWORD not in message.body


def test_only_a_hash_of_the_link_token_is_stored(chen):
    account, token = apply(chen)

    [link] = account.links.all()
    assert link.token_hash == EmailLink.hash(token)
    assert token not in link.token_hash


def test_the_link_completes_the_registration_once(chen):
    account, token = apply(chen)

    services.confirm_registration(token=token, proof=card_proof(CHEN_CARD))

    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert account.confirmed_at is not None
    assert account.card_verified_at is not None
    assert code_of(
        lambda: services.confirm_registration(token=token, proof=card_proof(CHEN_CARD))
    ) == ("link_invalid")


def test_completing_sends_the_completion_mail(chen, settings):
    _, token = apply(chen)

    services.confirm_registration(token=token, proof=card_proof(CHEN_CARD))

    completed = mail.outbox[-1]
    assert completed.to == [EMAIL]
    assert "完成通知信" in completed.subject
    assert "registration completed" in completed.subject
    assert f"{settings.SITE_URL}/login/" in completed.body


def test_the_link_expires_after_five_days(chen):
    account, token = apply(chen)
    age_links(account, rules.CONFIRMATION_VALID_FOR + dt.timedelta(seconds=1))

    assert code_of(lambda: services.confirmation_link(token)) == "link_expired"
    assert code_of(
        lambda: services.confirm_registration(token=token, proof=card_proof(CHEN_CARD))
    ) == ("link_expired")
    account.refresh_from_db()
    assert account.status == Account.Status.PENDING


def test_the_link_still_works_on_the_fifth_day(chen):
    account, token = apply(chen)
    age_links(account, rules.CONFIRMATION_VALID_FOR - dt.timedelta(hours=1))

    services.confirm_registration(token=token, proof=card_proof(CHEN_CARD))

    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE


@pytest.mark.parametrize("tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), str.upper])
def test_a_tampered_link_is_refused(chen, tamper):
    _, token = apply(chen)

    assert code_of(lambda: services.confirmation_link(tamper(token))) == "link_invalid"


def test_a_resent_mail_replaces_the_older_link(chen):
    _, old = apply(chen)

    services.resend_confirmation(proof=card_proof(CHEN_CARD))

    new = token_in(mail.outbox[-1])
    assert new != old
    assert len(mail.outbox) == 2
    assert code_of(lambda: services.confirmation_link(old)) == "link_invalid"
    services.confirm_registration(token=new, proof=card_proof(CHEN_CARD))


def test_resending_starts_five_new_days(chen):
    account, _ = apply(chen)
    age_links(account, rules.CONFIRMATION_VALID_FOR + dt.timedelta(days=1))

    services.resend_confirmation(proof=card_proof(CHEN_CARD))

    link = services.confirmation_link(token_in(mail.outbox[-1]))
    assert link.expires_at > timezone.now() + rules.CONFIRMATION_VALID_FOR - dt.timedelta(hours=1)


def test_resending_without_an_application_is_refused(chen):
    assert code_of(lambda: services.resend_confirmation(proof=card_proof(CHEN_CARD))) == (
        "no_application"
    )


def test_applying_again_replaces_the_earlier_link_and_address(chen):
    _, old = apply(chen)
    account, new = apply(chen, email="chen.new@example.com")

    assert Account.objects.filter(person=chen).count() == 1
    assert mail.outbox[-1].to == ["chen.new@example.com"]
    assert code_of(lambda: services.confirmation_link(old)) == "link_invalid"
    assert services.confirmation_link(new).account == account


def test_confirming_with_another_persons_card_is_refused(chen):
    account, token = apply(chen)

    assert code_of(
        lambda: services.confirm_registration(token=token, proof=card_proof(WIFE_CARD))
    ) == ("other_person")

    account.refresh_from_db()
    assert account.status == Account.Status.PENDING
    # The link stays usable by its owner.
    services.confirm_registration(token=token, proof=card_proof(CHEN_CARD))


# --- delete ------------------------------------------------------------------------------


def test_an_application_can_be_withdrawn(chen):
    account, token = apply(chen)

    services.delete_application(proof=card_proof(CHEN_CARD))

    assert not Account.objects.filter(person=chen).exists()
    assert not type(account.user).objects.filter(pk=account.user_id).exists()
    assert code_of(lambda: services.confirmation_link(token)) == "link_invalid"
    assert AuditEvent.objects.filter(
        person=chen, action=AuditEvent.Action.REGISTRATION_DELETED
    ).exists()


def test_a_completed_registration_cannot_be_deleted_as_an_application(chen):
    registered(CHEN_ID)

    assert code_of(lambda: services.delete_application(proof=card_proof(CHEN_CARD))) == (
        "no_application"
    )
    assert Account.objects.get(person=chen).status == Account.Status.ACTIVE


# --- what is kept about it -------------------------------------------------------------------


def test_each_step_is_audited_by_internal_id_only(chen):
    _, token = apply(chen, address="198.51.100.7")
    services.confirm_registration(token=token, proof=card_proof(CHEN_CARD), address="198.51.100.7")

    events = AuditEvent.objects.filter(person=chen).order_by("id")
    assert [e.action for e in events] == [
        AuditEvent.Action.REGISTRATION_APPLIED,
        AuditEvent.Action.REGISTRATION_CONFIRMED,
    ]
    for event in events:
        assert event.method == "card"
        assert event.address == "198.51.100.7"
        assert CHEN_ID not in str(event.detail)
        assert token not in str(event.detail)


def register_and_fail_a_sign_in(chen: Person) -> str:
    """A registration and a wrong password: what the logs must not give away. The token."""
    _, token = apply(chen, address="198.51.100.7")
    services.confirm_registration(token=token, proof=card_proof(CHEN_CARD))
    with pytest.raises(IdentityError):
        services.sign_in(
            method="password",
            national_id=CHEN_ID,
            card_number=CHEN_CARD,
            password=WRONG_PASSWORD,
            address="198.51.100.7",
        )
    return token


WRONG_PASSWORD = "Wrong#pass1"  # noqa: S105


def test_no_national_id_password_or_token_is_logged(chen, caplog):
    caplog.set_level(logging.DEBUG)

    token = register_and_fail_a_sign_in(chen)

    for record in caplog.records:
        message = record.getMessage()
        for secret in (CHEN_ID, CHEN_CARD, PASSWORD, WRONG_PASSWORD, token):
            assert secret not in message, (record.name, message)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(self.format(record))


def test_sql_logged_in_debug_reaches_the_handlers_masked(chen, settings):
    """With DEBUG on, Django logs every query with its parameters; the project's filter (on
    every handler, settings.LOGGING) must mask the IDs in them."""
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["mask_personal"]
    collect = Collect()
    collect.addFilter(MaskPersonalData())
    sql = logging.getLogger("django.db.backends")
    level = sql.level
    sql.addHandler(collect)
    sql.setLevel(logging.DEBUG)
    try:
        with CaptureQueriesContext(connection):  # logs queries as DEBUG=True would
            token = register_and_fail_a_sign_in(chen)
    finally:
        sql.removeHandler(collect)
        sql.setLevel(level)

    assert any("people_nhicard" in m for m in collect.messages)  # the queries were logged
    for message in collect.messages:
        for secret in (CHEN_ID, CHEN_CARD, PASSWORD, WRONG_PASSWORD, token):
            assert secret not in message, message
