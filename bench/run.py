"""The benchmark (issue 9): every scenario on seeded databases, one JSON document of figures
and one Markdown report with charts.

    .venv/bin/python bench/run.py            # make bench: PostgreSQL, 10,000 and 100,000 people
    .venv/bin/python bench/run.py --quick    # 10,000 people only
    .venv/bin/python bench/run.py --smoke    # make bench-smoke: 30 people, under a minute

Full and quick runs keep one PostgreSQL database per size (`healthbank_bench_<people>`)
and reuse it when it already holds that many people (--fresh seeds again); seeding is
itself the first scenario, and its speed is kept in the database beside the data. They
write bench/results/<date>[-quick].{json,md} and the charts beside them. The smoke run
uses a throw-away SQLite database, or PostgreSQL when DATABASE_URL names one, and writes
to var/bench-smoke/ (or --out). The run fails when any scenario fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402
import server  # noqa: E402

HEALTHBANK = ROOT / ".venv" / "bin" / "healthbank"
PYTHON = ROOT / ".venv" / "bin" / "python"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SMOKE_PEOPLE = 30
QUICK_PEOPLE = 10_000
SEEDED = re.compile(r"([\d,]+) rows in ([\d.]+) s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help=f"{QUICK_PEOPLE:,} people only")
    size.add_argument("--smoke", action="store_true", help="every scenario on a tiny dataset")
    parser.add_argument("--people", type=int, default=100_000, help="the full run's largest size")
    parser.add_argument("--fresh", action="store_true", help="seed the kept databases again")
    parser.add_argument(
        "--only", action="append", metavar="SCENARIO", help="run only this scenario (repeatable)"
    )
    parser.add_argument("--out", type=Path, help="where the figures and report go")
    args = parser.parse_args()

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    sizes = {"smoke": [SMOKE_PEOPLE], "quick": [QUICK_PEOPLE]}.get(
        mode, sorted({QUICK_PEOPLE, args.people})
    )
    out = args.out or ROOT / ("var/bench-smoke" if args.smoke else "bench/results")
    out.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now().astimezone()
    stem = now.date().isoformat() + ("" if mode == "full" else f"-{mode}")
    stem += "".join(f"-{name}" for name in args.only or [])  # a part never hides the whole
    scratch = Path(tempfile.mkdtemp(prefix="healthbank-bench-"))
    started = time.perf_counter()

    results = {"mode": mode, "started": now.isoformat(timespec="seconds")}
    results["machine"] = machine()
    results["datasets"] = []
    failed = False
    for people in sizes:
        print(f"== {people:,} people", flush=True)
        env = environment(database_url(mode, people), scratch / str(people))
        seeding = prepare(env, people, fresh=args.fresh or mode == "smoke")
        figures = scratch / f"{people}.json"
        done = subprocess.run(
            [
                PYTHON,
                ROOT / "bench/measure.py",
                f"--mode={mode}",
                f"--out={figures}",
                f"--log={scratch / 'gunicorn.log'}",
                *[f"--only={n}" for n in args.only or []],
            ],
            env=env,
            cwd=ROOT,
        )
        failed |= done.returncode != 0
        dataset = json.loads(figures.read_text()) if figures.exists() else {"scenarios": {}}
        dataset["scenarios"] = {"seed": seeding, **dataset["scenarios"]}
        results["datasets"].append(dataset)
    results["seconds"] = round(time.perf_counter() - started)

    (out / f"{stem}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    written = report.write(results, out, stem)
    print(f"wrote {out / f'{stem}.json'} and {written} in {results['seconds']} s")
    if failed:
        print("a scenario failed: see above", file=sys.stderr)
    return 1 if failed else 0


# --- the machine ---------------------------------------------------------------------------


def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    memory = first("/proc/meminfo", "MemTotal")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": server.cores(),
        "memory_gib": round(int(memory.split()[0]) / 1024**2, 1) if memory[0].isdigit() else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "commit": commit.stdout.strip() or "unknown",
    }


# --- the databases ---------------------------------------------------------------------------


def database_url(mode: str, people: int) -> str:
    if mode == "smoke":
        given = os.environ.get("DATABASE_URL", "")
        if given.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(given)
            return parts._replace(path="/healthbank_bench_smoke").geturl()
        return "sqlite:///{scratch}/bench.sqlite3"  # filled in by environment()
    return f"{PG_SERVER}/healthbank_bench_{people}"


def environment(url: str, scratch: Path) -> dict:
    """The settings of every process of one dataset: production ones (DEBUG off, a secret,
    persistent connections, collected static files) with files in a scratch folder."""
    scratch.mkdir(parents=True, exist_ok=True)
    return dict(
        os.environ,
        DATABASE_URL=url.format(scratch=scratch),
        DEBUG="0",
        SECRET_KEY=os.urandom(32).hex(),
        ALLOWED_HOSTS="127.0.0.1,testserver",  # testserver: measure.py's in-process requests
        DB_CONN_MAX_AGE="60",
        DJANGO_SETTINGS_MODULE="healthbank.settings",
        HEALTHBANK_VAR_DIR=str(scratch),
        CARD_READER_DIR=str(scratch / "cardreader"),
        MOICA_DIR=str(scratch / "moica"),
        DOWNLOAD_DIR=str(scratch / "downloads"),
        INGEST_DIR=str(scratch / "ingest"),
    )


def prepare(env: dict, people: int, fresh: bool) -> dict:
    """Migrate, seed unless the database already holds `people` people, collect static
    files; returns the seed scenario's figures (from this run or from when it was seeded)."""
    url = env["DATABASE_URL"]
    if fresh or population(url) < people:
        recreate(url)
        subprocess.run([HEALTHBANK, "migrate", "--verbosity=0"], env=env, check=True)
        print(f"seeding {people:,} people ...", flush=True)
        seeded = subprocess.run(
            [HEALTHBANK, "seed", f"--people={people}", "--seed=1"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        rows, seconds = SEEDED.search(seeded.stdout).groups()
        remember_seed(url, people, int(rows.replace(",", "")), float(seconds))
    else:
        subprocess.run([HEALTHBANK, "migrate", "--verbosity=0"], env=env, check=True)
    if not url.startswith("sqlite"):
        # A steady state, as autovacuum leaves it: hint bits set and the visibility map
        # written, so the first reads after a bulk load do not write; last run's rows gone.
        with connect(url) as conn:
            conn.execute("VACUUM (ANALYZE)")
    subprocess.run([HEALTHBANK, "collectstatic", "--noinput", "--verbosity=0"], env=env, check=True)
    try:
        return {"status": "ok", **seed_figures(url)}
    except Exception:  # a database seeded by hand: no bench_seed table
        reason = "the kept database was seeded outside the benchmark; run with --fresh"
        return {"status": "skipped", "reason": reason}


def connect(url: str):
    """A DB-API connection to the dataset's database (psycopg or sqlite3)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def population(url: str) -> int:
    try:
        with connect(url) as conn:
            return conn.execute("SELECT count(*) FROM people_person").fetchone()[0]
    except Exception:  # no database or no table yet: seed it
        return 0


def recreate(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    server_url = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def remember_seed(url: str, people: int, rows: int, seconds: float) -> None:
    """The seed's speed, kept beside the data it made (a kept database is seeded once)."""
    with connect(url) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_seed"
            " (people integer, seed_rows bigint, seconds real, seeded_at text)"
        )
        conn.execute("DELETE FROM bench_seed")
        placeholder = "?" if url.startswith("sqlite") else "%s"
        conn.execute(
            f"INSERT INTO bench_seed VALUES ({', '.join([placeholder] * 4)})",  # noqa: S608
            (people, rows, seconds, dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        )
        conn.commit()


def seed_figures(url: str) -> dict:
    with connect(url) as conn:
        people, rows, seconds, seeded_at = conn.execute(
            "SELECT people, seed_rows, seconds, seeded_at FROM bench_seed"
        ).fetchone()
    return {
        "people": people,
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "seeded_at": seeded_at,
    }


if __name__ == "__main__":
    sys.exit(main())
