from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: base layout, landing page, /healthz, ROC dates, log masking."""

    name = "healthbank.core"
    verbose_name = "healthbank"

    def ready(self) -> None:
        from captcha.fields import CaptchaTextInput

        # The image code is one visible input (and a hidden key), but django-simple-captcha's
        # widget is a MultiWidget, which Django renders as a fieldset whose legend labels no
        # input (axe: "label", critical). Rendered as one field, its <label for> names it.
        CaptchaTextInput.use_fieldset = False
