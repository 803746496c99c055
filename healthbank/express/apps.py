from django.apps import AppConfig


class ExpressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "healthbank.express"
    label = "express"
    verbose_name = "NHI Express mobile web app"
