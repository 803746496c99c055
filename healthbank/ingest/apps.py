from django.apps import AppConfig


class IngestConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "healthbank.ingest"
    label = "ingest"
    verbose_name = "Provider and agency data feeds"
