from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExternalConfig(AppConfig):
    """Adapters for systems outside NHIA, each with an embedded default."""

    name = "healthbank.external"
    verbose_name = _("Outside systems")
