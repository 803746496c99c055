"""National ID and resident certificate numbers: formats and check digits."""

import string

import pytest
from django.core.exceptions import ValidationError
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st

from healthbank.core.tests.digits import OTHER_SCRIPTS, full_width, written_in
from healthbank.people.identifiers import (
    LETTER_CODES,
    WEIGHTS,
    check_digit,
    is_national_id,
    is_resident_certificate,
    normalise,
    validate_personal_id,
)

letters = st.sampled_from(sorted(LETTER_CODES))
seven_digits = st.text(string.digits, min_size=7, max_size=7)


@st.composite
def national_ids(draw):
    head = draw(letters) + draw(st.sampled_from("12")) + draw(seven_digits)
    return head + check_digit(head)


@st.composite
def resident_numbers(draw):
    second = draw(st.sampled_from("89ABCD"))
    head = draw(letters) + second + draw(seven_digits)
    return head + check_digit(head)


def test_known_ids():
    assert is_national_id("A123456789")
    assert not is_national_id("A123456788")
    assert is_resident_certificate("A800000014")  # new format (2021)
    assert is_resident_certificate("AC01234567")  # old format


@given(national_ids())
def test_valid_national_ids_are_accepted(value):
    assert is_national_id(value)
    validate_personal_id(value)


@given(resident_numbers())
def test_valid_resident_numbers_are_accepted(value):
    assert is_resident_certificate(value)
    assert not is_national_id(value)
    validate_personal_id(value)


def test_faker_national_ids_are_accepted():
    """An independent generator: Faker's zh_TW national IDs all pass."""
    fake = Faker("zh_TW")
    fake.seed_instance(7)
    for _ in range(500):
        assert is_national_id(fake.ssn())


# Weight of each of the nine characters after the letter.
POSITION_WEIGHT = dict(zip(range(1, 10), WEIGHTS[2:], strict=True))


@given(national_ids(), st.integers(1, 9), st.integers(1, 9))
def test_every_detectable_digit_change_is_rejected(value, position, delta):
    """A changed digit is caught unless weight × change is a multiple of ten.

    The check digit (weight 1) and the digits of weight 7 and 3 catch every change;
    weights 8, 6, 4, 2 miss only a change by 5, and weight 5 only an even change. This
    is the design of the national ID, not of this code: such IDs are someone else's.
    """
    old = int(value[position])
    new = (old + delta) % 10
    if position == 1 and str(new) not in "12":
        return  # not a national ID at all; the format test below covers it
    changed = value[:position] + str(new) + value[position + 1 :]
    detectable = (POSITION_WEIGHT[position] * delta) % 10 != 0
    assert is_national_id(changed) is not detectable


@given(national_ids(), st.sampled_from(sorted(LETTER_CODES)))
def test_area_letter_change_is_rejected_unless_codes_agree(value, letter):
    """The letter counts as (tens + 9 × units) of its code; letters alike there slip by."""
    if letter == value[0]:
        return
    code, old = LETTER_CODES[letter], LETTER_CODES[value[0]]
    same_sum = (code // 10 + 9 * (code % 10)) % 10 == (old // 10 + 9 * (old % 10)) % 10
    assert is_national_id(letter + value[1:]) is same_sum


@given(
    national_ids(),
    st.integers(0, 9),
    st.sampled_from(string.ascii_uppercase + string.digits + "-* "),
)
def test_character_of_the_wrong_kind_is_rejected(value, position, char):
    if (position == 0) == char.isalpha() and (position != 1 or char in "12"):
        return  # right kind of character: covered by the tests above
    changed = value[:position] + char + value[position + 1 :]
    assert not is_national_id(changed)


def test_checksum_blind_spots_exist():
    """Documented, not a bug: letters A and M weigh the same, and so does 4 -> 6 at weight 5."""
    assert is_national_id("A123456789") and is_national_id("M123456789")
    assert is_national_id("A123656789")
    assert not is_national_id("A123456780")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("A12345678", "format"),
        ("a1234567890", "format"),
        ("A323456789", "format"),
        ("A123456788", "checksum"),
        ("", "format"),
    ],
)
def test_validator_says_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as error:
        validate_personal_id(value)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("language", "format_words", "checksum_words"),
    [("zh-hant", "身分證", "檢查碼"), ("en", "national ID", "check digit")],
)
def test_validator_messages_speak_both_languages(language, format_words, checksum_words):
    from django.utils import translation

    with translation.override(language):
        with pytest.raises(ValidationError) as bad_format:
            validate_personal_id("A12345")
        with pytest.raises(ValidationError) as bad_checksum:
            validate_personal_id("A123456788")
        assert format_words in bad_format.value.messages[0]
        assert checksum_words in bad_checksum.value.messages[0]


# --- what a person types: full-width made ASCII, other scripts' digits refused -------------


@given(national_ids() | resident_numbers())
def test_a_full_width_id_is_normalised_then_accepted(value):
    typed = full_width(value.lower())  # ａ１２３４５６７８９, as a Chinese input method types it
    assert normalise(f" {typed} ") == value
    validate_personal_id(normalise(typed))


@pytest.mark.parametrize("script", OTHER_SCRIPTS)
@given(value=national_ids() | resident_numbers())
def test_other_scripts_digits_are_an_invalid_id(script, value):
    typed = normalise(written_in(value, script))
    assert not is_national_id(typed) and not is_resident_certificate(typed)
    with pytest.raises(ValidationError) as refused:
        validate_personal_id(typed)
    assert refused.value.code == "format"


def test_one_foreign_digit_is_enough_to_refuse():
    assert is_national_id("A123456789")
    for script in OTHER_SCRIPTS:
        with pytest.raises(ValidationError):
            validate_personal_id("A12345678" + written_in("9", script))
