from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "healthbank.ingest"
    label = "ingest"
    verbose_name = _("Provider and agency data feeds")
