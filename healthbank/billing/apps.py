from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "healthbank.billing"
    verbose_name = _("Premium bills and notices")
    default_auto_field = "django.db.models.BigAutoField"
