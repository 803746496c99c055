"""The embedded bank: it debits and credits an account once per reference, and refuses as a
bank would, with a reason the payer can act on."""

from __future__ import annotations

import pytest
from django.utils import translation

from healthbank.external.bank import REASONS, LocalBank
from healthbank.external.models import BankAccount, BankEntry

pytestmark = pytest.mark.django_db

HOLDER = "A123456789"


@pytest.fixture
def account():
    return BankAccount.objects.create(
        bank_code="004",
        number="123456789012",
        holder_national_id=HOLDER,
        holder_name="陳建宏",
        balance=1_000,
        status=BankAccount.Status.OPEN,
    )


def _debit(amount=300, reference="bill-1", **overrides):
    asked = {"bank_code": "004", "account": "123456789012", "national_id": HOLDER}
    return LocalBank().debit(**(asked | overrides), amount=amount, reference=reference)


def test_a_debit_takes_the_amount_once_however_often_it_is_asked(account):
    first = _debit()
    again = _debit()
    assert first.ok and again.ok and first.reason is None
    account.refresh_from_db()
    assert account.balance == 700
    assert BankEntry.objects.filter(account=account).count() == 1


def test_a_credit_pays_in_once_and_may_share_a_debits_reference(account):
    _debit(reference="claim-7")
    answer = LocalBank().credit(
        bank_code="004", account="123456789012", national_id=HOLDER, amount=500, reference="claim-7"
    )
    assert answer.ok
    account.refresh_from_db()
    assert account.balance == 1_000 - 300 + 500


@pytest.mark.parametrize(
    ("overrides", "amount", "code"),
    [
        ({"account": "999"}, 300, "no_account"),
        ({"bank_code": "822"}, 300, "no_account"),
        ({"national_id": "B234567890"}, 300, "not_holder"),
        ({}, 1_001, "insufficient_funds"),
    ],
)
def test_a_refused_debit_moves_nothing_and_says_why(account, overrides, amount, code):
    answer = _debit(amount=amount, **overrides)
    assert not answer.ok and answer.code == code
    with translation.override("en"):
        assert str(answer.reason) == str(REASONS[code])
    account.refresh_from_db()
    assert account.balance == 1_000 and not BankEntry.objects.exists()


@pytest.mark.parametrize("status", [BankAccount.Status.FROZEN, BankAccount.Status.CLOSED])
def test_a_frozen_or_closed_account_is_neither_debited_nor_credited(account, status):
    account.status = status
    account.save()
    assert _debit().code == status
    credit = LocalBank().credit(
        bank_code="004", account="123456789012", national_id=HOLDER, amount=1, reference="c"
    )
    assert credit.code == status and not BankEntry.objects.exists()


def test_the_holder_may_type_a_lower_case_id(account):
    assert _debit(national_id=HOLDER.lower()).ok


def test_a_refusal_can_be_paid_later_under_the_same_reference(account):
    assert _debit(amount=1_200).code == "insufficient_funds"
    BankAccount.objects.filter(pk=account.pk).update(balance=2_000)
    assert _debit(amount=1_200).ok


def test_reasons_read_in_both_languages():
    with translation.override("zh-hant"):
        assert "餘額" in str(REASONS["insufficient_funds"])
    with translation.override("en"):
        assert "balance" in str(REASONS["insufficient_funds"])
