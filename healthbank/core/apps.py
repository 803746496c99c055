from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: base layout, landing page, /healthz, ROC dates, log masking."""

    name = "healthbank.core"
    verbose_name = "healthbank"
