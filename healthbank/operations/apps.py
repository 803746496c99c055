from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Commands that run the site as a whole: `healthbank demo`, `healthbank worker` (the
    background tasks of every app) and `healthbank staffcode`. On top of the app graph, so
    that no app imports another only to start it."""

    name = "healthbank.operations"
