from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """NHI-card online-service registration, passwords, lockout and sign-in."""

    name = "healthbank.identity"
    verbose_name = _("Online services")
