"""Forms of the registration site and the sign-in page: field checks with messages that say
what to do. Business rules (household match, account state) are the services' job."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from healthbank.core.phones import MobileField, PhoneField
from healthbank.core.typed import TypedField
from healthbank.identity import passwords, rules
from healthbank.identity.cards import CardProof, CardRefused, verify_proof
from healthbank.identity.imagecode import ImageCodeField
from healthbank.people.identifiers import normalise, validate_personal_id
from healthbank.people.models import County, Person, Township, Village
from healthbank.records.categories import category_choices

HOUSEHOLD_NUMBER = RegexValidator(
    r"^[A-Za-z][0-9]{7}$",
    _("A household number is a letter and seven digits, as on your household register."),
)


class NationalIdField(forms.CharField):
    """A national ID or resident certificate number, in any case, full-width or not, with
    its check digit."""

    default_validators = [validate_personal_id]

    def to_python(self, value):
        return normalise(super().to_python(value) or "").replace(" ", "")


class CardNumberField(TypedField):
    """The twelve digits on the front of an NHI card, typed with or without spaces."""

    default_validators = [RegexValidator(r"^[0-9]{12}$", _("A card number is twelve digits."))]

    def to_python(self, value):
        return (super().to_python(value) or "").replace(" ", "").replace("-", "")


class CardForm(forms.Form):
    """A form with a card-reader block: the page's Read button fills these hidden fields
    with a signed one-time challenge (static/identity/cardreader.js)."""

    card_kind = "card"  # or "certificate"
    card_challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    card_number = forms.CharField(widget=forms.HiddenInput, required=False)
    card_certificate = forms.CharField(widget=forms.HiddenInput, required=False)
    card_signature = forms.CharField(widget=forms.HiddenInput, required=False)

    proof: CardProof | None = None

    def card_proof(self) -> CardProof:
        """The card's proof, which a valid form has (clean refuses the form without it)."""
        if self.proof is None:
            raise ValueError("no card proof: the form is not valid")
        return self.proof

    def clean(self):
        cleaned = super().clean() or {}
        if not self.errors:  # keep the challenge for a second try when other fields are wrong
            try:
                self.proof = verify_proof(cleaned, kind=self.card_kind)
            except CardRefused as exc:
                self.add_error(None, exc.message)
        return cleaned


class PasswordFields(forms.Form):
    """註冊密碼 6–12 characters, typed twice, refused when common or built from the person's
    ID, birthday or e-mail (identity.passwords); strength shown live as 弱/中/中強/強.

    `person` and `emails` (the addresses on record) are whose password it is; addresses typed
    in the same form count too.
    """

    password = forms.CharField(
        label=_("Registration password"),
        strip=False,
        min_length=rules.PASSWORD_MIN_LENGTH,
        max_length=rules.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "6 to 12 characters, not a common password and not built from your national ID, "
            "birthday or e-mail address. A strong password mixes upper- and lower-case "
            "letters, digits and symbols (such as ~!@#$%^&*) and is 8 characters or longer."
        ),
        error_messages={
            "min_length": _("The password must be 6 to 12 characters long."),
            "max_length": _("The password must be 6 to 12 characters long."),
        },
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, person: Person | None = None, emails: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.emails = person, tuple(emails)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Checked before the card's challenge is spent (CardForm.clean), so a refused password
        # does not need the card read again; typed addresses are compared as typed.
        typed = [
            self.data.get(self.add_prefix(name), "")
            for name in ("email", "backup_email")
            if name in self.fields
        ]
        passwords.validate(password, person=self.person, emails=(*self.emails, *typed))
        return password

    def clean_password_again(self):
        password = self.cleaned_data.get("password")
        again = self.cleaned_data.get("password_again")
        if password and again != password:
            raise forms.ValidationError(_("The two passwords are not the same."))
        return again


class ContactFields(forms.Form):
    phone = PhoneField(label=_("Contact phone"), required=False)
    mobile = MobileField(
        label=_("Mobile phone"),
        required=False,
        help_text=_("Used later to verify your mobile devices; please fill it in."),
    )
    email = forms.EmailField(
        label=_("E-mail (primary)"),
        help_text=_(
            "The confirmation e-mail goes here. Some providers (such as Hotmail) may "
            "delay or reject our mail."
        ),
    )
    backup_email = forms.EmailField(label=_("E-mail (backup)"), required=False)


class HouseholdFields(forms.Form):
    """戶號 and 戶籍鄉鎮里鄰, in cascading selects (static/identity/divisions.js)."""

    household_number = TypedField(
        label=_("Household number"),
        validators=[HOUSEHOLD_NUMBER],
        help_text=_("The number at the top left of the cover of your household register."),
    )
    county = forms.ModelChoiceField(
        County.objects.all(), label=_("County or city"), empty_label=_("Choose a county or city")
    )
    township = forms.ModelChoiceField(
        Township.objects.all(),
        label=_("Township or district"),
        empty_label=_("Choose a township or district"),
    )
    village = forms.ModelChoiceField(
        Village.objects.all(), label=_("Village"), empty_label=_("Choose a village")
    )
    neighbourhood = forms.IntegerField(label=_("Neighbourhood (鄰)"), min_value=1, max_value=99)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer (and accept) only the townships of the chosen county and the villages of
        # the chosen township; divisions.js refills them as the person chooses.
        county = self.data.get(self.add_prefix("county")) or ""
        township = self.data.get(self.add_prefix("township")) or ""
        township_field = cast(forms.ModelChoiceField, self.fields["township"])
        township_field.queryset = Township.objects.filter(county_id=county)
        village_field = cast(forms.ModelChoiceField, self.fields["village"])
        village_field.queryset = Village.objects.filter(township_id=township)

    def clean(self):
        cleaned = super().clean() or {}
        county, township, village = (cleaned.get(k) for k in ("county", "township", "village"))
        if county and township and township.county_id != county.pk:
            self.add_error("township", _("Choose a township of the county you chose."))
        elif township and village and village.township_id != township.pk:
            self.add_error("village", _("Choose a village of the township you chose."))
        return cleaned


class RulesForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the rules and understand them"),
        error_messages={"required": _("Tick the box to accept the rules before you go on.")},
    )


class ApplyCardForm(HouseholdFields, CardForm):
    pass


class ApplyDetailsForm(PasswordFields, ContactFields):
    pass


class CardOnlyForm(CardForm):
    pass


class ConfirmForm(CardForm):
    pass


class ConfirmWithPasswordForm(PasswordFields, CardForm):
    """Employer-registered people set their password when they confirm."""


class ForgotForm(HouseholdFields, CardForm):
    MAIL, CHANGE = "mail", "change"
    mode = forms.ChoiceField(
        label=_("How to send the password-reset e-mail"),
        choices=[
            (MAIL, _("Send the reset e-mail to my registered address")),
            (CHANGE, _("Change my e-mail address, then send the reset e-mail")),
        ],
        initial=MAIL,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(label=_("New e-mail address"), required=False)
    mobile = MobileField(label=_("Mobile phone"), required=False)

    HOUSEHOLD = ("household_number", "county", "township", "village", "neighbourhood")
    field_order = ["mode", "email", *HOUSEHOLD, "mobile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Household fields are needed only to change the address; checked in clean().
        for name in self.HOUSEHOLD:
            self.fields[name].required = False

    def clean(self):
        if self.data.get("mode") == self.CHANGE:
            if not self.data.get("email"):
                self.add_error("email", _("Enter the new e-mail address."))
            for name in self.HOUSEHOLD:
                if not self.data.get(name):
                    self.add_error(name, _("This field is required to change the address."))
        return super().clean()


class ResetForm(PasswordFields, CardForm):
    pass


class ChangePasswordForm(PasswordFields):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password", "password_again"]


class AccountForm(ContactFields):
    current_password = forms.CharField(
        label=_("Your password (to confirm the change)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


# --- sign-in -------------------------------------------------------------------------------


class PasswordLoginForm(forms.Form):
    """一般登入: national ID + NHI card number + password + image code (seed 000)."""

    national_id = NationalIdField(label=_("National ID"), max_length=10)
    card_number = CardNumberField(
        label=_("NHI card number"),
        help_text=_("The twelve digits on the front of your NHI card."),
    )
    password = forms.CharField(
        label=_("Online-service password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = ImageCodeField()


class CardLoginForm(CardForm):
    """健保卡: the card in the reader + password + image code (seed 000, steps 3 and 4)."""

    password = PasswordLoginForm.base_fields["password"]
    captcha = ImageCodeField()


class RegistrationLoginForm(CardForm):
    """The registration site's sign-in: card + password."""

    password = PasswordLoginForm.base_fields["password"]


class CertificateLoginForm(CardForm):
    """自然人憑證: the certificate card signs with its PIN, in the card agent. No image code:
    the seeds show none here (identity.imagecode), and the card's signature of a one-time
    challenge already keeps robots out; so it is also the sign-in without a test to read
    or hear (WCAG 2.2 SC 3.3.8)."""

    card_kind = "certificate"


# --- asking again, mobile devices, personal e-services ------------------------------------


class PasswordAgainForm(forms.Form):
    """Sensitive actions ask again: the registration password, even inside a live session."""

    password = forms.CharField(
        label=_("Registration password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your registration password to confirm.")},
    )


class MobileAccountForm(PasswordFields):
    """行動裝置帳號申請: the password the NHI Express app signs in with, and an e-mail."""

    email = forms.EmailField(
        label=_("E-mail (primary)"),
        help_text=_(
            "We tell you here when your account changes, and send password-reset links here."
        ),
    )


# --- family access (identity.delegation) -------------------------------------------------


def _period_choices() -> list[tuple[int, str]]:
    return [(days, _("%(days)d days") % {"days": days}) for days in rules.DELEGATION_PERIODS]


class DelegationPeriodField(forms.TypedChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("For how long"),
            choices=_period_choices,
            coerce=int,
            initial=rules.DEFAULT_DELEGATION_PERIOD,
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose how long.")},
            **kwargs,
        )


class DelegationFields(forms.Form):
    """Who may see what for how long: the family member by ID number and date of birth
    (both must match a registered adult), the seed's categories grouped as the seed groups
    them, and the period. The online page adds the password, the counter the owner's ID."""

    delegate_id = NationalIdField(
        label=_("Family member's ID number"),
        max_length=10,
        error_messages={"required": _("Enter the family member's ID number.")},
    )
    delegate_birth_date = forms.DateField(
        label=_("Family member's date of birth"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the family member's date of birth."),
            "invalid": _("Enter the date as year-month-day, for example 1960-05-31."),
        },
    )
    categories = forms.MultipleChoiceField(
        label=_("Records the family member may see"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one kind of record the family member may see.")
        },
    )
    days = DelegationPeriodField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["categories"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101  # for mypy
        field.choices = category_choices(grouped=True)


class DelegationOfferForm(DelegationFields, PasswordAgainForm):
    pass


class DelegationRenewForm(PasswordAgainForm):
    days = DelegationPeriodField()
