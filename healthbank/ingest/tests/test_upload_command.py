"""`healthbank upload` against a live server: the file is sent, processed, summarised."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from healthbank.ingest.models import Batch
from healthbank.ingest.tests.helpers import NOBODY, ndjson, visit_row
from healthbank.records.models import Visit


@pytest.fixture
def tasks_run_at_once(settings):
    # The live server's request queues the batch; here it is processed as it is queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def run(*args) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("upload", *args, stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return out.getvalue(), code


def test_upload_sends_the_file_and_prints_the_summary(
    live_server, world, tasks_run_at_once, tmp_path
):
    file = tmp_path / "visits.ndjson"
    file.write_bytes(ndjson(visit_row("V1"), visit_row("V2"), visit_row("V3", national_id=NOBODY)))
    saved = tmp_path / "problems.csv"
    output, code = run(
        "--credential",
        world.hospital_token,
        "--url",
        live_server.url,
        "--interval",
        "0.05",
        "--problems",
        str(saved),
        str(file),
    )
    assert code == 1
    assert "2 accepted, 1 rejected, 0 voided" in output
    assert saved.read_text().splitlines()[1].startswith("3,national_id,")
    assert Visit.objects.count() == 2
    assert Batch.objects.get().file_name == "visits.ndjson"

    output, code = run(
        "--credential",
        world.hospital_token,
        "--url",
        live_server.url,
        "--all-or-nothing",
        str(file),
    )
    assert code == 1 and "nothing was written" in output

    file.write_bytes(ndjson(visit_row("V1")))
    output, code = run("--credential", world.hospital_token, "--url", live_server.url, str(file))
    assert code == 0 and "1 accepted, 0 rejected" in output


def test_upload_says_why_the_server_refused(live_server, world, tmp_path):
    file = tmp_path / "visits.ndjson"
    file.write_bytes(ndjson(visit_row()))
    with pytest.raises(CommandError, match="credential is unknown or revoked"):
        call_command("upload", "--credential", "hbk_x.y", "--url", live_server.url, str(file))
    unknown = tmp_path / "visits.bin"
    unknown.write_bytes(b"x")
    with pytest.raises(CommandError, match="--format"):
        call_command("upload", "--credential", "x", str(unknown))
