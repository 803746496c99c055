from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankConfig(AppConfig):
    """The My Health Bank portal."""

    name = "healthbank.bank"
    verbose_name = _("My Health Bank")
