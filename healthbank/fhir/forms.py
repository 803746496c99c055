"""The consent screen's form and the developer pages' forms."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from healthbank.fhir import rules
from healthbank.fhir.models import Developer
from healthbank.identity.imagecode import ImageCodeField
from healthbank.records.categories import Category, category_choices

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ConsentForm(forms.Form):
    """What the person lets the app read: the categories it asked for (each ticked, to
    untick), demographics (unticked), how long, and their password again."""

    categories = forms.MultipleChoiceField(
        label=_("Records the app may read"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    demographics = forms.BooleanField(
        label=_("My name, sex and date of birth"),
        required=False,
        help_text=_("Never your ID number: apps are not given it."),
    )
    period = forms.ChoiceField(
        label=_("For how long"),
        choices=[(code, label) for code, (_length, label) in rules.GRANT_PERIODS.items()],
        initial=rules.DEFAULT_GRANT_PERIOD,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Your registration password"),
        strip=False,
        required=False,  # not when denying
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Asked again because the app will read your records."),
    )

    def __init__(self, *args, asked: list[Category], asks_demographics: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["categories"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101  # for mypy
        field.choices = category_choices(asked)
        self.initial["categories"] = [category.code for category in asked]
        if not asks_demographics:
            del self.fields["demographics"]

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("password"):
            self.add_error("password", _("Type your registration password to allow access."))
        return data


def _redirect_uri_problem(uri: str) -> StrOrPromise | None:
    parts = urlsplit(uri)
    if parts.scheme != "https" or not parts.hostname:
        return _("A redirect URI is a full https address, such as https://app.example/callback/.")
    if parts.fragment:
        return _("A redirect URI may not have a #fragment.")
    return None


class RedirectUrisField(forms.CharField):
    """Redirect URIs, one a line; each must be matched exactly by the app's requests."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value) -> list[str]:
        text = super().clean(value)
        uris = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
        if not uris:
            raise ValidationError(_("Give at least one redirect URI."))
        problems = [f"{uri}: {problem}" for uri in uris if (problem := _redirect_uri_problem(uri))]
        if problems:
            raise ValidationError(problems)
        return uris


class AppForm(forms.Form):
    name = forms.CharField(label=_("App name"), max_length=100)
    publisher = forms.CharField(label=_("Publisher"), max_length=100)
    description = forms.CharField(
        label=_("What the app does"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    privacy_policy = forms.URLField(label=_("Privacy policy (address)"), assume_scheme="https")
    homepage = forms.URLField(label=_("Home page"), required=False, assume_scheme="https")
    redirect_uris = RedirectUrisField(
        label=_("Redirect URIs"), help_text=_("One a line; requests must use one exactly.")
    )
    client_type = forms.ChoiceField(
        label=_("Client type"),
        choices=[
            ("public", _("Public (a phone or browser app: PKCE, no secret)")),
            ("confidential", _("Confidential (a server: PKCE and a client secret)")),
        ],
        widget=forms.RadioSelect,
    )
    environment = forms.ChoiceField(
        label=_("Environment"),
        choices=[
            ("sandbox", _("Sandbox: synthetic test people only, usable at once")),
            ("production", _("Production: real people, after NHIA's review")),
        ],
        widget=forms.RadioSelect,
    )


class RedirectUrisForm(forms.Form):
    redirect_uris = RedirectUrisField(
        label=_("Redirect URIs"), help_text=_("One a line; requests must use one exactly.")
    )


# The developer's user name is "developer:" + the e-mail, in auth_user.username (150).
DEVELOPER_EMAIL_MAX = 140


class DeveloperSignUpForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=DEVELOPER_EMAIL_MAX)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    TAKEN = _("A developer has signed up with this e-mail: sign in instead.")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Developer.objects.filter(email=email).exists():
            raise ValidationError(self.TAKEN)
        return email

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password"):
            try:
                password_validation.validate_password(data["password"])
            except ValidationError as error:
                self.add_error("password", error)
        return data


class DeveloperLoginForm(forms.Form):
    """E-mail + password + image code, as insured units sign in."""

    email = forms.EmailField(label=_("E-mail"), max_length=DEVELOPER_EMAIL_MAX)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = ImageCodeField()
