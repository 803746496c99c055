"""The billing e-services' forms: what a person types is checked here, what it means for
their bills in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from healthbank.billing import rules
from healthbank.billing.models import DeliveryCycle, DeliveryMethod
from healthbank.core.typed import ascii_typed, is_ascii_digits


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
