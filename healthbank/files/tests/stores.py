"""Looking into the three storages from tests, the same way on disk and in the database."""

from __future__ import annotations

import datetime as dt
import os

from django.core.files.storage import storages

from healthbank.files.models import StoredFile
from healthbank.files.storage import DatabaseStorage

# settings.STORAGES's file storages as FILE_STORAGE=database makes them.
IN_DATABASE = {
    alias: {"BACKEND": "healthbank.files.storage.DatabaseStorage", "OPTIONS": {"bucket": alias}}
    for alias in ("downloads", "vcard", "ingest", "eservice")
}


def stored_names(alias: str, folder: str = "") -> list[str]:
    """Every file of a storage, folders walked ("12/ab.zip"); [] for a folder never made."""
    storage = storages[alias]
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += stored_names(alias, f"{folder}{sub}/")
    return sorted(names)


def read_stored(alias: str, name: str) -> bytes:
    with storages[alias].open(name) as stored:
        return stored.read()


def make_older(alias: str, name: str, by: dt.timedelta) -> None:
    """Age a stored file, as the clock would have."""
    storage = storages[alias]
    if isinstance(storage, DatabaseStorage):
        stored = StoredFile.objects.get(bucket=storage.bucket, name=name)
        StoredFile.objects.filter(pk=stored.pk).update(created_at=stored.created_at - by)
    else:
        path = storage.path(name)
        moment = os.stat(path).st_mtime - by.total_seconds()
        os.utime(path, (moment, moment))
