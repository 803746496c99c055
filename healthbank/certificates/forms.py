from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from healthbank.certificates.models import Certificate


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


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The 20 characters under the QR code, e.g. 7K3M-Q9TA-2BXD-R8NE-4HWC."),
    )
