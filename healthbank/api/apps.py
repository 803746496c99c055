from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "healthbank.api"
    label = "api"
    verbose_name = _("NHI Express API")
