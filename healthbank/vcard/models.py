"""The virtual NHI card (虛擬健保卡, seed 004): applications and their review, the cards,
their one-time QR codes, the authorisations to use someone else's card, and the providers
that accept it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.people.models import Person
from healthbank.records.models import Provider


class Application(models.Model):
    """An application for a virtual card (虛擬健保卡申請), by the person (一般申請) or by a
    member of their household (依附眷屬), reviewed by NHIA staff."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General application")
        DEPENDANT = "dependant", _("Dependant application")

    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Document(models.TextChoices):
        ID_CARD = "id_card", _("National ID card")
        RESIDENT_CERTIFICATE = "resident_certificate", _("Resident certificate")
        NHI_CARD = "nhi_card", _("NHI card, front (under 14 only)")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="+", db_index=False, verbose_name=_("card holder")
    )
    applicant = models.ForeignKey(
        Person, models.CASCADE, related_name="+", verbose_name=_("applicant")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    document_kind = models.CharField(
        _("identity document"), max_length=24, choices=Document.choices
    )
    # Names of the re-encoded images under VCARD_DIR; never served from the web root.
    document_image = models.CharField(max_length=64, editable=False)
    portrait_image = models.CharField(max_length=64, editable=False)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    email = models.EmailField(_("e-mail"))
    terms_accepted_at = models.DateTimeField(_("privacy terms accepted at"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("virtual card application")
        verbose_name_plural = _("virtual card applications")
        indexes = [
            models.Index(fields=["person", "-submitted_at"]),
            models.Index(fields=["status", "submitted_at"]),  # the review queue, oldest first
        ]
        constraints = [
            # One application under review per card holder: a second waits for the first.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="one_pending_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.person} · {self.get_kind_display()} · {self.get_status_display()}"


class VirtualCard(models.Model):
    """An approved virtual card: the person's photo as the reviewer accepted it."""

    person = models.OneToOneField(
        Person, models.CASCADE, related_name="virtual_card", verbose_name=_("card holder")
    )
    application = models.OneToOneField(
        Application,
        models.CASCADE,
        related_name="card",
        verbose_name=_("virtual card application"),
    )
    portrait_image = models.CharField(max_length=64, editable=False)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("virtual NHI card")
        verbose_name_plural = _("virtual NHI cards")

    def __str__(self) -> str:
        return f"virtual card of {self.person_id}"


class Authorisation(models.Model):
    """Someone else may use the grantor's card (授權): a specific person, a household member,
    or a clinic that asked. Children under 15 need no row: they are their parent's by rule."""

    class Kind(models.TextChoices):
        SPECIFIC = "specific", _("Specific person")
        HOUSEHOLD = "household", _("Household member")
        CLINIC = "clinic", _("Clinic request")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for agreement")
        ACTIVE = "active", _("Agreed")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    # None: a clinic asked about a national ID that holds no card. The request is kept and
    # answered like any other (pending, then lapsed), so a clinic cannot tell who has one.
    grantor = models.ForeignKey(
        Person,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("card holder"),
    )
    grantee = models.ForeignKey(
        Person,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("authorised person"),
    )
    provider = models.ForeignKey(
        Provider,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    # Pending until then: the household member's or the person's agreement, or the specific
    # person's claim with the code.
    consent_by = models.DateTimeField(_("agree by"), null=True, blank=True)
    # A specific person claims the authorisation with this code (hashed), typed or scanned.
    claim_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    # A clinic's request: the national ID it named (keyed hash), so asking again while the
    # request waits finds it whether or not the ID holds a card.
    asked_for = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        indexes = [
            models.Index(fields=["grantor", "-created_at"]),  # 我授權的
            models.Index(fields=["grantee", "-created_at"]),  # 我可使用
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="clinic", provider__isnull=False, grantee__isnull=True)
                | (
                    ~models.Q(kind="clinic")
                    & models.Q(grantee__isnull=False, provider__isnull=True)
                ),
                name="authorisation_has_one_grantee",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="clinic") | models.Q(grantor__isnull=False),
                name="authorisation_has_a_grantor",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} of {self.grantor_id}"

    def is_usable(self, now) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and self.starts_at is not None
            and self.starts_at <= now < self.ends_at
        )

    def state(self, now) -> str:
        """What a person or clinic is told: pending, lapsed (not agreed in time), declined,
        scheduled, active, ended or revoked."""
        if self.status == self.Status.PENDING:
            return "lapsed" if self.consent_by and now >= self.consent_by else "pending"
        if self.status == self.Status.ACTIVE:
            if now >= self.ends_at:
                return "ended"
            return "active" if now >= self.starts_at else "scheduled"
        return self.status


class QrToken(models.Model):
    """A one-time QR code of a card (5 minutes, single use): the signed token carries `jti`;
    the row says who showed it, under which authorisation, and which provider used it."""

    jti = models.CharField(max_length=32, unique=True)
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", db_index=False)
    presented_by = models.ForeignKey(Person, models.CASCADE, related_name="+", db_index=False)
    # How the presenter may use the card: self, specific, household, clinic, child, dependant.
    basis = models.CharField(max_length=10)
    authorisation = models.ForeignKey(
        Authorisation, models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        Provider, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["person", "-issued_at"])]

    def __str__(self) -> str:
        return f"QR of {self.person_id} until {self.expires_at}"


class AcceptingSite(models.Model):
    """A provider that accepts the virtual card (虛擬健保卡適用院所), and for what."""

    provider = models.OneToOneField(
        Provider,
        models.CASCADE,
        primary_key=True,
        related_name="vcard_site",
        verbose_name=_("provider"),
    )
    outpatient = models.BooleanField(_("outpatient care"), default=False)
    video = models.BooleanField(_("video consultation"), default=False)
    telemedicine = models.BooleanField(_("telemedicine"), default=False)
    home_care = models.BooleanField(_("home care"), default=False)
    since = models.DateField(_("accepting since"), default=timezone.localdate)

    SERVICES = ("outpatient", "video", "telemedicine", "home_care")

    class Meta:
        verbose_name = _("virtual card accepting provider")
        verbose_name_plural = _("virtual card accepting providers")

    def __str__(self) -> str:
        return str(self.provider)
