from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "healthbank.agencies"
    verbose_name = _("Identity for other agencies (健保卡身分查證)")
    default_auto_field = "django.db.models.BigAutoField"
