from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VcardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "healthbank.vcard"
    label = "vcard"
    verbose_name = _("Virtual NHI card")
