"""`healthbank upload --credential TOKEN FILE`: send a file to the upload API (for providers'
IT staff), follow its processing with progress bars, and print a summary.

The token may also come from the HEALTHBANK_CREDENTIAL environment variable, which keeps it
out of the shell's history. Exit status: 0 when every row was accepted, 1 otherwise.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import requests
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

API = "/providers/api/v1"
FORMATS = {".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv", ".json": "fhir"}
CONTENT_TYPES = {
    "ndjson": "application/x-ndjson",
    "csv": "text/csv",
    "fhir": "application/fhir+json",
}
FINISHED = {"done", "failed"}


class _Body:
    """The file as a request body of known length (so it is not sent chunked), moving the
    upload bar as it is read."""

    def __init__(self, path: Path, progress: Progress, task: TaskID):
        self.file = path.open("rb")
        self.size = path.stat().st_size
        self.progress, self.task = progress, task

    def __len__(self) -> int:
        return self.size

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.progress.advance(self.task, len(chunk))
        return chunk


def _rows_in(path: Path, format: str) -> int | None:
    """About how many rows the file has (lines), for the processing bar; None for Bundles."""
    if format == "fhir":
        return None
    with path.open("rb") as file:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
    return max(lines - (format == "csv"), 1)


class Command(BaseCommand):
    help = "Upload a file of records to healthbank and wait for its batch to be processed."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--credential",
            default=os.environ.get("HEALTHBANK_CREDENTIAL", ""),
            help="the upload credential's token (or set HEALTHBANK_CREDENTIAL)",
        )
        parser.add_argument("--format", choices=["ndjson", "csv", "fhir"])
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--all-or-nothing", action="store_true")
        parser.add_argument("--no-wait", action="store_true", help="do not follow processing")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
        parser.add_argument("--problems", type=Path, help="save the problems CSV here")

    def handle(self, *args, file: Path, credential: str, format, url: str, **options):
        if not credential:
            raise CommandError("Give --credential or set HEALTHBANK_CREDENTIAL.")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        format = format or FORMATS.get(file.suffix.lower())
        if format is None:
            raise CommandError("Say the file's format with --format ndjson, csv or fhir.")
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {credential}"
        base = url.rstrip("/")
        # The stream under Django's OutputWrapper; the stubs type it as a callable.
        console = Console(file=self.stdout._out, stderr=False)  # type: ignore[arg-type]
        columns = [TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
        with Progress(*columns, DownloadColumn(), console=console, transient=False) as bars:
            sending = bars.add_task("Uploading ", total=file.stat().st_size)
            response = self._call(
                session.post,
                f"{base}{API}/batches",
                data=_Body(file, bars, sending),
                params={
                    "format": format,
                    "name": file.name,
                    "all_or_nothing": "true" if options["all_or_nothing"] else "false",
                },
                headers={"Content-Type": CONTENT_TYPES[format]},
            )
        batch = response.json()
        console.print(f"Batch {batch['id']} received ({batch['size']} bytes).")
        if options["no_wait"]:
            return
        total = _rows_in(file, format)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bars:
            processing = bars.add_task("Processing", total=total)
            while batch["status"] not in FINISHED:
                time.sleep(options["interval"])
                batch = self._call(session.get, f"{base}{API}/batches/{batch['id']}").json()
                bars.update(processing, completed=batch["received"])
            bars.update(processing, total=batch["received"], completed=batch["received"])
        self._summary(console, session, base, batch, options["problems"])
        if batch["status"] != "done" or batch["rejected"]:
            raise SystemExit(1)

    def _call(self, method, url: str, **kwargs) -> requests.Response:
        try:
            response = method(url, timeout=(10, 600), **kwargs)
        except requests.RequestException as error:
            raise CommandError(f"Cannot reach {url}: {error}") from error
        if response.status_code >= 400:
            try:
                body = response.json()
                message = f"{body['message']} ({body['code']}, HTTP {response.status_code})"
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {response.status_code}"
            raise CommandError(message)
        return response

    def _summary(self, console: Console, session, base: str, batch: dict, save: Path | None):
        duration = batch["duration_seconds"] or 0
        console.print(
            f"Batch {batch['id']} {batch['status']}: {batch['accepted']} accepted, "
            f"{batch['rejected']} rejected, {batch['voided']} voided "
            f"({batch['received']} rows in {duration:.1f} s)."
        )
        if batch["status"] == "failed" and batch["all_or_nothing"]:
            console.print("All or nothing: nothing was written.")
        if not batch["rejected"] and batch["status"] == "done":
            return
        problems_url = f"{base}{batch['problems_url']}"
        if save is not None:
            save.write_bytes(self._call(session.get, problems_url).content)
            console.print(f"Problems saved to {save}.")
        else:
            console.print(
                f"Problems (CSV: position, field, message): {problems_url} "
                "(with the same credential), or run again with --problems FILE."
            )
