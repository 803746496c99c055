"""The card application form and the lost-card report: they check what was typed and
chosen; the rules of who may apply for what are the services'."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from healthbank.cards import rules
from healthbank.cards.models import CardApplication
from healthbank.external.forms import AccountNumberField, BankField
from healthbank.files import images
from healthbank.identity.forms import CardForm, PasswordAgainForm

REASON_LABELS = dict(rules.Reason.choices)


class ApplicationForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why you need a card"),
        choices=[(r.value, REASON_LABELS[r]) for r in rules.ONLINE_REASONS],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you need a card."),
            "invalid_choice": _("Choose why you need a card."),
        },
    )
    photo = forms.FileField(
        label=_("ID photo"),
        help_text=_(
            "A recent front-facing photo of your head and shoulders, as on your ID card: JPEG, "
            "PNG or HEIC, at most 10 MB."
        ),
        error_messages={
            "required": _("Upload your ID photo."),
            "empty": _("The uploaded file is empty. Choose your ID photo again."),
            "invalid": _("Upload your ID photo."),
        },
    )
    delivery = forms.ChoiceField(
        label=_("How the card reaches you"),
        choices=CardApplication.Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the card should reach you."),
            "invalid_choice": _("Choose how the card should reach you."),
        },
    )
    office = forms.ChoiceField(
        label=_("NHIA office (for pick-up)"),
        choices=[("", "---------")]
        + [(key, f"{name} {phone}") for key, (name, phone) in rules.OFFICES.items()],
        required=False,
        error_messages={"invalid_choice": _("Choose an NHIA office from the list.")},
    )
    bank_code = BankField(label=_("Bank (for the fee)"), required=False)
    account_number = AccountNumberField(
        label=_("Account number (for the fee)"),
        required=False,
        help_text=_("An account in your own name; the fee is taken from it when you apply."),
    )

    def clean_photo(self) -> bytes:
        upload = self.cleaned_data["photo"]
        # Django has spooled a big upload to a temporary file: refuse it before reading it in.
        if (upload.size or 0) > settings.VCARD_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(images.ImageRefused("too_large").message)
        data: bytes = upload.read()
        return data

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("delivery") == CardApplication.Delivery.PICKUP and not cleaned.get("office"):
            self.add_error("office", _("Choose the NHIA office where you will pick up the card."))
        if rules.fee_for(cleaned.get("reason", "")):
            if not cleaned.get("bank_code") and "bank_code" not in self.errors:
                self.add_error(
                    "bank_code",
                    _("This card costs NT$%(fee)s: choose the bank it is paid from.")
                    % {"fee": rules.FEE},
                )
            if not cleaned.get("account_number") and "account_number" not in self.errors:
                self.add_error(
                    "account_number",
                    _("This card costs NT$%(fee)s: enter the account it is paid from.")
                    % {"fee": rules.FEE},
                )
        return cleaned


class LostReportForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "My NHI card is lost. Stop it now: I understand it cannot be used again, even if "
            "I find it."
        ),
        error_messages={"required": _("Tick the box to confirm that your card is lost.")},
    )


class CertificateAgainForm(CardForm):
    """A certificate session asks again with the certificate: the card signs a fresh challenge
    with its PIN in the card reader (the PIN never reaches the server)."""

    card_kind = "certificate"


def ask_again_form(login_method: str, data=None) -> PasswordAgainForm | CertificateAgainForm:
    """Sensitive actions ask again (STYLE.md): a session signed in with the NHI card and the
    registration password re-types the password; one signed in with the citizen certificate
    (whose account may have no password) reads the certificate again."""
    if login_method == "certificate":
        return CertificateAgainForm(data, prefix="confirm")
    return PasswordAgainForm(data, prefix="confirm")
