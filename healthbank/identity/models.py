"""Online-service accounts, card-reader challenges and e-mailed links."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    """A person's NHI-card online-service registration (健保卡網路服務註冊).

    The password hash lives on the linked Django user (Argon2), which also carries the
    session; staff users have no Account.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting e-mail confirmation")
        ACTIVE = "active", _("Registered")
        SUSPENDED = "suspended", _("Suspended by NHIA")
        CERTIFICATE = "certificate", _("Citizen certificate sign-in only")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online with the NHI card")
        COUNTER = "counter", _("At an NHIA counter")
        EMPLOYER = "employer", _("Batch registration by the insured unit")
        CERTIFICATE = "certificate", _("Citizen digital certificate")

    person = models.OneToOneField(
        "people.Person", models.CASCADE, related_name="account", verbose_name=_("person")
    )
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="account")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    channel = models.CharField(_("registered through"), max_length=12, choices=Channel.choices)
    unit = models.ForeignKey(
        "people.InsuredUnit", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("registered by unit"),
    )  # fmt: skip
    email = models.EmailField(_("e-mail (primary)"), blank=True)
    backup_email = models.EmailField(_("e-mail (backup)"), blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=15, blank=True)
    phone = models.CharField(_("contact phone"), max_length=25, blank=True)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Once a card or certificate has signed in, ID + card number + password is enough.
    card_verified_at = models.DateTimeField(_("card first verified"), null=True, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("wrong passwords in a row"), default=0)
    locked_at = models.DateTimeField(_("suspended for wrong passwords"), null=True, blank=True)
    suspension_reason = models.CharField(_("reason for suspension"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("online-service account")
        verbose_name_plural = _("online-service accounts")

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class CardChallenge(models.Model):
    """A one-time challenge for the card reader to sign; single use, two minutes."""

    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"challenge {self.pk}"


class EmailLink(models.Model):
    """A link e-mailed to a person: confirm a registration, or reset the password.

    Only a hash of the token is stored; a link works once, before it expires, and only
    while it is the newest of its kind for the account.
    """

    class Purpose(models.TextChoices):
        CONFIRM = "confirm", _("Confirm registration")
        RESET = "reset", _("Reset password")

    account = models.ForeignKey(Account, models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} link {self.pk}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
