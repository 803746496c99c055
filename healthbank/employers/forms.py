"""Forms of the insured units' pages: field checks only; the file itself is checked by
the service (csvfile), which knows the unit and the day."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from healthbank.employers import rules
from healthbank.identity.imagecode import ImageCodeField


class UnitLoginForm(forms.Form):
    """Unit code + password + image code (a password sign-in without a card)."""

    code = forms.CharField(
        label=_("Insured unit code"),
        max_length=9,
        validators=[RegexValidator(r"^[0-9]{9}$", _("A unit code is nine digits."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = ImageCodeField()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class BatchUploadForm(forms.Form):
    """健保卡註冊申請整批資料上傳: the contact to mail the result to, and the file."""

    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": rules.FILE_SUFFIX}),
        help_text=_("Only .csv files."),
    )
