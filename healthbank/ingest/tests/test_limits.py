"""Uploads are bounded: a size limit, a quota of raw files held per credential, raw files
deleted once processed (kept some days when the batch had problems), text only, and a
worker whose memory does not grow with the file."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from healthbank.files.tests.stores import make_older, stored_names
from healthbank.ingest import processing, rules, services
from healthbank.ingest.models import Batch
from healthbank.ingest.tests.helpers import ALICE, NOBODY, ndjson, visit_row
from healthbank.records.models import Visit

pytestmark = pytest.mark.django_db
BASE = "/providers/api/v1"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """Every request's on-commit work runs as its transaction would commit: a batch
    received is queued for the worker."""
    from django.test import Client

    send = Client.post

    def post(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post)


def posted(client, token: str, data: bytes, query: str = "?format=ndjson", **extra):
    return client.post(
        f"{BASE}/batches{query}",
        data,
        content_type="application/octet-stream",
        **auth(token),
        **extra,
    )


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"], body


def stored(ingest_dir: Path) -> list[str]:
    return stored_names("ingest")


def run_worker() -> None:
    call_command("worker", "--batch", "--interval", "0.01")


# --- the size limit ------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_nothing_stored(
    client, world, ingest_dir, settings, tmp_path
):
    # 300 MiB announced: over the default limit, refused before a byte is read.
    response = posted(client, world.hospital_token, b"{}\n", CONTENT_LENGTH=str(300 * 1024**2))
    refused(response, 413, "too_large")
    assert str(settings.INGEST_MAX_FILE_BYTES) in response.json()["message"]

    # A form's file is cut off as it arrives; its temporary file goes too.
    settings.INGEST_MAX_FILE_BYTES = 1000
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    big = SimpleUploadedFile("visits.ndjson", ndjson(*[visit_row(f"V{i}") for i in range(10)]))
    response = client.post(f"{BASE}/batches", {"file": big}, **auth(world.hospital_token))
    refused(response, 413, "too_large")
    assert not Batch.objects.exists() and not stored(ingest_dir)
    assert not list(settings.FILE_UPLOAD_TEMP_DIR.iterdir())


def test_a_bundle_has_a_lower_limit_of_its_own(client, world, monkeypatch, ingest_dir):
    """A Bundle is read whole: over MAX_BUNDLE_BYTES it is refused at upload, where NDJSON
    of the same size is taken."""
    monkeypatch.setattr(rules, "MAX_BUNDLE_BYTES", 500)
    bundle = b'{"resourceType": "Bundle", "type": "batch", "entry": [' + b" " * 600 + b"]}"
    response = posted(client, world.clinic_token, bundle, query="?format=fhir")
    refused(response, 413, "too_large")
    assert not stored(ingest_dir)
    rows = ndjson(visit_row("V1"), visit_row("V2", points=421), visit_row("V3", points=422))
    assert len(rows) > 500
    assert posted(client, world.clinic_token, rows).status_code == 202


# --- the quota -----------------------------------------------------------------------------


def test_a_credential_over_its_quota_is_refused_until_its_files_are_processed(
    client, world, settings, ingest_dir
):
    first = ndjson(visit_row("V1"))
    second = ndjson(visit_row("V2"))
    settings.INGEST_QUOTA_BYTES = len(first) + len(second) - 1
    assert posted(client, world.hospital_token, first).status_code == 202

    response = posted(client, world.hospital_token, second)
    refused(response, 429, "quota_exceeded")
    assert f"{len(first)} bytes" in response.json()["message"]
    assert Batch.objects.count() == 1 and len(stored(ingest_dir)) == 1
    # Another credential has its own quota.
    assert posted(client, world.clinic_token, second).status_code == 202

    run_worker()  # the first batch is done: its file is gone, and so is its weight
    assert posted(client, world.hospital_token, second).status_code == 202


def test_files_kept_after_problems_count_against_the_quota(client, world, settings):
    bad = ndjson(visit_row("V1", national_id=NOBODY))
    settings.INGEST_QUOTA_BYTES = 2 * len(bad) - 1
    assert posted(client, world.hospital_token, bad).status_code == 202
    run_worker()
    assert Batch.objects.get().rejected == 1
    refused(posted(client, world.hospital_token, bad), 429, "quota_exceeded")


# --- raw files after processing ------------------------------------------------------------


def test_the_raw_file_is_deleted_once_its_batch_is_done(client, world, ingest_dir):
    sent = posted(client, world.hospital_token, ndjson(visit_row())).json()
    assert len(stored(ingest_dir)) == 1
    run_worker()
    batch = Batch.objects.get(pk=sent["id"])
    assert (batch.status, batch.accepted) == ("done", 1)
    assert not stored(ingest_dir) and batch.file_deleted_at is not None
    assert services.held_bytes(batch.credential) == 0
    # The batch and its figures stay for the provider to follow.
    page = client.get(f"{BASE}/batches/{sent['id']}", **auth(world.hospital_token)).json()
    assert (page["status"], page["accepted"]) == ("done", 1)


def test_a_refused_batch_keeps_its_file_for_some_days_then_the_worker_deletes_it(
    client, world, settings, ingest_dir, clock
):
    settings.INGEST_KEEP_REFUSED_DAYS = 3
    rows = ndjson(visit_row("V1"), visit_row("V2", national_id=NOBODY))
    query = "?format=ndjson&all_or_nothing=true"
    sent = posted(client, world.hospital_token, rows, query=query).json()
    run_worker()
    batch = Batch.objects.get(pk=sent["id"])
    assert batch.status == "failed" and not Visit.objects.exists()
    (kept,) = stored(ingest_dir)
    report = client.get(sent["problems_url"], **auth(world.hospital_token))
    assert b"2,national_id," in b"".join(report.streaming_content)

    clock.forward(days=3, minutes=-1)
    run_worker()
    assert stored(ingest_dir) == [kept]
    clock.forward(minutes=2)
    run_worker()
    assert not stored(ingest_dir)
    batch.refresh_from_db()
    assert batch.file_deleted_at is not None and services.held_bytes(batch.credential) == 0
    # The problems stay downloadable: they are rows, not the file.
    report = client.get(sent["problems_url"], **auth(world.hospital_token))
    assert b"2,national_id," in b"".join(report.streaming_content)


def test_the_worker_deletes_files_no_batch_holds_once_a_day_old(world, ingest_dir):
    storage = storages["ingest"]
    cut_off = storage.save("cut-off.ndjson", ContentFile(b"{}\n"))
    recent = storage.save("arriving.ndjson", ContentFile(b"{}\n"))
    make_older("ingest", cut_off, dt.timedelta(days=2))
    run_worker()
    assert stored(ingest_dir) == [recent]


# --- text only -----------------------------------------------------------------------------


def test_a_picture_sent_as_ndjson_is_refused_at_upload(client, world, ingest_dir):
    as_body = client.post(
        f"{BASE}/batches", png(), content_type="application/x-ndjson", **auth(world.hospital_token)
    )
    refused(as_body, 400, "not_text")
    picture = SimpleUploadedFile("visits.ndjson", png(), content_type="image/png")
    as_form = client.post(f"{BASE}/batches", {"file": picture}, **auth(world.hospital_token))
    refused(as_form, 400, "not_text")
    # A line that is not UTF-8 anywhere in the file: refused whole, naming its line.
    big5 = ndjson(visit_row()) * 3 + '{"id": "陳"}\n'.encode("big5")
    refused(posted(client, world.hospital_token, big5), 400, "not_text")
    assert "line 4" in posted(client, world.hospital_token, big5).json()["message"]
    assert not Batch.objects.exists() and not stored(ingest_dir)


def test_a_fhir_upload_that_is_not_an_object_is_refused_at_upload(client, world):
    for body in (b"[]", b' "Bundle"', b"\xef\xbb\xbf[{}]"):
        response = client.post(
            f"{BASE}/batches",
            body,
            content_type="application/fhir+json",
            **auth(world.clinic_token),
        )
        refused(response, 400, "not_a_bundle")
    assert not Batch.objects.exists()


# --- options are what the OpenAPI document says ----------------------------------------------


def test_all_or_nothing_is_true_or_false_and_nothing_else(client, world):
    for value in ("yes", "1", "", "True"):
        response = posted(
            client,
            world.hospital_token,
            ndjson(visit_row()),
            query=f"?format=ndjson&all_or_nothing={value}",
        )
        refused(response, 400, "invalid_request")
    form = {"file": SimpleUploadedFile("v.ndjson", ndjson(visit_row())), "all_or_nothing": "{}"}
    refused(
        client.post(f"{BASE}/batches", form, **auth(world.hospital_token)), 400, "invalid_request"
    )
    assert not Batch.objects.exists()
    response = posted(
        client,
        world.hospital_token,
        ndjson(visit_row()),
        query="?format=ndjson&all_or_nothing=true",
    )
    assert response.json()["all_or_nothing"] is True


def test_the_content_type_says_the_format_and_an_unknown_format_is_refused(client, world):
    response = client.post(
        f"{BASE}/batches?format=ndjson",
        b"[1]",
        content_type="application/fhir+json",
        **auth(world.hospital_token),
    )
    refused(response, 400, "not_a_bundle")
    refused(posted(client, world.hospital_token, b"{}\n", query="?format="), 400, "unknown_format")


# --- memory --------------------------------------------------------------------------------

PADDING = 60_000  # bytes of one padding line: under MAX_LINE_BYTES, and read as no row


def padded_upload(path: Path, format: str, megabytes: int) -> int:
    """A file of `megabytes` MB: three visits, then padding lines that are no row (blank in
    NDJSON, empty cells in CSV), then three more visits. Returns its size."""
    if format == "ndjson":
        head, tail = (
            ndjson(*[visit_row(f"A{i}") for i in range(3)]),
            ndjson(*[visit_row(f"B{i}") for i in range(3)]),
        )
        pad = b" " * (PADDING - 1) + b"\n"
    else:
        columns = "type,id,national_id,kind,visit_date,department,diagnoses,copayment,points"
        day = visit_row()["visit_date"]
        line = f"visit,{{}},{ALICE},western,{day},01,I10;E78.1,50,420,0001\n"
        head = f"{columns},card_sequence\n".encode()
        head += "".join(line.format(f"A{i}") for i in range(3)).encode()
        tail = "".join(line.format(f"B{i}") for i in range(3)).encode()
        pad = b"," * (PADDING - 1) + b"\n"
    with path.open("wb") as out:
        out.write(head)
        for _ in range(-(-megabytes * 1_000_000 // PADDING)):
            out.write(pad)
        out.write(tail)
    return path.stat().st_size


def blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while block := file.read(1024 * 1024):
            yield block


@pytest.mark.parametrize("format", ["ndjson", "csv"])
def test_receiving_and_processing_a_file_takes_memory_of_a_line_not_of_the_file(
    world, tmp_path, format
):
    """The receive path writes the file in blocks and the worker reads it a line at a time:
    a 40 MB file goes through in a few MB of Python memory (tracemalloc counts every
    allocation, the parsing thread's too)."""
    path = tmp_path / f"upload.{format}"
    size = padded_upload(path, format, megabytes=40)
    credential = services.authenticate(world.hospital_token)
    tracemalloc.start()
    try:
        batch = services.receive_batch(credential=credential, chunks=blocks(path), format=format)
        batch = processing.process_batch(batch.pk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (batch.status, batch.accepted, batch.rejected) == ("done", 6, 0)
    assert size > 40_000_000
    print(f"peak {peak / 1e6:.1f} MB")
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"
