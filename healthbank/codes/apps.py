from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodesConfig(AppConfig):
    """Code tables loaded from the CSV files in codes/data (each with its source noted)."""

    name = "healthbank.codes"
    verbose_name = _("Code tables")
