"""Signing in to My Health Bank: ID + card number + password, NHI card + password, citizen
certificate; lockout after wrong passwords, the per-address limit, and what refusals say."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
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
    WIFE_ID,
    card_proof,
    certificate_proof,
    registered,
    seed_personas,
)
from healthbank.people.models import Person

pytestmark = pytest.mark.django_db

WRONG = "Wrong#pass1"  # noqa: S105
ADDRESS = "198.51.100.7"


@pytest.fixture
def chen() -> Account:
    seed_personas()
    account = registered(CHEN_ID, email="chen@example.com")
    mail.outbox.clear()
    return account


def with_password(
    password: str = PASSWORD,
    national_id: str = CHEN_ID,
    card: str = CHEN_CARD,
    address: str = ADDRESS,
) -> Account:
    return services.sign_in(
        method="password",
        national_id=national_id,
        card_number=card,
        password=password,
        address=address,
    )


def refusal(call) -> IdentityError | CardRefused:
    with pytest.raises((IdentityError, CardRefused)) as refused:
        call()
    return refused.value


def code_of(call) -> str:
    return refusal(call).code


def fail_times(count: int, **kwargs) -> None:
    for _ in range(count):
        assert code_of(lambda: with_password(WRONG, **kwargs)) == "invalid_login"


# --- the three methods -----------------------------------------------------------------------


def test_id_card_number_and_password_sign_in(chen):
    assert with_password() == chen
    assert with_password(national_id=" a123456789 ") == chen


def test_the_nhi_card_and_password_sign_in(chen):
    account = services.sign_in(method="card", proof=card_proof(CHEN_CARD), password=PASSWORD)

    assert account == chen


def test_the_nhi_card_with_a_wrong_password_is_refused(chen):
    proof = card_proof(CHEN_CARD)

    assert code_of(lambda: services.sign_in(method="card", proof=proof, password=WRONG)) == (
        "invalid_login"
    )


def test_the_citizen_certificate_signs_in_without_a_password(chen):
    account = services.sign_in(method="certificate", proof=certificate_proof(CHEN_ID))

    assert account == chen


def test_the_certificate_method_needs_a_certificate(chen):
    proof = card_proof(CHEN_CARD)

    assert code_of(lambda: services.sign_in(method="certificate", proof=proof)) == (
        "missing_certificate"
    )


def test_a_certificate_of_someone_without_an_account_opens_a_certificate_only_one():
    seed_personas()

    account = services.sign_in(method="certificate", proof=certificate_proof(WIFE_ID))

    assert account.person.national_id == WIFE_ID
    assert account.status == Account.Status.CERTIFICATE
    assert account.channel == Account.Channel.CERTIFICATE
    assert not account.user.has_usable_password()
    # ...which is not a registration: the password methods still do not know her.
    proof = card_proof(WIFE_CARD)
    assert code_of(lambda: services.sign_in(method="card", proof=proof, password="")) == (
        "invalid_login"
    )
    assert services.sign_in(method="certificate", proof=certificate_proof(WIFE_ID)) == account
    assert Account.objects.filter(person=account.person).count() == 1


# --- what a refusal tells ------------------------------------------------------------------


def test_an_unknown_id_and_a_wrong_password_are_told_alike(chen):
    unknown_id = refusal(lambda: with_password(national_id="Z199999999"))
    wrong_card = refusal(lambda: with_password(card="000099999999"))
    wrong_password = refusal(lambda: with_password(WRONG))
    unregistered = refusal(lambda: with_password(national_id=WIFE_ID, card=WIFE_CARD))

    for other in (wrong_card, wrong_password, unregistered):
        assert other.code == unknown_id.code == "invalid_login"
        assert str(other.message) == str(unknown_id.message)


# --- wrong passwords in a row ---------------------------------------------------------------


def test_five_wrong_passwords_in_a_row_suspend_online_use(chen, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    fail_times(5)

    chen.refresh_from_db()
    assert chen.is_locked
    assert code_of(with_password) == "invalid_login"
    assert code_of(
        lambda: services.sign_in(method="card", proof=card_proof(CHEN_CARD), password=PASSWORD)
    ) == ("locked")


def test_the_suspension_is_mailed_once(chen, settings):
    fail_times(settings.LOGIN_FAILURE_LIMIT - 1)
    assert mail.outbox == []

    fail_times(2)

    [message] = mail.outbox
    assert message.to == ["chen@example.com"]
    assert "暫停使用通知" in message.subject
    assert f"{settings.SITE_URL}/register/forgot/" in message.body
    assert f"錯誤 {settings.LOGIN_FAILURE_LIMIT} 次" in message.body
    locked = AuditEvent.objects.filter(person=chen.person, action=AuditEvent.Action.LOCKED)
    assert locked.count() == 1


def test_a_locked_account_answers_the_right_password_as_a_wrong_one(chen, settings):
    fail_times(settings.LOGIN_FAILURE_LIMIT)

    right, wrong = refusal(with_password), refusal(lambda: with_password(WRONG))

    assert right.code == wrong.code == "invalid_login"
    assert str(right.message) == str(wrong.message)
    assert f"{settings.LOGIN_FAILURE_LIMIT}" in str(right.message)  # says what N wrong ones do
    # The audit trail (staff's, not the caller's) knows why.
    reasons = AuditEvent.objects.filter(person=chen.person, action=AuditEvent.Action.LOGIN_FAILED)
    assert [e.detail["reason"] for e in reasons.order_by("-id")[:2]] == ["locked", "locked"]


def test_a_locked_account_stops_counting_and_is_mailed_once(chen, settings):
    fail_times(settings.LOGIN_FAILURE_LIMIT)
    mail.outbox.clear()

    fail_times(3)
    refusal(with_password)

    chen.refresh_from_db()
    assert chen.failed_logins == settings.LOGIN_FAILURE_LIMIT
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED).count() == 1


def test_a_card_holder_is_told_locked_whatever_the_password(chen, settings):
    fail_times(settings.LOGIN_FAILURE_LIMIT)

    for password in (PASSWORD, WRONG, ""):
        refused = refusal(
            lambda: services.sign_in(method="card", proof=card_proof(CHEN_CARD), password=password)  # noqa: B023
        )
        assert refused.code == "locked"
        assert "忘記註冊密碼" in str(refused.message)  # what to do next


def test_a_locked_account_spends_one_password_hash_either_way(chen, settings, monkeypatch):
    fail_times(settings.LOGIN_FAILURE_LIMIT)
    verified = []
    real = Argon2PasswordHasher.verify
    monkeypatch.setattr(
        Argon2PasswordHasher, "verify", lambda self, *a: verified.append(1) or real(self, *a)
    )

    refusal(with_password)
    right = len(verified)
    refusal(lambda: with_password(WRONG))

    assert right == len(verified) - right == 1


def test_a_password_sent_alongside_the_locking_one_is_refused_too(chen, settings):
    """The account object was read before a parallel wrong password locked it."""
    fail_times(settings.LOGIN_FAILURE_LIMIT - 1)
    stale = Account.objects.select_related("person", "user").get(pk=chen.pk)
    fail_times(1)

    assert (
        code_of(
            lambda: services.check_password_and_state(
                account=stale, password=PASSWORD, method="password", address=ADDRESS
            )
        )
        == "invalid_login"
    )


def test_the_failure_limit_is_a_setting(chen, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    fail_times(2)

    chen.refresh_from_db()
    assert chen.is_locked


def test_a_successful_sign_in_starts_the_count_again(chen, settings):
    fail_times(settings.LOGIN_FAILURE_LIMIT - 1)
    with_password()
    fail_times(settings.LOGIN_FAILURE_LIMIT - 1)

    assert with_password() == chen
    chen.refresh_from_db()
    assert chen.failed_logins == 0


# --- account states ----------------------------------------------------------------------


def test_a_counter_registration_needs_one_card_sign_in_first():
    seed_personas()
    person = Person.objects.get(national_id=WIFE_ID)
    account = services.register_at_counter(person=person, password=PASSWORD, staff_id=1)

    with_wife = lambda: with_password(national_id=WIFE_ID, card=WIFE_CARD)  # noqa: E731
    assert code_of(with_wife) == "card_required"

    services.sign_in(method="card", proof=card_proof(WIFE_CARD), password=PASSWORD)

    assert with_wife() == account


def test_a_certificate_sign_in_also_verifies_the_card_once():
    seed_personas()
    person = Person.objects.get(national_id=WIFE_ID)
    account = services.register_at_counter(person=person, password=PASSWORD, staff_id=1)

    services.sign_in(method="certificate", proof=certificate_proof(WIFE_ID))

    assert with_password(national_id=WIFE_ID, card=WIFE_CARD) == account


def test_an_account_suspended_by_nhia_is_told_so(chen):
    services.suspend(account=chen, reason="冒用", staff_id=1)

    assert code_of(lambda: with_password(WRONG)) == "invalid_login"
    assert code_of(with_password) == "suspended"
    assert code_of(
        lambda: services.sign_in(method="certificate", proof=certificate_proof(CHEN_ID))
    ) == ("suspended")

    services.reinstate(account=chen, staff_id=1)
    assert with_password() == chen


def test_an_unconfirmed_registration_is_told_to_confirm():
    seed_personas()
    person = Person.objects.get(national_id=CHEN_ID)
    services.apply_online(person=person, password=PASSWORD, email="chen@example.com")

    assert code_of(
        lambda: services.sign_in(method="card", proof=card_proof(CHEN_CARD), password=PASSWORD)
    ) == ("pending")


# --- many failures from one address ----------------------------------------------------------


def test_many_failures_from_one_address_throttle_even_the_right_password(chen, settings):
    settings.LOGIN_ADDRESS_LIMIT = 3
    fail_times(1)
    for national_id in ("Z199999999", "Y299999999"):
        code_of(lambda: with_password(national_id=national_id))  # noqa: B023

    assert code_of(with_password) == "throttled"
    assert (
        code_of(
            lambda: services.sign_in(
                method="certificate", proof=certificate_proof(CHEN_ID), address=ADDRESS
            )
        )
        == "throttled"
    )
    assert with_password(address="203.0.113.5") == chen


def test_failures_older_than_the_window_do_not_throttle(chen, settings):
    settings.LOGIN_ADDRESS_LIMIT = 2
    fail_times(2)
    assert code_of(with_password) == "throttled"

    settings.LOGIN_ADDRESS_WINDOW = 0

    assert with_password() == chen


# --- the audit trail -------------------------------------------------------------------------


def test_every_attempt_is_audited_without_ids_or_passwords(chen, settings):
    settings.LOGIN_ADDRESS_LIMIT = 4
    before = AuditEvent.objects.count()

    with_password()
    code_of(lambda: with_password(WRONG))
    code_of(lambda: with_password(national_id="Z199999999"))
    services.sign_in(method="card", proof=card_proof(CHEN_CARD), password=PASSWORD, address=ADDRESS)
    services.sign_in(method="certificate", proof=certificate_proof(CHEN_ID), address=ADDRESS)
    code_of(lambda: with_password(WRONG))
    code_of(lambda: with_password(WRONG))
    code_of(with_password)  # throttled

    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.method, e.success) for e in events] == [
        ("login", "password", True),
        ("login.failed", "password", False),
        ("login.failed", "password", False),
        ("login", "card", True),
        ("login", "certificate", True),
        ("login.failed", "password", False),
        ("login.failed", "password", False),
        ("login.failed", "password", False),
    ]
    assert [e.detail.get("reason") for e in events if not e.success] == [
        "invalid_login",
        "invalid_login",
        "invalid_login",
        "invalid_login",
        "throttled",
    ]
    for event in events:
        assert event.address == ADDRESS
        for secret in (CHEN_ID, CHEN_CARD, "Z199999999", PASSWORD, WRONG):
            assert secret not in str(event.detail)
    assert events[0].person == chen.person
    assert events[2].person is None  # an unknown ID is not anybody's event
