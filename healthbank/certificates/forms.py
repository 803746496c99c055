from __future__ import annotations

from typing import cast

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from healthbank.certificates.models import Certificate
from healthbank.core.rocdate import ROC_OFFSET


class InsuranceCertificateForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Certificate.Language.choices,
        initial=Certificate.Language.CHINESE,
        widget=forms.RadioSelect,
    )
    with_dependants = forms.BooleanField(
        label=_("Include the dependants insured under me"), required=False
    )


class PremiumsCertificateForm(forms.Form):
    """The year (only those in which the person paid premiums) and the language."""

    year = forms.TypedChoiceField(
        label=_("Year in which the premiums were paid"),
        coerce=int,
        error_messages={
            "invalid_choice": _(
                "Choose one of the years listed: a certificate covers a year in which you "
                "paid premiums."
            ),
            "required": _("Choose the year in which the premiums were paid."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Certificate.Language.choices,
        initial=Certificate.Language.CHINESE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, years: list[int], default: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["year"])
        field.choices = [(year, year_label(year)) for year in years]
        field.initial = default


def year_label(year: int) -> str:
    """114年（2025） on a Chinese page, 2025 on an English one."""
    if translation.get_language() == "zh-hant":
        return f"{year - ROC_OFFSET}年（{year}）"
    return str(year)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The 20 characters under the QR code, e.g. 7K3M-Q9TA-2BXD-R8NE-4HWC."),
    )
