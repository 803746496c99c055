from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """What providers and agencies report about a person, and what the person enters."""

    name = "healthbank.records"
    verbose_name = _("Health records")
