from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "healthbank.cards"
    verbose_name = _("NHI card applications")
    default_auto_field = "django.db.models.BigAutoField"
