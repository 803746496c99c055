from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployersConfig(AppConfig):
    """Insured units' batch registration of their employees (投保單位整批註冊)."""

    name = "healthbank.employers"
    verbose_name = _("Insured units")
