from django.apps import AppConfig


class SynthConfig(AppConfig):
    """A synthetic population with realistic records, for the demo, tests and benchmarks."""

    name = "healthbank.synth"
    verbose_name = "Synthetic population"
