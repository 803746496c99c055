"""The two storages a file may live in behave alike through Django's Storage API: what is
saved reads back the same, lists, sizes and deletes; the database one in chunk rows that
are never all in memory at once."""

from __future__ import annotations

import io
import os
import tracemalloc
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage

from healthbank.files.models import FileChunk, StoredFile
from healthbank.files.storage import (
    ChunksReader,
    DatabaseStorage,
    DirectoryStorage,
    forget_local_copy,
    local_path,
    sweep_local_copies,
)

pytestmark = pytest.mark.django_db
DATA = bytes(range(256)) * 40  # 10,240 bytes: several chunks of 4,096 and a short one


@pytest.fixture(params=["disk", "database"])
def storage(request, settings, tmp_path):
    settings.INGEST_DIR = tmp_path / "ingest"
    if request.param == "disk":
        return DirectoryStorage("INGEST_DIR")
    return DatabaseStorage("ingest", chunk_bytes=4096)


def test_what_is_saved_reads_back_whole_and_in_pieces(storage):
    name = storage.save("a/b/file.bin", ContentFile(DATA))
    assert name == "a/b/file.bin" and storage.exists(name) and storage.size(name) == len(DATA)
    with storage.open(name) as stored:
        assert stored.read() == DATA
    with storage.open(name) as stored:
        stored.seek(4000)
        assert stored.read(200) == DATA[4000:4200]  # across a chunk's end
        stored.seek(-10, io.SEEK_END)
        assert stored.read() == DATA[-10:]
    with storage.open(name) as stored:
        assert b"".join(stored.chunks(1000)) == DATA


def test_an_empty_file_is_a_file(storage):
    name = storage.save("empty.ndjson", ContentFile(b""))
    assert storage.exists(name) and storage.size(name) == 0
    with storage.open(name) as stored:
        assert stored.read() == b""


def listed(storage, folder: str) -> tuple[list[str], list[str]]:
    folders, files = storage.listdir(folder)
    return sorted(folders), sorted(files)


def test_folders_list_and_files_delete(storage):
    for name in ("12/one.zip", "12/two.zip", "13/three.zip", "top.ndjson"):
        storage.save(name, ContentFile(b"x"))
    assert listed(storage, "") == (["12", "13"], ["top.ndjson"])
    assert listed(storage, "12") == ([], ["one.zip", "two.zip"])
    storage.delete("12/one.zip")
    storage.delete("12/one.zip")  # already gone: fine
    assert listed(storage, "12/") == ([], ["two.zip"])
    assert not storage.exists("12/one.zip")


def test_a_missing_file_is_file_not_found(storage):
    with pytest.raises(FileNotFoundError):
        storage.open("nothing.zip")
    with pytest.raises(FileNotFoundError):
        storage.size("nothing.zip")
    with pytest.raises(FileNotFoundError):
        local_path(storage, "nothing.zip")


def test_a_taken_name_is_never_overwritten(storage):
    first = storage.save("same.bin", ContentFile(b"first"))
    second = storage.save("same.bin", ContentFile(b"second"))
    assert first != second
    with storage.open(first) as stored:
        assert stored.read() == b"first"


def test_a_save_cut_off_by_an_error_leaves_no_file_in_the_database():
    storage = DatabaseStorage("ingest", chunk_bytes=4096)

    def arriving():
        yield DATA
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        storage.save("cut.ndjson", File(ChunksReader(arriving())))
    assert not storage.exists("cut.ndjson") and not FileChunk.objects.exists()


def test_the_database_keeps_a_file_in_chunk_rows_and_deleting_removes_them():
    storage = DatabaseStorage("downloads", chunk_bytes=4096)
    name = storage.save("7/package.zip", ContentFile(DATA))
    stored = StoredFile.objects.get(bucket="downloads", name=name)
    chunks = FileChunk.objects.filter(file=stored).order_by("index")
    assert [len(chunk.data) for chunk in chunks] == [4096, 4096, 2048]
    assert not DatabaseStorage("vcard").exists(name)  # each storage its own files
    storage.delete(name)
    assert not StoredFile.objects.exists() and not FileChunk.objects.exists()


def test_a_large_upload_never_sits_whole_in_memory():
    """32 MiB arriving 64 KiB at a time is saved, and read back, holding about a chunk."""
    storage = DatabaseStorage("ingest", chunk_bytes=1024**2)
    piece = b"0123456789abcdef" * 4096

    def arriving():
        for _ in range(512):
            yield piece

    tracemalloc.start()
    try:
        name = storage.save("big.ndjson", File(ChunksReader(arriving())))
        _, saving_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with storage.open(name) as stored:
            read = sum(len(block) for block in stored.chunks(64 * 1024))
        _, reading_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert storage.size(name) == read == 32 * 1024**2
    assert saving_peak < 8 * 1024**2 and reading_peak < 8 * 1024**2


def test_local_path_is_the_file_itself_on_disk_and_a_copy_kept_for_the_next_turn_otherwise(
    storage, settings, tmp_path, monkeypatch
):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "scratch"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    name = storage.save("upload.ndjson", ContentFile(DATA))
    other = storage.save("other.ndjson", ContentFile(DATA[:10]))
    path = local_path(storage, name)
    assert path.read_bytes() == DATA
    if isinstance(storage, FileSystemStorage):
        assert path == Path(storage.path(name))
        assert not any(settings.FILE_UPLOAD_TEMP_DIR.iterdir())
        return
    assert path.parent.parent == settings.FILE_UPLOAD_TEMP_DIR  # this host's scratch folder
    opened = []
    monkeypatch.setattr(
        storage, "open", lambda *a, **kw: opened.append(a) or Storage.open(storage, *a, **kw)
    )
    assert local_path(storage, name) == path and opened == []  # not copied again
    assert local_path(storage, other).read_bytes() == DATA[:10]  # another file, its own

    path.write_bytes(DATA[:5])  # a copy cut short (a full disk): made again
    assert local_path(storage, name).read_bytes() == DATA

    forget_local_copy(storage, name)
    assert not path.exists() and storage.exists(name)
    os.utime(local_path(storage, other), (0, 0))  # unused since 1970
    assert sweep_local_copies(unused_for=3600) == 1
    assert not any(path.parent.iterdir())


def test_the_disk_storage_follows_its_folder_setting(settings, tmp_path):
    storage = DirectoryStorage("INGEST_DIR")
    settings.INGEST_DIR = tmp_path / "first"
    storage.save("a.ndjson", ContentFile(b"1"))
    settings.INGEST_DIR = tmp_path / "second"
    storage.save("b.ndjson", ContentFile(b"2"))
    assert [p.name for p in (tmp_path / "first").iterdir()] == ["a.ndjson"]
    assert [p.name for p in (tmp_path / "second").iterdir()] == ["b.ndjson"]
