"""The cluster's own figures for docs/capacity.md (issue 22), on the loopback cluster:

- what synchronous replication costs a commit (one row, autocommit), against a commit the
  primary alone confirms (`synchronous_commit = local`);
- the replicas' lag while pgbench writes as fast as it can (TPC-B, 4 clients);
- the seconds a dead primary host leaves the cluster without writes, over several kills;
- the benchmark's ten pages through the balancer with every read on the primary, then with
  record reads on the replicas, in the same run.

    .venv/bin/python cluster/measure.py [--kills 3] [--seconds 20] [--people 2000] [--only reads]

Writes bench/results/<date>-cluster.json and prints a summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import wrk  # noqa: E402 - bench/wrk.py
from measure import PAGES  # noqa: E402 - bench/measure.py

from cluster.shape import (  # noqa: E402
    BALANCER,
    PG_BIN,
    PRIMARY_URL,
    ROOT,
    Cluster,
    missing_tools,
    wait_for,
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def commit_latency(commits: int) -> dict:
    figures = {}
    with psycopg.connect(PRIMARY_URL, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS commit_probe (n bigint)")
        for mode in ("on", "local"):
            conn.execute(f"SET synchronous_commit = {mode}")
            took = []
            for n in range(commits):
                t0 = time.perf_counter()
                conn.execute("INSERT INTO commit_probe VALUES (%s)", (n,))
                took.append((time.perf_counter() - t0) * 1000)
            figures[f"synchronous_commit={mode}"] = {
                "commits": commits,
                "p50_ms": round(statistics.median(took), 2),
                "p99_ms": round(percentile(took, 0.99), 2),
            }
    return figures


def lag_under_load(cluster: Cluster, seconds: int) -> dict:
    primary = wait_for("a primary", cluster.primary, 30)
    pgbench = [str(PG_BIN / "pgbench"), "-h", primary.address, "-U", "postgres", "healthbank"]
    subprocess.run([*pgbench, "-i", "-s", "10", "-q"], check=True, capture_output=True)  # noqa: S603
    samples: dict[str, list[tuple[float, float]]] = {}
    done = threading.Event()

    def sample() -> None:
        with psycopg.connect(primary.url, autocommit=True) as conn:
            while not done.is_set():
                rows = conn.execute(
                    "SELECT application_name, sync_state,"
                    " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
                    " coalesce(extract(epoch FROM replay_lag), 0) * 1000"
                    " FROM pg_stat_replication"
                ).fetchall()
                for name, state, behind, lag_ms in rows:
                    samples.setdefault(f"{name} ({state})", []).append(
                        (float(behind or 0), float(lag_ms))
                    )
                time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    run = subprocess.run(  # noqa: S603
        [*pgbench, "-c", "4", "-j", "2", "-T", str(seconds), "-P", "5"],
        check=True,
        capture_output=True,
        text=True,
    )
    done.set()
    sampler.join()
    tps = next(
        float(line.split("=")[1].split()[0])
        for line in run.stdout.splitlines()
        if line.startswith("tps")
    )
    return {
        "pgbench": f"TPC-B, scale 10, 4 clients, {seconds} s",
        "tps": round(tps),
        "replicas": {
            name: {
                "bytes_behind_p95": int(percentile([b for b, _ in values], 0.95)),
                "bytes_behind_max": int(max(b for b, _ in values)),
                "replay_lag_ms_p95": round(percentile([m for _, m in values], 0.95), 1),
                "replay_lag_ms_max": round(max(m for _, m in values), 1),
            }
            for name, values in samples.items()
        },
    }


# The ten pages' paths, printed as JSON.
PATHS = """
import json
from django.urls import reverse
print(json.dumps({name: reverse(view) for name, view in %r.items()}))
"""


def signed_in(path: str, cookie: str) -> None:
    request = urllib.request.Request(
        f"http://{BALANCER[0]}:{BALANCER[1]}{path}", headers={"Cookie": cookie}
    )
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(request, timeout=30) as answer:  # noqa: S310 - our own loopback address
        if answer.status != 200:
            raise RuntimeError(f"{path}: {answer.status}, not the page (signed out?)")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def reads(cluster: Cluster, people: int, seconds: int) -> dict:
    """The benchmark's ten pages through the balancer, every read on the primary, then
    record reads on the replicas: the same people, the same run."""
    cookies = cluster.sign_in(people)
    paths = json.loads(cluster.manage("shell", "-c", PATHS % (PAGES,)).splitlines()[-1])
    scratch = Path(tempfile.mkdtemp(prefix="healthbank-reads-"))
    figures: dict[str, dict] = {}
    for mode, on_replicas in (("primary only", False), ("replicas", True)):
        cluster.read_replicas = on_replicas
        cluster.restart_web()
        for name, path in paths.items():
            options = {
                "connections": 4,
                "rotating": ("Cookie", cookies),
                "scratch": scratch,
                "host": BALANCER[0],
            }
            wrk.run(BALANCER[1], path, seconds=1, **options)  # each worker's first requests
            signed_in(path, cookies[-1])  # wrk would count a redirect as a page
            summary = wrk.run(BALANCER[1], path, seconds=seconds, **options)
            figures.setdefault(name, {})[mode] = {
                key: summary[key] for key in ("per_second", "p50_ms", "p99_ms", "errors")
            }
    shutil.rmtree(scratch, ignore_errors=True)
    return {"people": len(cookies), "seconds_per_page": seconds, "pages": figures}


def failovers(cluster: Cluster, kills: int) -> list[dict]:
    found = []
    for _ in range(kills):
        primary = wait_for("a primary", cluster.primary, 60)
        killed = time.monotonic()
        primary.lose_power()

        def writes() -> bool:
            with psycopg.connect(PRIMARY_URL, autocommit=True, connect_timeout=1) as conn:
                conn.execute("INSERT INTO commit_probe VALUES (-1)")
            return True

        wait_for("writes again", writes, 60, every=0.1)
        took = time.monotonic() - killed
        found.append({"killed": primary.name, "seconds_without_writes": round(took, 1)})
        primary.power_on()
        wait_for("two replicas streaming", cluster._replicas_streaming, 120)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--people", type=int, default=2000, help="seeded for the page mix")
    parser.add_argument("--page-seconds", type=int, default=10)
    parser.add_argument("--only", choices=["reads", "database"], help="one part alone")
    options = parser.parse_args()
    if missing := missing_tools():
        print(f"Missing {', '.join(missing)}: `make packages` installs them as root.")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="healthbank-cluster-"))
    with Cluster(folder) as cluster:
        started = time.monotonic()
        cluster.start_database()
        result: dict = {
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "cluster_up_seconds": round(time.monotonic() - started, 1),
        }
        if options.only in (None, "reads"):
            cluster.manage("demo", "--no-serve", "--people", str(options.people))
            cluster.start_app()
            result["reads"] = reads(cluster, min(options.people, 200), options.page_seconds)
        if options.only in (None, "database"):
            result["commit_latency"] = commit_latency(options.commits)
            result["lag_under_load"] = lag_under_load(cluster, options.seconds)
            result["failovers"] = failovers(cluster, options.kills)
    out = ROOT / "bench" / "results" / f"{dt.datetime.now(dt.UTC).date().isoformat()}-cluster.json"
    if out.exists():  # one part alone keeps the other's figures
        result = json.loads(out.read_text()) | result
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
