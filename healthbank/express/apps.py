from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "healthbank.express"
    label = "express"
    verbose_name = _("NHI Express mobile web app")
