"""Issue 18's memory check of provider uploads: the peak resident memory (RSS) of the process
that receives and processes an NDJSON upload of about 10 MB and about 1 GB, to show that it
does not grow with the file.

    .venv/bin/python bench/ingest_memory.py                         # 10 MB and 1 GB
    .venv/bin/python bench/ingest_memory.py --sizes 10 100          # in MB
    .venv/bin/python bench/ingest_memory.py --parse-only --sizes 1000
    .venv/bin/python bench/ingest_memory.py --fhir     # a FHIR Bundle at its bound, parsed

Each upload is generated on disk in a temporary folder (valid visits of the seeded people,
bench/ingest.py's rows), then sent in a process of its own through the path the API and the
worker take: `receive_batch` (the file in 1 MiB blocks, as a request body arrives) then
`process_batch` (read, validated and written a chunk at a time; a large file is parsed by
worker processes, processing.parse_workers). `--parse-only` stops short of the database:
the file is received, then read and parsed as process_batch would (`processing._parsed`),
nothing written. The process reports its RSS after start-up (Django and the ingest modules
loaded), its peak (getrusage ru_maxrss), the peak of its largest parsing process
(RUSAGE_CHILDREN, once they have ended) and the time taken.
`--fhir` measures the exception: a FHIR Bundle is read whole (its references may point
anywhere in it), so it is bounded by size instead (rules.MAX_BUNDLE_BYTES); one just under
the bound, of copies of examples/fhir/visit.json, is received and parsed.

Runs on bench/ingest.py's kept PostgreSQL database, healthbank_bench_ingest (or
BENCH_INGEST_URL; seeded with --people people the first time; the previous run's visits are
deleted before each upload). Writes bench/results/<date>-ingest-memory[-parse].json (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ingest  # noqa: E402
import run  # noqa: E402

MB = 1_000_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000], help="in MB")
    parser.add_argument("--parse-only", action="store_true", help="no database writes")
    parser.add_argument("--fhir", action="store_true", help="a Bundle at its bound, parsed")
    parser.add_argument("--people", type=int, default=3_000, help="people seeded at first")
    parser.add_argument("--out", type=Path, help="the JSON file of figures")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:  # the environment is the parent's
        format = "fhir" if args.fhir else "ndjson"
        print(json.dumps(upload(args.child, format=format, parse_only=args.parse_only)))
        return 0
    url = os.environ.get("BENCH_INGEST_URL", f"{run.PG_SERVER}/healthbank_bench_ingest")
    scratch = Path(tempfile.mkdtemp(prefix="healthbank-ingest-memory-"))
    env = {**run.environment(url, scratch), **ingest.LIFTED_LIMITS}
    try:
        return measure(args, env, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure(args: argparse.Namespace, env: dict, scratch: Path) -> int:
    seed = run.prepare(env, args.people, fresh=False)
    os.environ.update(env)
    import django

    django.setup()
    from healthbank.ingest import rules

    runs = []
    parse_only = args.parse_only or args.fhir
    for size in [rules.MAX_BUNDLE_BYTES // MB] if args.fhir else args.sizes:
        path = scratch / f"upload-{size}MB.{'json' if args.fhir else 'ndjson'}"
        started = time.perf_counter()
        if args.fhir:
            visits = write_bundle(path, rules.MAX_BUNDLE_BYTES)
        else:
            visits = write_upload(path, size * MB)
        made_s = time.perf_counter() - started
        print(f"{path.stat().st_size / MB:,.0f} MB, {visits:,} visits, made in {made_s:.0f} s")
        forget()
        done = subprocess.run(  # noqa: S603 - this script, with arguments of its own
            [
                sys.executable,
                __file__,
                f"--child={path}",
                *(["--parse-only"] if parse_only else []),
                *(["--fhir"] if args.fhir else []),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        path.unlink()
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
        figures = {"target_mb": size, "visits": visits, **json.loads(done.stdout.splitlines()[-1])}
        runs.append(figures)
        print(json.dumps(figures))
    forget()
    from django.conf import settings

    results = {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": run.machine(),
        "seed": seed,
        "database": "postgresql",
        "format": "fhir" if args.fhir else "ndjson",
        "mode": "parse only (received, read and parsed; nothing written)"
        if parse_only
        else "received and processed (written to the database)",
        "chunk_rows": settings.INGEST_CHUNK_ROWS,
        "runs": runs,
    }
    today = dt.datetime.now().astimezone().date()
    suffix = "-fhir" if args.fhir else "-parse" if args.parse_only else ""
    out = args.out or ROOT / "bench" / "results" / f"{today}-ingest-memory{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out}")
    return 0


def write_upload(path: Path, size: int) -> int:
    """About `size` bytes of NDJSON visits, written a line at a time; returns how many."""
    from django.utils import timezone

    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    insured = ingest.insured_ids(day)
    written = visits = 0
    with path.open("w") as out:
        while written < size:
            line = ingest.visit_line(visits, insured[visits % len(insured)], day)
            out.write(line)
            written += len(line)
            visits += 1
    return visits


def write_bundle(path: Path, bound: int) -> int:
    """A transaction Bundle just under `bound` bytes: copies of the example visit (an
    Encounter with its Patient, Conditions, MedicationRequest and Procedure), each with
    fullUrls and a visit id of its own. Returns how many visits."""
    example = ROOT / "healthbank" / "ingest" / "examples" / "fhir" / "visit.json"
    entries = json.dumps(json.loads(example.read_text("utf-8"))["entry"], ensure_ascii=False)
    one = entries[1:-1]  # the entries without the list's brackets
    head, tail = '{"resourceType": "Bundle", "type": "transaction", "entry": [', "]}"
    written, visits = len(head) + len(tail), 0
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        while True:
            copy = one.replace("1f4f0d3b8a0", f"{visits:011x}").replace(
                "V20240102-0001", f"V{visits}"
            )
            size = len(copy.encode()) + 2
            if written + size > bound:
                break
            out.write((", " if visits else "") + copy)
            written += size
            visits += 1
        out.write(tail)
    return visits


def forget() -> None:
    """The visits of earlier runs deleted, so every upload inserts."""
    ingest.forget(provider().pk)


def provider():
    from healthbank.records.models import Provider

    return Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("code").first()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def upload(path: Path, *, format: str, parse_only: bool) -> dict:
    """In the child process: one upload through receive_batch and process_batch (or the
    parse path only), with its memory and times."""
    import django

    django.setup()
    from contextlib import closing

    from django.core.files.storage import storages

    from healthbank.files.storage import local_path
    from healthbank.ingest import processing, services
    from healthbank.ingest.formats import reader_for, split_reader_for
    from healthbank.ingest.models import Credential

    token = services.issue_credential(credential=Credential(provider=provider()))
    credential = services.authenticate(token)
    reader_for(format)  # imported before the baseline, as in a worker that ran before
    baseline = rss_mb()
    started = time.perf_counter()
    with path.open("rb") as file:
        batch = services.receive_batch(
            credential=credential,
            chunks=iter(lambda: file.read(1024 * 1024), b""),
            format=format,
            file_name=path.name,
            json_object=format == "fhir",
        )
    received_s = time.perf_counter() - started
    workers = processing.parse_workers(batch)
    if parse_only:
        rows = 0
        split = split_reader_for(format)
        cut, decode = split if workers and split else (reader_for(format), None)
        stored = storages["ingest"]
        with (
            local_path(stored, batch.stored_name) as local,
            local.open("rb") as file,
            processing._fewer_collections(),
        ):
            ahead = processing._parsed(
                cut(file), after=0, scopes=["visit"], decode=decode, workers=workers
            )
            with closing(ahead) as chunks:
                for _last, parsed, problems in chunks:
                    rows += len(parsed) + len(problems)
        stored.delete(batch.stored_name)
        batch.delete()  # never processed: no worker of this database is to find it
        accepted = None
    else:
        batch = processing.process_batch(batch.pk)
        if batch.status != "done" or batch.rejected:
            raise RuntimeError(f"batch {batch.pk}: {batch.status}, {batch.rejected} refused")
        rows, accepted = batch.received, batch.accepted
    total_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "file_mb": round(batch.size / MB, 1),
        "rows": rows,
        "accepted": accepted,
        "rss_after_start_mb": round(baseline, 1),
        "peak_rss_mb": round(peak, 1),
        "rss_at_end_mb": round(rss_mb(), 1),
        "parse_workers": workers,
        "worker_peak_rss_mb": round(workers_peak, 1) if workers else None,
        "receive_s": round(received_s, 1),
        "total_s": round(total_s, 1),
        "rows_per_second": round(rows / (total_s - received_s)),
    }


if __name__ == "__main__":
    sys.exit(main())
