from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "healthbank.eservices"
    verbose_name = _("Personal e-services")
    default_auto_field = "django.db.models.BigAutoField"
