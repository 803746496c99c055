"""The upload API: the owner sends and follows its batches; another provider gets 404; a
revoked or wrong credential gets 401."""

from __future__ import annotations

import pytest

from healthbank.files.tests.stores import stored_names
from healthbank.ingest import processing, services
from healthbank.ingest.models import Batch, Credential
from healthbank.ingest.tests.helpers import NOBODY, ndjson, visit_row
from healthbank.records.models import Visit

pytestmark = pytest.mark.django_db
BASE = "/providers/api/v1"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def posted(client, token: str, data: bytes, query: str = "?format=ndjson", **extra):
    return client.post(
        f"{BASE}/batches{query}",
        data,
        content_type="application/octet-stream",
        **auth(token),
        **extra,
    )


def test_the_owner_sends_a_file_and_follows_its_batch(client, world):
    data = ndjson(visit_row(), visit_row("V2", national_id=NOBODY))
    response = posted(client, world.hospital_token, data)
    assert response.status_code == 202
    sent = response.json()
    assert (sent["status"], sent["format"], sent["size"]) == ("received", "ndjson", len(data))
    processing.process_batch(sent["id"])  # what the worker does

    page = client.get(f"{BASE}/batches/{sent['id']}", **auth(world.hospital_token)).json()
    assert (page["status"], page["accepted"], page["rejected"]) == ("done", 1, 1)
    assert page["duration_seconds"] >= 0
    listed = client.get(f"{BASE}/batches", **auth(world.hospital_token)).json()
    assert [b["id"] for b in listed] == [sent["id"]]
    report = client.get(page["problems_url"], **auth(world.hospital_token))
    assert report["Content-Type"].startswith("text/csv")
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0] == "position,field,message"
    assert lines[1].startswith("2,national_id,")


def test_a_multipart_upload_with_all_or_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("visits.ndjson", ndjson(visit_row()))
    response = client.post(
        f"{BASE}/batches", {"file": file, "all_or_nothing": "true"}, **auth(world.hospital_token)
    )
    assert response.status_code == 202, response.content
    batch = Batch.objects.get()
    assert (batch.format, batch.all_or_nothing, batch.file_name) == (
        "ndjson",
        True,
        "visits.ndjson",
    )


def test_the_format_comes_from_the_content_type(client, world):
    response = client.post(
        f"{BASE}/batches", "type,id\n", content_type="text/csv", **auth(world.hospital_token)
    )
    assert response.json()["format"] == "csv"


def test_another_provider_sees_nothing_of_the_batch(client, world):
    sent = posted(client, world.hospital_token, ndjson(visit_row())).json()
    other = auth(world.clinic_token)
    assert client.get(f"{BASE}/batches/{sent['id']}", **other).status_code == 404
    response = client.get(sent["problems_url"], **other)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(f"{BASE}/batches", **other).json() == []


def test_a_revoked_or_wrong_credential_is_refused(client, world):
    credential = Credential.objects.get(provider=world.hospital)
    services.revoke_credential(credential=credential)
    for headers in (auth(world.hospital_token), auth("hbk_0.x"), {}):
        response = client.get(f"{BASE}/batches", **headers)
        assert response.status_code == 401
        assert response.json()["code"] == "credential_invalid"
    assert posted(client, world.hospital_token, ndjson(visit_row())).status_code == 401
    assert not Batch.objects.exists()


def test_an_empty_or_unnamed_or_too_large_file_is_refused(client, world, settings):
    token = world.hospital_token
    assert posted(client, token, b"").json()["code"] == "empty_file"
    assert posted(client, token, b"{}", query="").json()["code"] == "unknown_format"
    assert posted(client, token, b"{}", query="?format=xml").json()["code"] == "unknown_format"
    settings.INGEST_MAX_FILE_BYTES = 10
    response = posted(client, token, b"x" * 11)
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert not Batch.objects.exists()
    assert not stored_names("ingest")


def test_a_raw_body_larger_than_djangos_form_limit_is_streamed(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = [visit_row(f"V{i}") for i in range(20)]
    assert posted(client, world.hospital_token, ndjson(*rows)).status_code == 202
    processing.process_batch(Batch.objects.get().pk)
    assert Visit.objects.count() == 20


def test_the_openapi_document_lists_the_endpoints(client):
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    one = f"{BASE}/batches/{{batch_id}}"
    assert set(paths) >= {f"{BASE}/batches", one, f"{one}/problems.csv"}
