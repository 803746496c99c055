"""The bank: debits a person's account (an NHI card's fee, a one-time direct debit of
premiums) and pays into it (a reimbursement), answering each with a result and, when it
refuses, the bank's reason.

Production talks to the banks' clearing house (財金資訊公司) through NHIA's bank; the
embedded default, LocalBank, answers from the synthetic accounts table (external.BankAccount)
the way a bank would. Choose with the BANK setting.

A reference names one payment: asking again with the same reference answers as the first
time and never moves money twice, so a retried request is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from healthbank.core.typed import ascii_typed, is_ascii_digits
from healthbank.external.models import BankAccount, BankEntry
from healthbank.people.identifiers import normalise

# Financial institution codes (金融機構代號) people choose from: the larger banks and the post.
BANKS: dict[str, Promise] = {
    "004": _("Bank of Taiwan"),  # 臺灣銀行
    "005": _("Land Bank of Taiwan"),  # 臺灣土地銀行
    "006": _("Taiwan Cooperative Bank"),  # 合作金庫商業銀行
    "007": _("First Commercial Bank"),  # 第一商業銀行
    "008": _("Hua Nan Commercial Bank"),  # 華南商業銀行
    "009": _("Chang Hwa Commercial Bank"),  # 彰化商業銀行
    "012": _("Taipei Fubon Commercial Bank"),  # 台北富邦商業銀行
    "013": _("Cathay United Bank"),  # 國泰世華商業銀行
    "017": _("Mega International Commercial Bank"),  # 兆豐國際商業銀行
    "700": _("Chunghwa Post"),  # 中華郵政
    "808": _("E.SUN Commercial Bank"),  # 玉山商業銀行
    "812": _("Taishin International Bank"),  # 台新國際商業銀行
    "822": _("CTBC Bank"),  # 中國信託商業銀行
}
# Account numbers in Taiwan run from 10 to 16 digits (the post office's 14, most banks' 12
# to 14). Project's assumption: the clearing house's own limits are not public.
ACCOUNT_DIGITS = (10, 16)


def account_number(typed: str) -> str | None:
    """An account number as typed (full-width digits, spaces or dashes copied from a
    passbook) in the form the bank takes, or None when it cannot be one."""
    number = "".join(ascii_typed(typed or "").replace("-", " ").split())
    low, high = ACCOUNT_DIGITS
    return number if is_ascii_digits(number) and low <= len(number) <= high else None


# The bank's answers, as it words them to the payer (what a refusal tells them to do).
REASONS: dict[str, Promise] = {
    "no_account": _("The bank has no such account. Check the bank and the account number."),
    "not_holder": _(
        "The account is not in your name. Use an account of your own (the bank checks the "
        "holder's ID number)."
    ),
    "insufficient_funds": _(
        "The account's balance is not enough. Deposit the amount, or use another account."
    ),
    "frozen": _("The account is frozen. Ask your bank why, or use another account."),
    "closed": _("The account is closed. Use another account."),
    "unavailable": _("The bank cannot be reached now. Try again later; nothing was paid."),
}


@dataclass(frozen=True)
class BankAnswer:
    ok: bool
    code: str  # "ok" or a key of REASONS
    reference: str

    @property
    def reason(self) -> Promise | None:
        return None if self.ok else REASONS[self.code]


class Bank(Protocol):
    def debit(
        self, *, bank_code: str, account: str, national_id: str, amount: int, reference: str
    ) -> BankAnswer:
        """Take `amount` from the account of `national_id`, once per reference."""

    def credit(
        self, *, bank_code: str, account: str, national_id: str, amount: int, reference: str
    ) -> BankAnswer:
        """Pay `amount` into the account of `national_id`, once per reference."""


class LocalBank:
    """The synthetic accounts of this database answer as the banks would."""

    def debit(
        self, *, bank_code: str, account: str, national_id: str, amount: int, reference: str
    ) -> BankAnswer:
        return self._move(BankEntry.Kind.DEBIT, bank_code, account, national_id, amount, reference)

    def credit(
        self, *, bank_code: str, account: str, national_id: str, amount: int, reference: str
    ) -> BankAnswer:
        return self._move(BankEntry.Kind.CREDIT, bank_code, account, national_id, amount, reference)

    def _move(
        self, kind: str, bank_code: str, number: str, national_id: str, amount: int, reference: str
    ) -> BankAnswer:
        if amount <= 0:
            raise ValueError("a payment moves a positive amount")
        with transaction.atomic():
            if BankEntry.objects.filter(reference=reference, kind=kind).exists():
                return BankAnswer(True, "ok", reference)  # asked again: already made
            account = (
                BankAccount.objects.select_for_update()
                .filter(bank_code=bank_code, number=number)
                .first()
            )
            if account is None:
                return BankAnswer(False, "no_account", reference)
            if refusal := _refusal(account, kind, national_id, amount):
                return BankAnswer(False, refusal, reference)
            change = amount if kind == BankEntry.Kind.CREDIT else -amount
            try:
                with transaction.atomic():
                    BankEntry.objects.create(
                        account=account, kind=kind, amount=amount, reference=reference
                    )
            except IntegrityError:  # the same reference, made meanwhile by another request
                return BankAnswer(True, "ok", reference)
            BankAccount.objects.filter(pk=account.pk).update(balance=F("balance") + change)
        return BankAnswer(True, "ok", reference)


def _refusal(account: BankAccount, kind: str, national_id: str, amount: int) -> str:
    if account.status != BankAccount.Status.OPEN:
        return str(account.status)
    if account.holder_national_id != normalise(national_id):
        return "not_holder"
    if kind == BankEntry.Kind.DEBIT and account.balance < amount:
        return "insufficient_funds"
    return ""


def bank() -> Bank:
    return import_string(settings.BANK)()
