from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FhirConfig(AppConfig):
    name = "healthbank.fhir"
    verbose_name = _("Third-party apps (SMART on FHIR)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Refusals before the views (unreadable query strings) and 500s under the API's
        # base are OperationOutcomes too.
        from healthbank.core.badrequest import ERROR_SHAPES
        from healthbank.fhir.api import BASE_PATH, outcome

        ERROR_SHAPES[BASE_PATH] = outcome
