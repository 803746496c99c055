"""Form fields for what people give NHIA to reach an outside system: the bank and account a
fee, a premium or a reimbursement is paid from or into (external.bank). One definition, so
every form offers the same banks and takes account numbers by the same rule and words."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from healthbank.external import bank

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def _account_message() -> str:
    low, high = bank.ACCOUNT_DIGITS
    return gettext(
        "Enter the account number as %(low)s to %(high)s digits, as in your passbook."
    ) % {"low": low, "high": high}


# In the language of whoever reads it.
ACCOUNT_MESSAGE = cast("_StrPromise", lazy(_account_message, str)())


def _bank_choices() -> list[tuple[str, str | Promise]]:
    # Called per form: the names are read in the language of the request.
    return [
        ("", _("Choose your bank")),
        *((code, f"{code} {name}") for code, name in bank.BANKS.items()),
    ]


class BankField(forms.ChoiceField):
    """金融機構: one of external.bank.BANKS, named in the reader's language."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Bank"))
        message = _("Choose your bank from the list.")
        kwargs.setdefault("error_messages", {"required": message, "invalid_choice": message})
        super().__init__(choices=_bank_choices, **kwargs)


class AccountNumberField(forms.CharField):
    """帳號: digits only once spaces and dashes are gone; full-width digits are taken."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Account number"))
        kwargs.setdefault("max_length", 40)  # room for dashes and spaces as typed
        kwargs.setdefault(
            "error_messages", {"required": ACCOUNT_MESSAGE, "max_length": ACCOUNT_MESSAGE}
        )
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        typed = super().clean(value)
        if not typed:
            return typed
        number = bank.account_number(typed)
        if number is None:
            raise forms.ValidationError(ACCOUNT_MESSAGE, code="invalid")
        return number
