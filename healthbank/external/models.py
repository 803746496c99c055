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
