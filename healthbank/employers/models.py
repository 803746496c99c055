"""Insured units' sign-in, and their batch-registration uploads with each row's result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UnitLogin(models.Model):
    """An insured unit's sign-in to the unit pages (多憑證網路承保作業 stand-in).

    The password hash lives on the linked Django user (Argon2), which also carries the
    session; such a user has no personal Account and is not staff.
    """

    unit = models.OneToOneField(
        "people.InsuredUnit", models.CASCADE, related_name="login", verbose_name=_("insured unit")
    )
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="unit_login")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("insured unit sign-in")
        verbose_name_plural = _("insured unit sign-ins")

    def __str__(self) -> str:
        return str(self.unit_id)


class Batch(models.Model):
    """One uploaded file of 健保卡註冊申請整批資料上傳, with its counts once processed."""

    unit = models.ForeignKey(
        "people.InsuredUnit",
        models.PROTECT,
        related_name="registration_batches",
        verbose_name=_("insured unit"),
    )
    file_name = models.CharField(_("file name"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_email = models.EmailField(_("contact e-mail"))
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    accepted_count = models.PositiveIntegerField(_("accepted"), default=0)
    refused_count = models.PositiveIntegerField(_("refused"), default=0)

    class Meta:
        verbose_name = _("registration batch")
        verbose_name_plural = _("registration batches")
        indexes = [models.Index(fields=["unit", "-uploaded_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def result_file_name(self) -> str:
        """1234567891151123_result.csv for 1234567891151123.csv."""
        stem = self.file_name.rsplit(".", 1)[0]
        return f"{stem}_result.csv"


class BatchRow(models.Model):
    """One row of an uploaded file, as written, and whether it was accepted (受理) or not."""

    class Result(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        ID_MISSING = "id_missing", _("National ID missing")
        ID_INVALID = "id_invalid", _("National ID not valid")
        ID_CHECKSUM = "id_checksum", _("National ID check digit wrong")
        EMAIL_MISSING = "email_missing", _("E-mail missing")
        EMAIL_INVALID = "email_invalid", _("E-mail not valid")
        MOBILE_INVALID = "mobile_invalid", _("Mobile number not valid")
        PHONE_INVALID = "phone_invalid", _("Phone number not valid")
        DUPLICATE = "duplicate", _("Repeated in the file")
        NOT_INSURED = "not_insured", _("Not insured under this unit")
        ALREADY_REGISTERED = "already_registered", _("Already registered")

    # What the unit reads in the result file and on the details page: what to do next.
    MESSAGES: dict[str, StrOrPromise] = {
        Result.ACCEPTED: _(
            "A confirmation e-mail was sent. The person must open its link and set a "
            "password within 5 days."
        ),
        Result.ID_MISSING: _("Column A (national ID) is empty."),
        Result.ID_INVALID: _(
            "Column A is not a national ID or resident certificate number (one letter and "
            "nine digits, e.g. A123456789)."
        ),
        Result.ID_CHECKSUM: _(
            "The national ID in column A does not pass its check digit; check for a typing error."
        ),
        Result.EMAIL_MISSING: _("Column B (e-mail) is empty; an e-mail address is required."),
        Result.EMAIL_INVALID: _("The e-mail address in column B is not valid."),
        Result.MOBILE_INVALID: _(
            "The mobile number in column C must be ten digits starting with 09, e.g. "
            "0912345678 (or leave it empty)."
        ),
        Result.PHONE_INVALID: _(
            "The phone number in column D must be the area code and number, with an "
            "extension after #, e.g. 02-12345678#123 (or leave it empty)."
        ),
        Result.DUPLICATE: _(
            "This national ID is already on line %(first_line)s of this file; only the first "
            "row was processed."
        ),
        Result.NOT_INSURED: _(
            "This person is not insured under your unit (as an insured or a dependant). "
            "Check the national ID."
        ),
        Result.ALREADY_REGISTERED: _(
            "This person is already registered for NHI-card online services; nothing to do."
        ),
    }

    batch = models.ForeignKey(Batch, models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    # As written in the file, also when not valid (cut to the column's length).
    national_id = models.CharField(_("national ID"), max_length=20)
    email = models.CharField(_("e-mail"), max_length=254)
    mobile = models.CharField(_("mobile phone"), max_length=20)
    phone = models.CharField(_("telephone"), max_length=30)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    params = models.JSONField(default=dict, blank=True)  # the message's placeholders

    class Meta:
        verbose_name = _("registration batch row")
        verbose_name_plural = _("registration batch rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="batch_row_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"

    @property
    def is_accepted(self) -> bool:
        return self.result == self.Result.ACCEPTED

    @property
    def message(self) -> str:
        """Why (or what next), in the active language."""
        text = str(self.MESSAGES[self.result])
        return text % self.params if self.params else text
