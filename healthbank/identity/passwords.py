"""What a registration password may be: the seed's 6 to 12 characters, not a common password,
and not built from the person's national ID, birthday or e-mail address.

One list of Django password validators (VALIDATORS), checked wherever a person sets a
password: the forms call validate() to show every reason beside the field, the services call
it again before the hash is stored. Staff users' passwords follow settings'
AUTH_PASSWORD_VALIDATORS instead (Django's own forms and commands).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from healthbank.identity import rules
from healthbank.people.models import Person

VALIDATORS = [
    {"NAME": "healthbank.identity.passwords.LengthValidator"},
    {"NAME": "healthbank.identity.passwords.CommonPasswordValidator"},
    {"NAME": "healthbank.identity.passwords.PersonalDataValidator"},
]

# A password holding this many characters of the ID in a row is built from it: as many as
# the shortest password the seed allows.
ID_RUN = rules.PASSWORD_MIN_LENGTH
# E-mail local parts shorter than this (e.g. "ab@") are too short to tell anything by.
EMAIL_PART_MIN = 4


@dataclass(frozen=True)
class Owner:
    """Whose password it is, as the validators see them (in place of Django's user)."""

    national_id: str = ""
    birth_date: dt.date | None = None
    emails: tuple[str, ...] = ()


def validate(password: str, *, person: Person | None, emails: Iterable[str] = ()) -> None:
    """ValidationError with every reason the password is refused, or nothing. `emails`: the
    addresses on record and any being entered with the password."""
    owner = Owner(
        national_id=person.national_id if person else "",
        birth_date=person.birth_date if person else None,
        emails=tuple(e for e in emails if e),
    )
    # Django hands `user` to the validators only; ours read an Owner (the stubs say User).
    password_validation.validate_password(password, owner, password_validators=_validators())  # type: ignore[arg-type]


@functools.cache
def _validators() -> list:
    # Built once: CommonPasswordValidator reads its list of 20,000 passwords when made.
    return password_validation.get_password_validators(VALIDATORS)


def _compact(value: str) -> str:
    """Lower-case letters and digits only, so that separators and case hide nothing."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", value).lower())


class LengthValidator:
    """Seed 000 and 003: 註冊密碼長度必需6-12碼."""

    message = _("The password must be 6 to 12 characters long.")

    def validate(self, password: str, user=None) -> None:
        if not rules.PASSWORD_MIN_LENGTH <= len(password) <= rules.PASSWORD_MAX_LENGTH:
            raise ValidationError(self.message, code="password_length")

    def get_help_text(self) -> str:
        return str(self.message)


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords, with a message that says what to do."""

    def get_error_message(self) -> str:
        return str(
            _(
                "This password is one of the most common ones, which are tried first by anyone "
                "guessing. Choose another."
            )
        )


class PersonalDataValidator:
    """Not built from what others may know of the person: the national ID (or six of its
    characters in a row), the birthday in Western or ROC form, an e-mail address."""

    def validate(self, password: str, user: Owner | None = None) -> None:
        if user is None:
            return
        typed = _compact(password)
        errors = []
        if self._has_id(typed, user.national_id):
            errors.append(
                ValidationError(
                    _(
                        "The password must not contain your national ID or six or more of its "
                        "characters in a row."
                    ),
                    code="password_has_id",
                )
            )
        if user.birth_date and any(day in typed for day in birthday_forms(user.birth_date)):
            errors.append(
                ValidationError(
                    _(
                        "The password must not contain your date of birth (in any form, such as "
                        "19660312, 660312 or the ROC 0550312 and 550312)."
                    ),
                    code="password_has_birthday",
                )
            )
        if any(self._has_email(typed, email) for email in user.emails):
            errors.append(
                ValidationError(
                    _("The password must not be built from your e-mail address."),
                    code="password_has_email",
                )
            )
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _has_id(typed: str, national_id: str) -> bool:
        national_id = _compact(national_id)
        runs = {national_id[i : i + ID_RUN] for i in range(len(national_id) - ID_RUN + 1)}
        return any(run in typed for run in runs)

    @staticmethod
    def _has_email(typed: str, email: str) -> bool:
        """The local part, or a word of it (chen.zhiming: "zhiming"), is in the password, or
        the password is a piece of the local part."""
        local = email.rpartition("@")[0]
        words = {_compact(word) for word in re.split(r"[^0-9A-Za-z]+", local)} | {_compact(local)}
        if any(len(word) >= EMAIL_PART_MIN and word in typed for word in words):
            return True
        return len(typed) >= EMAIL_PART_MIN and typed in _compact(local)

    def get_help_text(self) -> str:
        return str(_("Not built from your national ID, birthday or e-mail address."))


def birthday_forms(born: dt.date) -> set[str]:
    """How people write their birthday in a password: 19660312, 660312, 03121966, 12031966,
    and in the ROC calendar (民國55年) 0550312 and 550312. Forms shorter than six digits
    (ROC years below 10) would refuse too much and are left out."""
    year, md = born.year, f"{born.month:02}{born.day:02}"
    forms = {
        f"{year:04}{md}",
        f"{year % 100:02}{md}",
        f"{md}{year:04}",
        f"{born.day:02}{born.month:02}{year:04}",
    }
    roc = year - 1911
    if roc > 0:
        forms |= {f"{roc:03}{md}", f"{roc}{md}"}
    return {form for form in forms if len(form) >= rules.PASSWORD_MIN_LENGTH}
