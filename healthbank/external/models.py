"""Mail kept by the embedded mail default, for the developer mailbox page."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredMail(models.Model):
    """A message the demo 'sent': kept here instead of going to an SMTP server."""

    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    sender = models.CharField(_("from"), max_length=254)
    recipients = models.TextField(_("to"))  # comma-separated
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    attachments = models.JSONField(_("attachments"), default=list)  # [{name, type, content}]

    class Meta:
        verbose_name = _("stored mail")
        verbose_name_plural = _("stored mail")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class MobileSubscription(models.Model):
    """A carrier's subscription record, as the embedded telecom default keeps them.

    Phone-number verification (seed 004, 行動電話認證) accepts only a monthly-plan number
    subscribed by the person themself; prepaid cards and company numbers are refused.
    """

    class Plan(models.TextChoices):
        MONTHLY = "monthly", _("Monthly plan")  # 月租型
        PREPAID = "prepaid", _("Prepaid card")  # 預付卡

    class Holder(models.TextChoices):
        PERSON = "person", _("Individual")
        COMPANY = "company", _("Company")

    number = models.CharField(_("mobile number"), max_length=10, unique=True)  # 09XXXXXXXX
    # The subscriber's national ID as the carrier knows it (the carrier's own record).
    national_id = models.CharField(_("subscriber's national ID"), max_length=10, blank=True)
    plan = models.CharField(_("plan"), max_length=8, choices=Plan.choices)
    holder = models.CharField(_("holder"), max_length=8, choices=Holder.choices)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("mobile subscription")
        verbose_name_plural = _("mobile subscriptions")

    def __str__(self) -> str:
        return f"{self.number[:4]}…{self.number[-3:]} {self.plan}"
