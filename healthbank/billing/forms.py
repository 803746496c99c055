"""The billing e-services' forms: what a person types is checked here, what it means for
their bills in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from healthbank.billing import rules
from healthbank.billing.models import DeliveryCycle, DeliveryMethod
from healthbank.core.typed import ascii_typed, is_ascii_digits
from healthbank.external.forms import AccountNumberField, BankField
from healthbank.identity.forms import HouseholdFields


def count_error() -> str:
    return gettext(
        "Enter the number of instalments as a whole number from %(minimum)s to %(maximum)s."
    ) % {"minimum": rules.MINIMUM_INSTALMENTS, "maximum": rules.MAXIMUM_INSTALMENTS}


class BillIdsField(forms.Field):
    """The ids of the chosen bills (checkboxes named `bills`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _(
            "A bill you chose is not one of your unpaid bills past their due date. Reload the "
            "page and choose again."
        ),
    }

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        # Row ids as the page wrote them: ASCII digits that fit a database integer (int()
        # would also take "٣", "1_0" and numbers no column holds).
        if not all(isinstance(v, str) and is_ascii_digits(v) and len(v) <= 18 for v in values):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return [int(v) for v in values]


class InstalmentForm(forms.Form):
    bills = BillIdsField(required=False)
    count = forms.CharField(label=_("Number of instalments"), required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            data = {"bills": data.getlist("bills"), "count": data.get("count")}
        super().__init__(data, **kwargs)

    def clean_count(self) -> int:
        text = ascii_typed(self.cleaned_data.get("count") or "").strip()  # ４ is 4
        if not is_ascii_digits(text) or not (
            rules.MINIMUM_INSTALMENTS <= int(text) <= rules.MAXIMUM_INSTALMENTS
        ):
            raise forms.ValidationError(count_error(), code="invalid")
        return int(text)


class EbillForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail for the monthly reminder"),
        error_messages={
            "required": _("Enter the e-mail address your bills or reminders should go to."),
            "invalid": _("Enter a valid e-mail address, such as name@example.com."),
        },
    )


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How your bills come"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how your bills should come."),
            "invalid_choice": _("Choose how your bills should come."),
        },
    )
    cycle = forms.ChoiceField(
        label=_("How often"),
        choices=DeliveryCycle.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how often your bills should come."),
            "invalid_choice": _("Choose how often your bills should come."),
        },
    )
    email = forms.EmailField(
        label=_("E-mail (for bills by e-mail or e-bills)"),
        required=False,
        error_messages={"invalid": _("Enter a valid e-mail address, such as name@example.com.")},
    )


class AddressForm(HouseholdFields):
    """通訊地址: the county → township → village selects of registration (HouseholdFields and
    identity/forms.js), an optional neighbourhood and the street address."""

    household_number = None  # type: ignore[assignment]  # not a household's: no 戶號
    neighbourhood = forms.IntegerField(
        label=_("Neighbourhood (鄰, optional)"),
        required=False,
        min_value=1,
        max_value=rules.NEIGHBOURHOOD_MAX,
        error_messages={
            "invalid": _("The neighbourhood is a number from 1 to 99; leave it empty if none."),
            "min_value": _("The neighbourhood is a number from 1 to 99; leave it empty if none."),
            "max_value": _("The neighbourhood is a number from 1 to 99; leave it empty if none."),
        },
    )
    street_address = forms.CharField(
        label=_("Street address"),
        help_text=_("Road or street, lane, alley, number and floor, such as 文化路一段100號5樓."),
        max_length=rules.STREET_ADDRESS_MAX_LENGTH,
        error_messages={
            "required": _("Enter the street address: road or street, number and floor."),
            "max_length": _("The street address may be at most %(limit_value)d characters."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, required, invalid in (
            ("county", _("Choose a county or city."), _("Choose a county or city from the list.")),
            (
                "township",
                _("Choose a township or district."),
                _("Choose a township of the county you chose."),
            ),
            ("village", _("Choose a village."), _("Choose a village of the township you chose.")),
        ):
            self.fields[name].error_messages.update(
                {"required": required, "invalid_choice": invalid}
            )

    def clean_street_address(self) -> str:
        street = " ".join(ascii_typed(self.cleaned_data.get("street_address") or "").split())
        if not street:
            raise forms.ValidationError(
                gettext("Enter the street address: road or street, number and floor."),
                code="required",
            )
        return street


class DebitForm(forms.Form):
    """保險費單次約定轉帳: the bills, the bank, the account and the agreement."""

    bills = BillIdsField(
        required=False,
        error_messages={
            "invalid": _(
                "A bill you chose is not one of your unpaid bills that can be paid by direct "
                "debit. Reload the page and choose again."
            )
        },
    )
    bank_code = BankField()
    account_number = AccountNumberField(
        help_text=_("Your own account: the bank checks that it is in your name.")
    )
    agree = forms.BooleanField(
        label=_(
            "I agree that NHIA asks my bank once to pay the chosen premiums from this account."
        ),
        error_messages={"required": _("Tick the box to agree to the one-time debit.")},
    )

    def __init__(self, data=None, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            data = {
                k: data.get(k) for k in ("bank_code", "account_number", "agree") if k in data
            } | {"bills": data.getlist("bills")}
        super().__init__(data, **kwargs)
