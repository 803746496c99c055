from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    name = "healthbank.township"
    verbose_name = _("Township office enrolment")
    default_auto_field = "django.db.models.BigAutoField"
