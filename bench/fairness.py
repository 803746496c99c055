"""Issue 22's head-of-line figure: a one-visit upload's seconds to visible (its visit in the
person's own record reads) while a big batch of another provider runs, on `healthbank
worker` processes as in production (batches take turns: ingest/tasks.py).

    .venv/bin/python bench/fairness.py                     # a 1,000,000-visit batch, one worker
    .venv/bin/python bench/fairness.py --visits 100000     # a shorter run
    .venv/bin/python bench/fairness.py --workers 2         # two worker processes
    .venv/bin/python bench/fairness.py --slice 1e9         # no turns: first in, first out

While the big batch runs, one visit is uploaded every --every seconds (after the previous is
visible) by a second provider, and its time from upload to visible is taken, from the
upload's first byte to the person's selector (records.selectors.calendar.visits_between)
returning it. Runs on a kept PostgreSQL database, hb_fairness_bench (seeded with --people
people the first time; BENCH_FAIRNESS_URL names another). Writes
bench/results/<date>-fairness-<visits>.json (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import ingest  # noqa: E402
import run  # noqa: E402

TARGET_S = 5  # issue 22: a small batch is visible within 5 s whatever is queued


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000, help="the big batch's visits")
    parser.add_argument("--people", type=int, default=3_000, help="people seeded at first")
    parser.add_argument("--workers", type=int, default=1, help="`healthbank worker` processes")
    parser.add_argument("--every", type=float, default=5, help="seconds between one-visit uploads")
    parser.add_argument("--slice", type=float, help="INGEST_SLICE_SECONDS (default: settings)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    url = os.environ.get("BENCH_FAIRNESS_URL", f"{run.PG_SERVER}/hb_fairness_bench")
    scratch = ROOT / "var" / "bench-fairness"
    env = run.environment(url, scratch) | ingest.LIFTED_LIMITS | {"PYTHONPATH": str(ROOT)}
    if args.slice is not None:
        env["INGEST_SLICE_SECONDS"] = str(args.slice)
    seed = run.prepare(env, args.people, fresh=False)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    figures = {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": run.machine(),
        "seed": seed,
        "chunk_rows": settings.INGEST_CHUNK_ROWS,
        "slice_s": settings.INGEST_SLICE_SECONDS,
        "workers": args.workers,
        **measure(args, env, scratch),
    }
    today = dt.datetime.now().astimezone().date()
    out = args.out or ROOT / "bench" / "results" / f"{today}-fairness-{args.visits}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps({k: v for k, v in figures.items() if k != "machine"}, indent=2))
    print(f"written to {out}", flush=True)
    return 0


def measure(args, env: dict, scratch: Path) -> dict:
    from django.utils import timezone

    from healthbank.ingest import services
    from healthbank.ingest.models import Batch, Credential
    from healthbank.records.models import Provider, Visit

    big_provider, small_provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by(
        "code"
    )[:2]
    ingest.forget(big_provider.pk)
    Visit.objects.filter(provider=small_provider, source_id__startswith="fair-").delete()
    path = scratch / "big.ndjson"
    started = time.perf_counter()
    size = ingest.write_upload(path, args.visits)
    made_s = time.perf_counter() - started
    print(f"{args.visits:,} visits, {size / 1e6:,.0f} MB, made in {made_s:.0f} s", flush=True)
    big_token = services.issue_credential(credential=Credential(provider=big_provider))
    small_token = services.issue_credential(credential=Credential(provider=small_provider))
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    person = ingest.insured_ids(day)[0]

    workers = [
        subprocess.Popen(  # noqa: S603 - our own command
            [run.HEALTHBANK, "worker", "--cleanup-every", "3600"],
            env=env,
            stdout=(scratch / f"worker-{n}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for n in range(args.workers)
    ]
    try:
        started = time.perf_counter()
        with path.open("rb") as upload:
            big = send(big_token, iter(lambda: upload.read(1 << 20), b""), path.name)
        print(f"big batch #{big.pk} received in {time.perf_counter() - started:.1f} s", flush=True)
        while Batch.objects.get(pk=big.pk).checkpoint == 0:  # its first chunk is in
            time.sleep(0.1)
        samples = []
        while Batch.objects.get(pk=big.pk).status in ("received", "processing"):
            seconds, during = one_visit(small_token, person, day, len(samples), big.pk)
            samples.append(seconds)
            print(f"one visit visible in {seconds:.2f} s ({during:,} big rows in)", flush=True)
            time.sleep(args.every)
        big = Batch.objects.get(pk=big.pk)
        big_s = (big.finished_at - big.created_at).total_seconds()
        print(f"big batch {big.status} in {big_s:.0f} s, {big.accepted:,} accepted", flush=True)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=120)
    if big.accepted != args.visits:
        raise RuntimeError(f"{big.accepted} of {args.visits} visits accepted: {big.status}")
    return {
        "visits": args.visits,
        "file_bytes": size,
        "big_batch_s": round(big_s, 1),
        "big_visits_per_second": round(args.visits / big_s),
        "one_visit_samples": len(samples),
        "one_visit_visible_s": [round(s, 2) for s in samples],
        "one_visit_visible_median_s": round(statistics.median(samples), 2) if samples else None,
        "one_visit_visible_max_s": round(max(samples), 2) if samples else None,
        "target_s": TARGET_S,
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def send(token: str, chunks, name: str):
    from healthbank.ingest import services

    return services.receive_batch(
        credential=services.authenticate(token),
        chunks=chunks,
        format="ndjson",
        file_name=name,
    )


def one_visit(token: str, national_id: str, day: str, n: int, big_id: int) -> tuple[float, int]:
    """Seconds from uploading one visit to the person's selector showing it, and how far
    the big batch was when it showed."""
    from healthbank.ingest.models import Batch
    from healthbank.people.models import Person
    from healthbank.records.selectors.calendar import visits_between

    record_id = f"fair-{time.time_ns()}-{n}"
    line = json.loads(ingest.visit_line(0, national_id, day)) | {"id": record_id}
    person = Person.objects.get(national_id=national_id)
    date = dt.date.fromisoformat(day)
    started = time.perf_counter()
    send(token, [(json.dumps(line) + "\n").encode()], "one.ndjson")
    while not any(v.source_id == record_id for v in visits_between(person, date, date)):
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    return seconds, Batch.objects.get(pk=big_id).checkpoint


if __name__ == "__main__":
    sys.exit(main())
