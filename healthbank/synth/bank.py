"""Synthetic bank accounts (external.BankAccount) that the embedded bank debits and pays
into: one open account for each adult persona, and accounts for a share of the adults one
seeding made, the same for the same seed.

黃冠宇 (B123456780), who owes five months, keeps little in his account: enough for one of
his unpaid months, not for all of them, so that a one-time direct debit of one month is
paid and of all five is refused (insufficient funds). The README lists the personas'
accounts."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from healthbank.core.months import add_months
from healthbank.external.bank import BANKS
from healthbank.external.models import BankAccount
from healthbank.people.models import Person, PremiumBill, PremiumPayment

BATCH = 2000
ADULT_AGE = 20
ACCOUNT_SHARE = 0.25  # of the adults a seeding made
LOW_BALANCE_PERSONA = "B123456780"  # 黃冠宇
LOW_BALANCE_MARGIN = 300  # over his largest unpaid month
# national ID: bank code, account number, balance (NT$)
PERSONA_ACCOUNTS = {
    "A123456789": ("004", "012345678901", 1_286_400),  # 陳志明, 臺灣銀行
    "A223456781": ("700", "00012345678901", 842_150),  # 陳林秀英, 中華郵政
    "F223456786": ("822", "123540012345", 156_820),  # 林雅婷, 中國信託
    "F123456784": ("808", "0901234567890", 98_340),  # 王建志, 玉山
    "B123456780": ("013", "123503456789", 0),  # 黃冠宇, 國泰世華: balance set below
    "E223456785": ("006", "1234567890123", 2_035_600),  # 張淑芬, 合作金庫
    "H123456786": ("012", "820123456789", 3_450_900),  # 李建宏, 台北富邦
    "K223456780": ("812", "20981234567890", 64_210),  # 吳怡君, 台新
}
# Account number lengths by bank (the post office's 14 digits; most banks 12 to 14).
NUMBER_LENGTHS = {"700": 14, "004": 12, "006": 13, "808": 13, "812": 14}


def add_bank_accounts(seed: int, today: dt.date, created_at: dt.datetime) -> None:
    """Bank accounts for the people created at `created_at` (one seeding's)."""
    rng = random.Random(f"{seed}:bank")
    born_by = add_months(today, -12 * ADULT_AGE)
    people = (
        Person.objects.filter(created_at=created_at, birth_date__lte=born_by)
        .order_by("pk")
        .values_list("pk", "national_id", "name")
    )
    rows, taken = [], {(code, number) for code, number, _ in PERSONA_ACCOUNTS.values()}
    codes = sorted(BANKS)
    for pk, national_id, name in people.iterator(chunk_size=BATCH):
        if national_id in PERSONA_ACCOUNTS:
            code, number, balance = PERSONA_ACCOUNTS[national_id]
            if national_id == LOW_BALANCE_PERSONA:
                balance = _one_month(pk) + LOW_BALANCE_MARGIN
            rows.append(_account(code, number, national_id, name, balance, "open"))
            continue
        if rng.random() >= ACCOUNT_SHARE:
            continue
        code = rng.choice(codes)
        number = "".join(rng.choice("0123456789") for _ in range(NUMBER_LENGTHS.get(code, 12)))
        if (code, number) in taken:
            continue
        taken.add((code, number))
        balance = min(int(rng.lognormvariate(11.0, 1.3)), 50_000_000)  # median ~NT$60,000
        status = rng.choices(("open", "frozen", "closed"), (0.97, 0.01, 0.02))[0]
        rows.append(_account(code, number, national_id, name, balance, status))
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            BankAccount.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)


def _account(
    code: str, number: str, national_id: str, name: str, balance: int, status: str
) -> BankAccount:
    return BankAccount(
        bank_code=code,
        number=number,
        holder_national_id=national_id,
        holder_name=name,
        balance=balance,
        status=status,
    )


def _one_month(person_id: int) -> int:
    """The largest of the person's unpaid monthly premiums (0 when all are paid)."""
    paid = PremiumPayment.objects.filter(person_id=person_id).values_list("bill_id", flat=True)
    amounts = (
        PremiumBill.objects.filter(person_id=person_id)
        .exclude(pk__in=paid)
        .values_list("amount", flat=True)
    )
    return max(amounts, default=0)
