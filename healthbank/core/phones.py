"""Taiwanese phone numbers as people write them, and the one form they are stored in.

People write 02-2345-6789, (02) 2345-6789, 02 2345 6789, 0912-345-678, 0912 345 678,
+886 912 345 678, ０２－２３４５－６７８９ (a Chinese input method in full-width mode), and an
extension after #, 分機, 轉 or ext. All of these are accepted, and stored as digits only,
with the area code and the leading 0 (0223456789, 0912345678), and an extension after #
(0223456789#123): the form the accounts held already, which the carriers' check, the
employers' batch files and the seeds' examples (0912345678) use too.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from healthbank.core.typed import TypedField, ascii_typed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Kind = Literal["mobile", "phone"]

# [0-9], never \d: other scripts' digits are refused (core.typed).
MOBILE = re.compile(r"09[0-9]{8}")
# Area code and number: 02 + 8 digits, 037 or 089 + 6, 049 + 7, 0836 (Matsu) + 4, ...:
# 8 to 10 digits after the leading 0 and an area digit 2-8; a mobile number is a contact
# phone too.
LANDLINE = re.compile(r"0[2-8][0-9]{6,8}")
# Between digit groups: spaces, hyphens and the dashes that look like one, dots.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.]+")
# (02) 2345-6789 or (0912)345-678, as the seeds' forms show it: brackets round the area code.
_BRACKETED_AREA = re.compile(r"^\((0[0-9]{1,3})\)")
_EXTENSION = re.compile(r"(?:#|分機|轉|ext\.?|x)\s*([0-9]{1,6})$", re.IGNORECASE)
_COUNTRY = re.compile(r"^(?:\+|00)886(?:\(0\))?")

TYPED_MAX_LENGTH = 30
MOBILE_EXAMPLE = "0912-345-678"
PHONE_EXAMPLE = "02-2345-6789"

MESSAGES = {
    "mobile": _(
        "Enter a mobile number: ten digits starting with 09, such as 0912-345-678 or 0912 345 678."
    ),
    "phone": _(
        "Enter a phone number with its area code, such as 02-2345-6789, (02) 2345-6789 or "
        "0912-345-678; put an extension after #, such as 02-2345-6789#123."
    ),
}
HELP = {
    "mobile": _("Ten digits starting with 09, such as 0912-345-678."),
    "phone": _("With the area code, such as 02-2345-6789 or (02) 2345-6789; an extension after #."),
}


class NotAPhoneNumber(ValueError):
    """What was typed is not a Taiwanese number of the kind asked for."""


def canonical(value: str, kind: Kind = "phone") -> str:
    """The stored form of a typed number: 0223456789, 0223456789#123 or 0912345678.

    `kind` "mobile" takes only a mobile number (09 and eight digits, no extension); "phone"
    takes a number with its area code, or a mobile number. An empty value stays empty.
    Raises NotAPhoneNumber otherwise.
    """
    text = ascii_typed(value).strip()
    if not text:
        return ""
    extension = ""
    if kind == "phone" and (found := _EXTENSION.search(text)):
        extension, text = found.group(1), text[: found.start()].rstrip()
    text = _SEPARATORS.sub("", text)
    if country := _COUNTRY.match(text):  # +886 912 345 678; +886 (0)2 ...; 00886 2 ...
        text = "0" + text[country.end() :].removeprefix("0")
    text = _BRACKETED_AREA.sub(r"\1", text)
    mobile = MOBILE.fullmatch(text) is not None
    if not (mobile or (kind == "phone" and LANDLINE.fullmatch(text))) or (extension and mobile):
        raise NotAPhoneNumber(value)
    return f"{text}#{extension}" if extension else text


def is_valid(value: str, kind: Kind = "phone") -> bool:
    try:
        canonical(value, kind)
    except NotAPhoneNumber:
        return False
    return True


class PhoneField(TypedField):
    """A phone number typed in any of the usual ways, cleaned to its stored form; the
    expected form is shown before anything is typed (help text and placeholder)."""

    kind: Kind = "phone"

    def __init__(self, *, help_text: StrOrPromise = "", **kwargs):
        example = MOBILE_EXAMPLE if self.kind == "mobile" else PHONE_EXAMPLE
        # As typed (+886 912 345 678 is longer than the stored 0912345678), also in a model
        # form, whose column is sized for the stored form.
        kwargs["max_length"] = TYPED_MAX_LENGTH
        # The admin brings its own widget (its CSS class); either way it is a phone box.
        widget = kwargs.pop("widget", None) or forms.TextInput
        widget = copy.deepcopy(widget() if isinstance(widget, type) else widget)
        widget.input_type = "tel"
        widget.attrs.update(
            {
                "inputmode": "tel",
                "autocomplete": "mobile tel-national" if self.kind == "mobile" else "tel-national",
                "placeholder": example,
            }
        )
        # The expected form first, then what the form says the number is for.
        # Chinese sentences follow each other without a space.
        joined = pgettext_lazy("two sentences in a row", "{first} {second}")
        shown = (
            format_lazy(joined, first=HELP[self.kind], second=help_text)
            if help_text
            else HELP[self.kind]
        )
        super().__init__(widget=widget, help_text=shown, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return canonical(value, self.kind)
        except NotAPhoneNumber:
            raise ValidationError(MESSAGES[self.kind], code="invalid") from None


class MobileField(PhoneField):
    kind: Kind = "mobile"
