from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only log of reads of personal data and of security events."""

    name = "healthbank.audit"
    verbose_name = _("Audit")
