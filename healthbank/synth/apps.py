from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthConfig(AppConfig):
    """A synthetic population with realistic records, for the demo, tests and benchmarks."""

    name = "healthbank.synth"
    verbose_name = _("Synthetic population")
