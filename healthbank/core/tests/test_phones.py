"""Taiwanese phone numbers typed as people write them become one stored form; anything else
is refused with a message that shows the expected form, in both languages."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from healthbank.core import phones
from healthbank.core.tests.digits import OTHER_SCRIPTS, full_width, written_in


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("02-2345-6789", "0223456789"),
        ("(02) 2345-6789", "0223456789"),
        ("(02)2345-6789", "0223456789"),
        ("02 2345 6789", "0223456789"),
        ("0223456789", "0223456789"),
        ("02-23456789", "0223456789"),  # the old form's example
        ("02.2345.6789", "0223456789"),
        ("02–2345–6789", "0223456789"),  # en dashes, as a word processor makes them
        ("０２－２３４５－６７８９", "0223456789"),  # full-width, from a Chinese input method
        ("+886 2 2345 6789", "0223456789"),
        ("+886 (0)2 2345-6789", "0223456789"),
        ("02-2345-6789#123", "0223456789#123"),
        ("02-2345-6789 # 123", "0223456789#123"),
        ("02-2345-6789 分機 123", "0223456789#123"),
        ("02-2345-6789轉123", "0223456789#123"),
        ("02-2345-6789 ext. 123", "0223456789#123"),
        ("(06)224-5678", "062245678"),  # the seed's 南區業務組
        ("05-2654321", "052654321"),  # the seed's batch-file example
        ("(037)123-456", "037123456"),
        ("(049)2345-678", "0492345678"),
        ("0836-1234", "08361234"),  # Matsu
        ("0912-345-678", "0912345678"),  # a mobile is a contact phone too
        ("", ""),
        ("   ", ""),
    ],
)
def test_phone_numbers_as_people_write_them(typed, stored):
    assert phones.canonical(typed, "phone") == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912-345-678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912345678", "0912345678"),
        ("(0912)345-678", "0912345678"),
        ("+886 912 345 678", "0912345678"),
        ("+886-912-345-678", "0912345678"),
        ("00886 912 345 678", "0912345678"),
        ("０９１２－３４５－６７８", "0912345678"),
        ("", ""),
    ],
)
def test_mobile_numbers_as_people_write_them(typed, stored):
    assert phones.canonical(typed, "mobile") == stored


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("2345-6789", "phone"),  # no area code
        ("02-2345", "phone"),  # too short
        ("02-2345-67890", "phone"),  # too long
        ("12-2345-6789", "phone"),  # no leading 0
        ("01-2345-6789", "phone"),  # no area 01
        ("02-2345-6789#", "phone"),
        ("02-2345-6789#1234567", "phone"),  # a seven-digit extension
        ("0912-345-678#12", "phone"),  # mobiles have no extension
        ("02-2345-6789 or 0912-345-678", "phone"),
        ("phone: 02-2345-6789", "phone"),
        ("02-2345-6789", "mobile"),  # not a mobile
        ("0912-345-67", "mobile"),
        ("0912-345-6789", "mobile"),
        ("912-345-678", "mobile"),
        ("+1 912 345 678", "mobile"),
        ("0912-345-678#1", "mobile"),
        ("O912-345-678", "mobile"),  # the letter O
    ],
)
def test_not_a_number_of_the_kind_asked_for_is_refused(typed, kind):
    with pytest.raises(phones.NotAPhoneNumber):
        phones.canonical(typed, kind)
    assert not phones.is_valid(typed, kind)


@pytest.mark.parametrize("script", OTHER_SCRIPTS)
def test_digits_of_other_scripts_are_refused(script):
    for kind, number in (("phone", "02-2345-6789"), ("mobile", "0912-345-678")):
        assert not phones.is_valid(written_in(number, script), kind)


# A number in its stored form, then written with the separators and groupings people use.
areas = st.sampled_from(["02", "03", "037", "04", "049", "05", "06", "07", "08", "089", "082"])
landlines = st.builds(
    lambda area, rest: area + rest,
    areas,
    st.text("0123456789", min_size=6, max_size=8),
).filter(lambda number: 8 <= len(number) <= 10)
mobiles = st.text("0123456789", min_size=8, max_size=8).map(lambda rest: "09" + rest)
separators = st.sampled_from(["", "-", " ", "  ", " - ", ".", "\u2013", "\u3000"])


@st.composite
def written(draw, numbers):
    """A stored number as a person might type it: groups split anywhere by separators,
    the area code perhaps in brackets or after +886, perhaps in full width."""
    number = draw(numbers)
    area = 4 if number.startswith("09") else 2 if number.startswith("02") else 3
    head, rest = number[:area], number[area:]
    cuts = sorted(draw(st.sets(st.integers(1, len(rest) - 1), max_size=3)))
    groups = [rest[i:j] for i, j in zip([0, *cuts], [*cuts, len(rest)], strict=True)]
    body = draw(separators).join(groups) if len(groups) > 1 else groups[0]
    style = draw(st.sampled_from(["plain", "brackets", "country"]))
    if style == "brackets":
        text = f"({head}){draw(separators)}{body}"
    elif style == "country":
        text = f"+886{draw(separators)}{head[1:]}{draw(separators)}{body}"
    else:
        text = f"{head}{draw(separators)}{body}"
    return number, full_width(text) if draw(st.booleans()) else text


@given(written(landlines | mobiles))
def test_any_way_of_writing_a_phone_number_gives_its_stored_form(case):
    number, text = case
    assert phones.canonical(text, "phone") == number


@given(written(mobiles))
def test_any_way_of_writing_a_mobile_number_gives_its_stored_form(case):
    number, text = case
    assert phones.canonical(text, "mobile") == number


@given(st.text(max_size=20))
def test_the_stored_form_is_stored_as_it_is(text):
    for kind in ("phone", "mobile"):
        if phones.is_valid(text, kind):
            stored = phones.canonical(text, kind)
            assert phones.canonical(stored, kind) == stored
            assert re.fullmatch(r"[0-9]{8,10}(#[0-9]{1,6})?", stored) or not text.strip()


class ContactForm(forms.Form):
    phone = phones.PhoneField(label="phone", required=False)
    mobile = phones.MobileField(label="mobile", required=False, help_text="For your devices.")


def test_the_form_shows_the_expected_form_before_anything_is_typed():
    with translation.override("zh-hant"):
        html = str(ContactForm())
    assert 'placeholder="02-2345-6789"' in html
    assert 'placeholder="0912-345-678"' in html
    assert "請含區碼，例如 02-2345-6789 或 (02) 2345-6789" in html
    assert "09 開頭的十碼數字，例如 0912-345-678。For your devices." in html
    assert 'type="tel"' in html
    with translation.override("en"):
        assert "such as 0912-345-678. For your devices." in str(ContactForm())


@pytest.mark.parametrize(
    ("language", "phone_message", "mobile_message"),
    [
        (
            "zh-hant",
            "請輸入含區碼的電話號碼，例如 02-2345-6789",
            "請輸入行動電話：09 開頭的十碼數字",
        ),
        ("en", "Enter a phone number with its area code", "Enter a mobile number: ten digits"),
    ],
)
def test_a_refused_number_is_told_in_the_pages_language(language, phone_message, mobile_message):
    form = ContactForm({"phone": "2345-6789", "mobile": "0912-345"})
    with translation.override(language):
        assert not form.is_valid()
        assert phone_message in form.errors["phone"][0]
        assert mobile_message in form.errors["mobile"][0]


def test_the_form_cleans_to_the_stored_form():
    form = ContactForm({"phone": "(02) 2345-6789 分機 12", "mobile": "+886 912 345 678"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"phone": "0223456789#12", "mobile": "0912345678"}
