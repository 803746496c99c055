"""Online-service accounts, card-reader challenges and e-mailed links."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from healthbank.identity.sessions import SessionStore


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
        "people.InsuredUnit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by unit"),
    )
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

    @property
    def is_usable(self) -> bool:
        """Neither locked for wrong passwords nor suspended by NHIA: what a signed-in
        session (identity.middleware) and a third-party app's token (fhir) need."""
        return not self.is_locked and self.status != self.Status.SUSPENDED


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


class Device(models.Model):
    """A phone or tablet with the NHI Express app, known by the app's installation id.

    One device may serve several accounts (seed 002: 多組身分證字號可綁定同一個行動裝置).
    """

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"
        WEB = "web", _("Web app")

    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    model = models.CharField(_("device model"), max_length=100, blank=True)
    identifier = models.CharField(_("device identifier"), max_length=200, unique=True)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)

    class Meta:
        verbose_name = _("mobile device")
        verbose_name_plural = _("mobile devices")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.model}"


class DeviceBinding(models.Model):
    """An account's verified device (行動裝置管理作業 lists these); at most one active."""

    account = models.ForeignKey(
        Account,
        models.CASCADE,
        related_name="device_bindings",
        verbose_name=_("online-service account"),
    )
    device = models.ForeignKey(
        Device, models.CASCADE, related_name="bindings", verbose_name=_("mobile device")
    )
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)
    active = models.BooleanField(_("enabled"), default=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)

    class Meta:
        verbose_name = _("device binding")
        verbose_name_plural = _("device bindings")
        constraints = [
            models.UniqueConstraint(fields=["account", "device"], name="one_binding_per_device"),
            # Seed 002: 同時間僅可啟用一個行動裝置.
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(active=True), name="one_active_device"
            ),
        ]

    def __str__(self) -> str:
        return f"binding {self.pk}"

    @property
    def masked_identifier(self) -> str:
        """Only the last characters, enough for a person to tell their devices apart."""
        identifier = self.device.identifier
        return "…" + identifier[-6:] if len(identifier) > 6 else identifier


class DeviceCode(models.Model):
    """A device verification code (裝置認證碼): only a keyed hash is stored; single use,
    expires, and only the account's newest code works."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="device_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Presentations refused after it was used or expired (a sign of a leaked code).
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"device code {self.pk}"

    @staticmethod
    def hash(code: str) -> str:
        return salted_hmac("healthbank.identity.DeviceCode", code.upper()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class DeviceVerifyFailure(models.Model):
    """A refused device verification, counted per device and per address (brute force)."""

    identifier = models.CharField(max_length=200)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["identifier", "-at"]),
            models.Index(fields=["address", "-at"]),
        ]

    def __str__(self) -> str:
        return f"failed device verification {self.pk}"


class LoginLockout(models.Model):
    """Wrong passwords and second-factor codes in a row of a sign-in that has no Account:
    NHIA staff (/staff/) and insured units (/units/). At LOGIN_FAILURE_LIMIT the sign-in is
    locked, and stays so until an administrator unlocks it (a person instead resets the
    password by e-mail; staff and units have no such channel)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        primary_key=True,
        related_name="login_lockout",
        verbose_name=_("sign-in"),
    )
    failures = models.PositiveSmallIntegerField(_("wrong passwords or codes in a row"), default=0)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff or unit sign-in lockout")
        verbose_name_plural = _("staff and unit sign-in lockouts")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class StaffSecondFactor(TOTPDevice):
    """A staff member's authenticator app (django-otp's TOTP device), as the staff pages
    list it: who enrolled when, never the key."""

    class Meta:
        proxy = True
        verbose_name = _("staff second factor")
        verbose_name_plural = _("staff second factors")


class WebSession(AbstractBaseSession):
    """A web session (Django's database session) that also says whose it is, so that every
    session of a user can be ended at once (services.end_sessions). Filled in by the
    session engine, identity/sessions.py."""

    # No database constraint: a session saved as its user is deleted must not fail.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    @classmethod
    def get_session_store_class(cls) -> type[SessionStore]:
        from healthbank.identity.sessions import SessionStore

        return SessionStore


class Delegation(models.Model):
    """Family access (家人健康存摺): an adult lets another registered adult read some
    categories of their health bank (records.categories codes), read-only, until
    `expires_at`. It counts only once the delegate confirmed, and ends at once when either
    side (or NHIA staff) ends it. At most one open delegation per owner and delegate."""

    class Side(models.TextChoices):
        OWNER = "owner", _("The person whose records they are")
        DELEGATE = "delegate", _("The family member")
        STAFF = "staff", _("NHIA staff")

    owner = models.ForeignKey(
        "people.Person",
        models.CASCADE,
        related_name="delegations_given",
        verbose_name=_("whose records"),
    )
    delegate = models.ForeignKey(
        "people.Person",
        models.CASCADE,
        related_name="delegations_received",
        verbose_name=_("family member"),
    )
    categories = models.JSONField(_("categories"), default=list)
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    # Offered online by the owner, or at an NHIA counter by the staff user (owner present).
    offered_by = models.CharField(_("offered by"), max_length=10, choices=Side.choices)
    offered_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counter staff"),
    )
    confirmed_at = models.DateTimeField(_("confirmed by the family member"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=10, choices=Side.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("family access")
        verbose_name_plural = _("family access")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "delegate"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_delegation_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(owner=models.F("delegate")), name="delegation_not_to_oneself"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("starts_at")),
                name="delegation_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["delegate", "ended_at"], name="delegation_by_delegate")]

    def __str__(self) -> str:
        return f"{self.owner} → {self.delegate}"

    def is_active(self, now=None) -> bool:
        """Confirmed, not ended and not expired: the delegate may read now."""
        now = now or timezone.now()
        return (
            self.confirmed_at is not None
            and self.ended_at is None
            and self.starts_at <= now < self.expires_at
        )

    @property
    def is_pending(self) -> bool:
        return (
            self.confirmed_at is None and self.ended_at is None and timezone.now() < self.expires_at
        )
