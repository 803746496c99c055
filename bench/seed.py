"""Benchmark: `healthbank seed` into a fresh database, on SQLite and on PostgreSQL.

    .venv/bin/python bench/seed.py --people 10000        # make bench
    .venv/bin/python bench/seed.py --people 200          # make bench-smoke

Prints rows written, seconds and rows per second for each database (target on the
2-core reference machine: at least 20,000 rows/s), and writes them to
bench/results/seed-<people>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTHBANK = ROOT / ".venv" / "bin" / "healthbank"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
TARGET_ROWS_PER_SECOND = 20_000
REPORT = re.compile(r"([\d,]+) rows in ([\d.]+) s")


def postgres_url() -> str | None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS healthbank_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE healthbank_bench")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable, skipped: {exc}")
        return None
    return f"{PG_SERVER}/healthbank_bench"


def run(database_url: str, people: int, seed: int, scratch: str) -> dict:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench",  # noqa: S106
        CARD_READER_DIR=f"{scratch}/cardreader",  # the virtual card files seed writes
        MOICA_DIR=f"{scratch}/moica",
    )
    subprocess.run([HEALTHBANK, "migrate", "--verbosity", "0"], env=env, check=True)
    done = subprocess.run(
        [HEALTHBANK, "seed", "--people", str(people), "--seed", str(seed), "--no-personas"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    print(done.stdout)
    rows, seconds = REPORT.search(done.stdout).groups()
    rows = int(rows.replace(",", ""))
    return {
        "rows": rows,
        "seconds": float(seconds),
        "rows_per_second": round(rows / float(seconds)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        sqlite = f"sqlite:///{scratch}/bench.sqlite3"
        results["sqlite"] = run(sqlite, args.people, args.seed, scratch)
    url = postgres_url()
    if url:
        with tempfile.TemporaryDirectory() as scratch:
            results["postgresql"] = run(url, args.people, args.seed, scratch)
    print(
        f"{'database':<12}{'rows':>12}{'seconds':>10}{'rows/s':>10}"
        f"  target {TARGET_ROWS_PER_SECOND:,}"
    )
    for name, r in results.items():
        verdict = "met" if r["rows_per_second"] >= TARGET_ROWS_PER_SECOND else "MISSED"
        print(
            f"{name:<12}{r['rows']:>12,}{r['seconds']:>10.1f}{r['rows_per_second']:>10,}  {verdict}"
        )
    out = ROOT / "bench" / "results" / f"seed-{args.people}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"people": args.people, "seed": args.seed, **results}, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
