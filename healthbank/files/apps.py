from django.apps import AppConfig


class FilesConfig(AppConfig):
    """Where packages, card photos and uploads are kept: the storages STORAGES names
    (storage.py), on this host's disk or in the database every host reads (models.py)."""

    name = "healthbank.files"
    verbose_name = "files"
