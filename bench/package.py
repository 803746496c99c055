"""Benchmark: making the record package of the person with the most visits (target: under
1 s for every category, merged, on the 2-core reference machine).

    .venv/bin/python bench/package.py                      # make bench: the kept PostgreSQL
    .venv/bin/python bench/package.py --sqlite --people 200   # make bench-smoke

Uses the database `bench/pages.py` seeded (`healthbank_pages`, 100,000 people) or a fresh
small SQLite one; times `write_package` (queries, HTML, XML, FHIR, AES ZIP) five times and
writes bench/results/package-<database>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from pages import PG_DATABASE, PG_SERVER, environment, seed  # noqa: E402

TARGET_SECONDS = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--people", type=int, default=200, help="with --sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="healthbank-package-")
    if args.sqlite:
        env = environment(f"sqlite:///{scratch}/package.sqlite3", scratch)
        seed(env, args.people)
    else:
        env = environment(f"{PG_SERVER}/{PG_DATABASE}", scratch)
        subprocess.run([ROOT / ".venv/bin/healthbank", "migrate", "-v0"], env=env, check=True)
    os.environ.update(env, DOWNLOAD_DIR=f"{scratch}/downloads")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthbank.settings")
    import django

    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from healthbank.downloads.categories import CATEGORIES
    from healthbank.downloads.package import write_package
    from healthbank.people.models import Person
    from healthbank.records.models import Visit

    busiest = (
        Visit.objects.values("person").annotate(n=Count("id")).order_by("-n", "person").first()
    )
    person = Person.objects.get(pk=busiest["person"])
    choices = [{"code": c.code, "mode": "merged"} for c in CATEGORIES]
    seconds, size, rows = [], 0, 0
    for _ in range(args.runs):
        started = time.perf_counter()
        path, counts = write_package(
            person=person, choices=choices, today=timezone.localdate(), generated_at=timezone.now()
        )
        rows = sum(counts.values())
        seconds.append(time.perf_counter() - started)
        size = path.stat().st_size
        path.unlink()
    database = "sqlite" if args.sqlite else "postgresql"
    median, worst = statistics.median(seconds), max(seconds)
    print(
        f"{database}: person {person.pk} with {busiest['n']} visits, {rows:,} rows in "
        f"{len(CATEGORIES)} categories -> {size / 1024:,.0f} KiB ZIP; median {median:.2f} s, "
        f"worst {worst:.2f} s; target < {TARGET_SECONDS} s: "
        f"{'met' if worst < TARGET_SECONDS else 'MISSED'}"
    )
    out = ROOT / "bench" / "results" / f"package-{database}.json"
    out.write_text(
        json.dumps(
            {"database": database, "visits": busiest["n"], "rows": rows, "zip_bytes": size}
            | {"median_s": round(median, 3), "worst_s": round(worst, 3), "runs": args.runs},
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
