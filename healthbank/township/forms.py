"""What a person types into the township office forms: the dates (ISO from the date picker,
or ROC as NHIA prints them), the transfer's reason, notes. The rules' checks of the dates
against the person's cover are the service's (rules.date_errors)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from healthbank.core.rocdate import parse_roc
from healthbank.core.typed import ascii_typed
from healthbank.township.rules import Kind, TransferReason


class DateField(forms.DateField):
    """A date typed as 2026-11-24 (the browser's date picker) or as an ROC date 115/11/24."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            try:
                return parse_roc(ascii_typed(str(value)))  # full-width typed: ASCII
            except ValueError:
                raise ValidationError(
                    _("Enter a date such as 2026-11-24 or 115/11/24."), code="invalid"
                ) from None


def _date(label, help_text, required_message):
    return DateField(
        label=label, help_text=help_text, error_messages={"required": required_message}
    )


NOTES = forms.CharField(
    label=_("Notes for the reviewer (optional)"),
    required=False,
    max_length=500,
    widget=forms.Textarea(attrs={"rows": 3}),
    error_messages={"max_length": _("Keep the notes to %(limit_value)d characters.")},
)


class EnrolForm(forms.Form):
    effective_date = _date(
        _("Insured from"),
        _("The day your other cover ended, or today."),
        _("Enter the day your cover at the township office starts."),
    )
    notes = NOTES


class TransferOutForm(forms.Form):
    transfer_reason = forms.ChoiceField(
        label=_("Why you transfer out"),
        choices=TransferReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you transfer out."),
            "invalid_choice": _("Choose one of the reasons listed."),
        },
    )
    effective_date = _date(
        _("Transfer from"),
        _("The day you moved, or the day your new insured unit insures you."),
        _("Enter the day your cover moves."),
    )
    notes = NOTES


class SuspendForm(forms.Form):
    effective_date = _date(
        _("Departure date"),
        _("The day you leave Taiwan; file before you leave."),
        _("Enter the day you leave Taiwan."),
    )
    expected_return = _date(
        _("Expected return date"),
        _("Six months or more after the departure."),
        _("Enter the day you expect to come back."),
    )
    notes = NOTES


class ResumeForm(forms.Form):
    effective_date = _date(
        _("Return date"),
        _("The day you came back to Taiwan (the entry date in your passport)."),
        _("Enter the day you came back to Taiwan."),
    )
    notes = NOTES


FORMS: dict[str, type[forms.Form]] = {
    Kind.ENROL: EnrolForm,
    Kind.TRANSFER_OUT: TransferOutForm,
    Kind.SUSPEND: SuspendForm,
    Kind.RESUME: ResumeForm,
}
