"""The file storages of settings.STORAGES ("downloads", "vcard", "ingest", "eservice"), chosen
by FILE_STORAGE: on this host's disk under the folder a setting names (DirectoryStorage), or
in the database every host reads (DatabaseStorage). Code reaches a file only by its storage
name through `storages[...]`, never by a path, so either serves any host's worker and web
process."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import router, transaction
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from healthbank.files.models import FileChunk, StoredFile

# Bytes per database row: a 256 MiB upload is 256 rows, and a reader holds one at a time.
CHUNK_BYTES = 1024**2


@deconstructible
class DirectoryStorage(FileSystemStorage):
    """FileSystemStorage in the folder a setting names (DOWNLOAD_DIR, VCARD_DIR, INGEST_DIR),
    read when first used and again when the setting changes (tests give each their own)."""

    def __init__(self, setting: str, **options) -> None:
        self.setting = setting
        super().__init__(**options)

    @cached_property
    def base_location(self) -> str:
        return os.fspath(getattr(settings, self.setting))

    def _clear_cached_properties(self, setting, **kwargs) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == self.setting:
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


class DatabaseFile(io.RawIOBase):
    """A stored file opened for reading: one chunk row fetched at a time, as it is read."""

    def __init__(self, stored: StoredFile) -> None:
        super().__init__()
        self.file_id, self.size, self.chunk_bytes = stored.pk, stored.size, stored.chunk_bytes
        self.using = stored._state.db  # its chunks committed with it: there too
        self.position = 0
        self._index, self._data = -1, memoryview(b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self.position = base + offset
        return self.position

    def readinto(self, buffer) -> int:
        """Fills `buffer` as a file on disk would: short only at the end of the file."""
        view, done = memoryview(buffer).cast("B"), 0
        while done < len(view) and self.position < self.size:
            index, start = divmod(self.position, self.chunk_bytes)
            if index != self._index:
                chunks = FileChunk.objects.using(self.using).filter(
                    file_id=self.file_id, index=index
                )
                data = chunks.values_list("data", flat=True).first()
                if data is None:
                    raise FileNotFoundError(f"stored file {self.file_id} was deleted while read")
                self._index, self._data = index, memoryview(bytes(data))
            piece = self._data[start : start + len(view) - done]
            view[done : done + len(piece)] = piece
            done += len(piece)
            self.position += len(piece)
        return done


@deconstructible
class DatabaseStorage(Storage):
    """Files as rows of the database (models.py), in `bucket` apart from other storages'.
    A file is written in one transaction: it exists whole or not at all."""

    def __init__(self, bucket: str, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.bucket, self.chunk_bytes = bucket, chunk_bytes

    def _files(self, using: str | None = None):
        return StoredFile.objects.using(using or router.db_for_read(StoredFile)).filter(
            bucket=self.bucket
        )

    def _stored(self, name: str) -> StoredFile:
        """The file's row, from where reads go, else from where writes go: a file a worker
        has just kept may not have reached a lagging replica yet."""
        read, write = router.db_for_read(StoredFile), router.db_for_write(StoredFile)
        for using in dict.fromkeys([read, write]):
            stored = self._files(using).filter(name=name).first()
            if stored is not None:
                return stored
        raise FileNotFoundError(f"no stored file {name!r} in {self.bucket}")

    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if set(mode) & set("wax+"):
            raise ValueError("files in the database are written with save(), not open()")
        return File(io.BufferedReader(DatabaseFile(self._stored(name))), name)

    def _save(self, name: str, content: File[bytes]) -> str:
        using = router.db_for_write(StoredFile)
        with transaction.atomic(using=using):
            stored = StoredFile.objects.using(using).create(
                bucket=self.bucket, name=name, chunk_bytes=self.chunk_bytes
            )
            pending, index = bytearray(), 0
            for data in content.chunks(self.chunk_bytes):
                data = data.encode() if isinstance(data, str) else data  # a ContentFile("…")
                pending += data
                stored.size += len(data)
                while len(pending) >= self.chunk_bytes:
                    self._write_chunk(stored, index, pending[: self.chunk_bytes], using)
                    del pending[: self.chunk_bytes]
                    index += 1
            if pending:
                self._write_chunk(stored, index, pending, using)
            stored.save(using=using, update_fields=["size"])
        return name

    @staticmethod
    def _write_chunk(stored: StoredFile, index: int, data: bytearray, using: str) -> None:
        FileChunk.objects.using(using).create(file=stored, index=index, data=bytes(data))

    def delete(self, name: str) -> None:
        using = router.db_for_write(StoredFile)
        ids = list(self._files(using).filter(name=name).values_list("pk", flat=True))
        # Chunks by a plain DELETE: a cascade could load their bytes to send signals.
        FileChunk.objects.using(using).filter(file_id__in=ids)._raw_delete(using)
        self._files(using).filter(pk__in=ids).delete()

    def exists(self, name: str) -> bool:
        # Where writes go: save() asks this before it takes a name.
        return self._files(router.db_for_write(StoredFile)).filter(name=name).exists()

    def size(self, name: str) -> int:
        return self._stored(name).size

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        folders, files = set(), []
        for name in self._files().filter(name__startswith=prefix).values_list("name", flat=True):
            rest = name[len(prefix) :]
            if "/" in rest:
                folders.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(folders), sorted(files)

    def get_created_time(self, name: str):
        return self._stored(name).created_at

    get_modified_time = get_created_time  # a stored file is never changed, only replaced


class ChunksReader(io.RawIOBase):
    """Bytes arriving as an iterable (an upload, a chunk at a time) as a file read once: the
    content Storage.save takes, which pulls them as it writes."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks, self._left = iter(chunks), memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._left:
            try:
                self._left = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        piece, self._left = self._left[: len(buffer)], self._left[len(buffer) :]
        buffer[: len(piece)] = piece
        return len(piece)


@contextmanager
def scratch_file(suffix: str = "") -> Iterator[Path]:
    """A new empty file in this host's temporary folder (FILE_UPLOAD_TEMP_DIR), removed
    after: for work that needs a real file before its result goes to a storage."""
    handle, name = tempfile.mkstemp(suffix=suffix, dir=settings.FILE_UPLOAD_TEMP_DIR)
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def local_path(storage: Storage, name: str) -> Path:
    """A path on this host's disk to a stored file: its own where the storage has one, else
    a copy (made a chunk at a time) kept on this host, so that a batch's next turn here reads
    it without copying it again (a 256 MiB upload took 2-3 s to copy from PostgreSQL). Stored
    files never change, so a kept copy of the stored size is the file. FileNotFoundError for
    a missing file, from either. Copies go with forget_local_copy, or after a while unused
    with sweep_local_copies (the batch may have ended on another host)."""
    try:
        own = storage.path(name)
    except NotImplementedError:
        own = None
    if own is not None:
        if not os.path.exists(own):
            raise FileNotFoundError(own)
        return Path(own)
    copy = _copy_path(storage, name)
    if copy.exists() and copy.stat().st_size == storage.size(name):
        copy.touch()  # in use: not swept
        return copy
    copy.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with storage.open(name) as source, scratch_file(".part") as part:
        with part.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK_BYTES)
        os.replace(part, copy)  # whole or not at all, even with two runs on this host
    return copy


def forget_local_copy(storage: Storage, name: str) -> None:
    """Deletes this host's copy of a stored file, if local_path made one."""
    _copy_path(storage, name).unlink(missing_ok=True)


def sweep_local_copies(unused_for: float) -> int:
    """Deletes this host's copies not used for `unused_for` seconds; returns how many."""
    folder = local_copies_folder()
    if not folder.is_dir():
        return 0
    before, swept = time.time() - unused_for, 0
    for copy in folder.iterdir():
        if copy.stat().st_mtime < before:
            copy.unlink(missing_ok=True)
            swept += 1
    return swept


def local_copies_folder() -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()) / "healthbank-copies"


def _copy_path(storage: Storage, name: str) -> Path:
    where = f"{getattr(storage, 'bucket', type(storage).__name__)}/{name}"
    return local_copies_folder() / hashlib.sha256(where.encode()).hexdigest()
