"""Third-party apps and what each person granted them (SMART on FHIR).

An app is django-oauth-toolkit's `Application` (client id, secret, redirect URIs, client
type) with a `Listing`: who publishes it, its privacy policy, sandbox or production, and
NHIA's review. A person's consent to one app is a `Grant`: the categories of the seed's
table (records/categories.py) they ticked, whether demographics go with them, and until
when. Tokens the app holds are valid only while the grant they were issued under is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from healthbank.identity.review import StaffReviewed


class Listing(StaffReviewed):
    """A registered app as people see it on the consent screen, and its NHIA review.

    A sandbox app is approved on registration and sees synthetic people only; a production
    app waits for NHIA staff before anyone can grant it access; staff may suspend it later,
    which stops every token it holds.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting NHIA review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended by NHIA")

    class Environment(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (synthetic people only)")
        PRODUCTION = "production", _("Production")

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        models.CASCADE,
        related_name="listing",
        verbose_name=_("OAuth application"),
    )
    developer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("developer"),
    )
    publisher = models.CharField(_("publisher"), max_length=100)
    privacy_policy = models.URLField(_("privacy policy"))
    homepage = models.URLField(_("home page"), blank=True)
    description = models.CharField(_("what the app does"), max_length=300)
    environment = models.CharField(_("environment"), max_length=10, choices=Environment.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("third-party app")
        verbose_name_plural = _("third-party apps")

    def __str__(self) -> str:
        return self.application.name


class Grant(models.Model):
    """A person's consent to one app: categories, demographics, and how long it lasts."""

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="+", db_index=False, verbose_name=_("person")
    )
    listing = models.ForeignKey(
        Listing, models.CASCADE, related_name="grants", verbose_name=_("app")
    )
    # Codes of records/categories.py's CATEGORIES the person left ticked.
    categories = models.JSONField(_("categories"), default=list)
    demographics = models.BooleanField(_("name, sex and birth date shared"), default=False)
    scope = models.TextField(_("scopes granted"), blank=True)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("app access grant")
        verbose_name_plural = _("app access grants")
        indexes = [models.Index(fields=["person", "-granted_at"])]
        constraints = [
            # A token names its grant by person and app (fhir/access.py): one open at a time.
            models.UniqueConstraint(
                fields=["person", "listing"],
                condition=models.Q(revoked_at__isnull=True),
                name="fhir_one_open_grant_per_app",
            )
        ]

    def __str__(self) -> str:
        return f"{self.listing} {self.granted_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SandboxPerson(models.Model):
    """A synthetic person a sandbox app may be granted access by (the sandbox rule).

    Sandbox apps are approved on registration, unreviewed, so they must never read a real
    person's records: only the people on this list may grant them access. `healthbank seed`
    puts the named demo personas on it; NHIA staff may add other test people.
    """

    person = models.OneToOneField(
        "people.Person", models.CASCADE, related_name="+", verbose_name=_("person")
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("sandbox test person")
        verbose_name_plural = _("sandbox test people")

    def __str__(self) -> str:
        return str(self.person)


class Developer(models.Model):
    """A third-party developer's sign-in to /developers/ (e-mail and password).

    The password hash lives on the linked Django user, which has no personal Account and is
    not staff: it opens neither the portal nor the staff pages, and a person's sign-in does
    not open the developer pages.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="developer", verbose_name=_("user")
    )
    email = models.EmailField(_("e-mail"), unique=True)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    class Meta:
        verbose_name = _("app developer")
        verbose_name_plural = _("app developers")

    def __str__(self) -> str:
        return self.email
