"""The request form: the seed's table of categories (合併資料 / 單月份資料), and the password
asked again, since a package carries all of one's records (STYLE: sensitive actions ask again);
the view checks it once the rest of the form is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from healthbank.downloads.models import PackageRequest
from healthbank.records.categories import CATEGORIES

Mode = PackageRequest.Mode


class PackageForm(forms.Form):
    password = forms.CharField(
        label=_("Your registration password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Asked again because a package holds all your records."),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        for category in CATEGORIES:
            self.fields[f"c_{category.code}"] = forms.BooleanField(
                label=category.label, required=False
            )
            if category.monthly:
                self.fields[f"m_{category.code}"] = forms.ChoiceField(
                    choices=Mode.choices,
                    initial=Mode.MERGED,
                    required=False,  # merged unless single months are chosen
                    widget=forms.RadioSelect,
                )

    def rows(self):
        """Each category with its period, its checkbox and, for △ ones, merged or monthly."""
        for category in CATEGORIES:
            mode = self[f"m_{category.code}"] if category.monthly else None
            yield category, category.window(self.today), self[f"c_{category.code}"], mode

    def clean(self):
        data = super().clean() or {}
        if not any(data.get(f"c_{c.code}") for c in CATEGORIES):
            raise forms.ValidationError(_("Choose at least one category."), code="empty")
        return data

    def choices(self) -> list[dict]:
        return [
            {"code": c.code, "mode": self.cleaned_data.get(f"m_{c.code}") or Mode.MERGED}
            for c in CATEGORIES
            if self.cleaned_data.get(f"c_{c.code}")
        ]
