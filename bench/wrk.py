"""wrk (Debian's package `wrk`), the load generator for loads of a thousand requests a
second and more. A Python loader spends most of a core to send that many on this 2-core
machine, a core the server under test then lacks: QR verification measured 410–547/s from
two Python processes of http.client threads, and 1,160–1,370/s from wrk against the same
server, with the same four clients and a new connection per request. `load.py` stays for
the loads that need Python on each request (a signed-in session per person, raw SQL).
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from pathlib import Path

import load

SCRIPT = Path(__file__).with_name("wrk.lua")


def missing() -> str | None:
    """Why wrk cannot run here, or None."""
    if shutil.which("wrk"):
        return None
    return "wrk is not installed (Debian package wrk; `make packages` installs it as root)"


def run(
    port: int,
    path: str,
    *,
    connections: int,
    seconds: int,
    bodies: list[str] | None = None,
    rotating: tuple[str, list[str]] | None = None,
    paths: list[str] | None = None,
    headers: dict[str, str] | None = None,
    scratch: Path,
    host: str = "127.0.0.1",
) -> dict:
    """`connections` clients (on two wrk threads) sending requests to `path` for `seconds`,
    a new connection per request: POSTs of `bodies` (each once, in turn) or GETs; with
    `rotating` (a header's name and values), GETs whose header takes each value in turn;
    with `paths` as well (one per value), each GET goes to the value's own path.
    The figures are load.Outcome.summary()'s, with the latency quantiles for the charts."""
    threads = min(2, connections)
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=60s",
        f"--script={SCRIPT}",
    ]
    for name, value in {"Connection": "close", **(headers or {})}.items():
        command.append(f"--header={name}: {value}")
    command.append(f"http://{host}:{port}{path}")
    if bodies is not None:
        file = scratch / "wrk-bodies.txt"
        file.write_text("".join(body + "\n" for body in bodies))
        command += ["--", str(file), str(threads)]
    elif rotating is not None:
        name, values = rotating
        file = scratch / "wrk-headers.txt"
        if paths is None:
            file.write_text("".join(value + "\n" for value in values))
            command += ["--", str(file), str(threads), name]
        else:
            file.write_text("".join(f"{p}\t{v}\n" for p, v in zip(paths, values, strict=True)))
            command += ["--", str(file), str(threads), name, "paths"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return summary(figures, cpu, threads)


def summary(figures: dict, cpu_seconds: float, threads: int) -> dict:
    """wrk's figures in load.Outcome.summary()'s terms: a request answered other than 2xx or
    3xx, or lost to a socket error, is an error and not a success."""
    errors = sum(figures[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    seconds = figures["duration_us"] / 1e6
    done = figures["requests"] - figures["status"]
    quantiles = [v / 1000 for v in figures["quantiles_us"]]  # ms, at 0.1%, 0.2%, … 100%
    return {
        "requests": done,
        "errors": errors,
        "seconds": round(seconds, 2),
        "per_second": round(done / seconds, 1) if seconds else 0.0,
        "p50_ms": load.percentile(quantiles, 50),
        "p95_ms": load.percentile(quantiles, 95),
        "p99_ms": load.percentile(quantiles, 99),
        "max_ms": round(figures["max_us"] / 1000, 1),
        "mean_ms": round(figures["mean_us"] / 1000, 1),
        "loader": "wrk",
        "loader_threads": threads,
        "loader_cpu": round(cpu_seconds / seconds, 2) if seconds else None,
        "latencies_ms": [round(v, 3) for v in quantiles],  # the thousand quantiles
    }
