"""Agencies that ask people to prove who they are with their NHI card (健保卡身分查證機制).

An agency is an OpenID Connect relying party: django-oauth-toolkit's `Application` (client
id, secret, redirect URIs), the same model SMART on FHIR apps use, with an `Agency` beside
it instead of a fhir `Listing`. Which of the two an application has decides everything:
an agency asks only for identity claims (agencies/claims.py), an app only for SMART scopes.

NHIA staff register agencies (a government agency does not sign itself up) with the
claims each may ask for; another staff member approves it; only an approved agency may
start a sign-in, and suspending one stops it at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from healthbank.identity.review import StaffReviewed


class Agency(StaffReviewed):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a second staff member's approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended by NHIA")

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        models.CASCADE,
        related_name="agency",
        verbose_name=_("OAuth application"),
    )
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    purpose = models.CharField(_("what it is for (Chinese)"), max_length=300)
    purpose_en = models.CharField(_("what it is for (English)"), max_length=300)
    # Identity scopes (agencies/claims.py SCOPES) the agency may ask for, besides openid.
    scopes = models.JSONField(_("claims it may ask for"), default=list)
    is_demo = models.BooleanField(_("demonstration only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("agency (identity relying party)")
        verbose_name_plural = _("agencies (identity relying parties)")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name if (get_language() or "").startswith("zh") else self.name_en

    @property
    def display_purpose(self) -> str:
        return self.purpose if (get_language() or "").startswith("zh") else self.purpose_en

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class SpentCode(models.Model):
    """An authorisation code an agency has exchanged, by its SHA-256 (never the code): one
    presented again is a replay, and the tokens it was exchanged for end (RFC 6749 §4.1.2).
    Kept as long as those tokens could live."""

    checksum = models.CharField(_("code's SHA-256"), max_length=64, unique=True)
    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL, models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    spent_at = models.DateTimeField(_("exchanged"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("exchanged authorisation code")
        verbose_name_plural = _("exchanged authorisation codes")

    def __str__(self) -> str:
        return self.checksum[:12]
