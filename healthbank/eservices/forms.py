"""What a person types to claim a reimbursement (自墊醫療費用核退); what it means (the
deadline, the files) is checked in services."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from healthbank.core.typed import TypedField, is_ascii_digits
from healthbank.eservices import rules
from healthbank.eservices.models import ClaimDocument, ReimbursementClaim
from healthbank.eservices.services import ClaimRefused, FileRefused, Upload
from healthbank.external.forms import AccountNumberField, BankField

DATE_ERRORS = {
    "required": _("Enter the date as YYYY-MM-DD."),
    "invalid": _("Enter the date as YYYY-MM-DD."),
}
# The file inputs of the form, one per kind of document; each takes several files.
FILE_FIELDS = {
    "receipts": ClaimDocument.Kind.RECEIPT,
    "certificates": ClaimDocument.Kind.CERTIFICATE,
    "others": ClaimDocument.Kind.OTHER,
}


class ClaimForm(forms.Form):
    care_kind = forms.ChoiceField(
        label=_("Where the care was"),
        choices=ReimbursementClaim.CareKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose where the care was."),
            "invalid_choice": _("Choose where the care was."),
        },
    )
    place = forms.CharField(
        label=_("Country (abroad) or the provider's name"),
        max_length=100,
        error_messages={
            "required": _("Enter the country, or the name of the hospital or clinic."),
            "max_length": _("Enter at most 100 characters."),
        },
    )
    care_from = forms.DateField(
        label=_("First day of care"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    care_until = forms.DateField(
        label=_("Last day of care (or of discharge)"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    amount = TypedField(
        label=_("Amount you paid (NT$)"),
        max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter the amount you paid, in whole NT dollars.")},
    )
    bank_code = BankField(label=_("Bank to pay into"))
    bank_account = AccountNumberField(label=_("Account number (in your own name)"))

    def clean_amount(self) -> int:
        value = self.cleaned_data["amount"].replace(",", "").strip()
        if not is_ascii_digits(value) or len(value) > 9:
            raise forms.ValidationError(_("Enter the amount you paid, in whole NT dollars."))
        return int(value)


def uploads_of(files) -> list[Upload]:
    """The files sent, read only once their number and each one's size are within the
    limits (so a refused upload is never read into memory); each read up to one byte past
    the limit all the same. Raises ClaimRefused (too many) or FileRefused (too large)."""
    sent = [(kind, file) for field, kind in FILE_FIELDS.items() for file in files.getlist(field)]
    if len(sent) > rules.CLAIM_MAX_FILES:
        raise ClaimRefused("too_many_files", count=rules.CLAIM_MAX_FILES)
    for _kind, file in sent:
        assert isinstance(file, UploadedFile)  # noqa: S101 - request.FILES holds these
        if file.size is None or file.size > rules.CLAIM_MAX_FILE_BYTES:
            megabytes = rules.CLAIM_MAX_FILE_BYTES // 1024**2
            refused = ClaimRefused("file_too_large", megabytes=megabytes)
            raise FileRefused(file.name or "", refused.message)
    return [
        Upload(kind=kind, name=file.name or "", data=file.read(rules.CLAIM_MAX_FILE_BYTES + 1))
        for kind, file in sent
    ]


class AmountForm(forms.Form):
    """What the checker decides: the amount to pay (at most the amount claimed)."""

    amount = TypedField(
        label=_("Amount approved (NT$)"),
        max_length=9,
        help_text=_("Whole NT dollars, above 0 and at most the amount claimed."),
        error_messages={"required": _("Enter the amount approved, in whole NT dollars.")},
    )

    def clean_amount(self) -> int:
        value = self.cleaned_data["amount"].replace(",", "").strip()
        if not is_ascii_digits(value) or int(value) <= 0:
            raise forms.ValidationError(_("Enter the amount approved, in whole NT dollars."))
        return int(value)
