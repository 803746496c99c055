from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FhirConfig(AppConfig):
    name = "healthbank.fhir"
    verbose_name = _("Third-party apps (SMART on FHIR)")
    default_auto_field = "django.db.models.BigAutoField"
