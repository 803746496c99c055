from django.apps import AppConfig


class VcardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "healthbank.vcard"
    label = "vcard"
    verbose_name = "Virtual NHI card"
