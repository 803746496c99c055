"""The seeded bank accounts (synth/bank.py): each adult persona one open account, 黃冠宇's
enough for one unpaid month and not for all; a share of the population, the same for a seed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from healthbank.billing import selectors
from healthbank.external.models import BankAccount
from healthbank.people.models import Person
from healthbank.synth.bank import ACCOUNT_SHARE, PERSONA_ACCOUNTS, add_bank_accounts
from healthbank.synth.services import seed_population

TODAY = dt.date(2026, 11, 23)


def test_each_adult_persona_has_one_open_account_in_their_name(personas):
    for national_id, (code, number, _) in PERSONA_ACCOUNTS.items():
        account = BankAccount.objects.get(bank_code=code, number=number)
        assert account.holder_national_id == national_id and account.status == "open"
        assert BankAccount.objects.filter(holder_national_id=national_id).count() == 1
        assert account.holder_name == Person.objects.get(national_id=national_id).name
    children = ("F224681354", "F135792464")
    assert not BankAccount.objects.filter(holder_national_id__in=children).exists()


def test_huang_can_pay_one_month_but_not_his_arrears(huang):
    code, number, _ = PERSONA_ACCOUNTS[huang.national_id]
    balance = BankAccount.objects.get(bank_code=code, number=number).balance
    owed = [u.owed for u in selectors.unpaid_bills(huang, timezone.localdate())]
    assert max(owed) <= balance < sum(owed)


@pytest.mark.django_db
def test_a_share_of_the_population_the_same_for_a_seed():
    seed_population(people_count=300, seed=5, today=TODAY, with_personas=False)
    created_at = Person.objects.values_list("created_at", flat=True).first()
    rows = set(
        BankAccount.objects.values_list("bank_code", "number", "holder_national_id", "balance")
    )
    adults = Person.objects.filter(birth_date__lte=dt.date(2006, 11, 23)).count()
    assert 0.5 * ACCOUNT_SHARE * adults < len(rows) < 1.5 * ACCOUNT_SHARE * adults
    assert all(len(number) >= 12 for _, number, _, _ in rows)
    BankAccount.objects.all().delete()
    add_bank_accounts(5, TODAY, created_at)
    again = BankAccount.objects.values_list("bank_code", "number", "holder_national_id", "balance")
    assert set(again) == rows
    BankAccount.objects.all().delete()
    add_bank_accounts(6, TODAY, created_at)
    assert (
        set(BankAccount.objects.values_list("bank_code", "number", "holder_national_id", "balance"))
        != rows
    )
