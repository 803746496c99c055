"""Files kept in the database (FILE_STORAGE=database): PostgreSQL holds them for every host
and its replicas copy them with the rest of the data. A file's bytes are rows of at most
one chunk each, so none is ever read or written whole in memory."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class StoredFile(models.Model):
    """One file of one storage (its bucket: "downloads", "vcard", "ingest", "eservice")."""

    bucket = models.CharField(max_length=20)
    name = models.CharField(max_length=255)  # the storage name, folders with "/"
    size = models.BigIntegerField(default=0)
    chunk_bytes = models.PositiveIntegerField()  # every chunk but the last is this long
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "name"], name="one_file_per_name")]

    def __str__(self) -> str:
        return f"{self.bucket}:{self.name}"


class FileChunk(models.Model):
    """Bytes [index * chunk_bytes, (index + 1) * chunk_bytes) of a file."""

    file = models.ForeignKey(StoredFile, models.CASCADE, related_name="+", db_index=False)
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["file", "index"], name="one_chunk_per_index")
        ]

    def __str__(self) -> str:
        return f"{self.file_id}#{self.index}"
