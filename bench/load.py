"""The load generator: many threads sending one kind of work for a fixed time, and the
statistics of what came back. No Django here; `measure.py` hands it the work.

A unit of work is a callable that does one request (one HTTP request to gunicorn, or one
page's worth of raw SQL) and returns whether it succeeded. Each thread walks its own
slice of the work list round-robin, so many different persons are served at once.
"""

from __future__ import annotations

import http.client
import json
import math
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Work = Callable[[], bool]


@dataclass
class Outcome:
    """What a load run measured: latencies in ms of the successful units, and the rest."""

    latencies_ms: list[float]
    errors: int
    seconds: float

    def summary(self) -> dict:
        values = sorted(self.latencies_ms)
        done = len(values)
        return {
            "requests": done,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "per_second": round(done / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99),
            "max_ms": round(values[-1], 1) if values else None,
            "mean_ms": round(statistics.fmean(values), 1) if values else None,
        }


def percentile(ordered: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    rank = max(0, math.ceil(p / 100 * len(ordered)) - 1)
    value = ordered[rank]
    return round(value, 1 if value >= 10 else 2)


def run(
    work: Sequence[Work],
    *,
    threads: int,
    seconds: float,
    warmup: int = 2,
    at_exit: Callable[[], None] | None = None,
) -> Outcome:
    """Run `work` from `threads` threads for `seconds`. Each thread's first `warmup` units
    are not counted (a worker's first requests load templates and open its connection);
    the clock starts when every thread has warmed up. Each thread calls `at_exit` when done
    (to close its database connection)."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    window = {}

    def start_clock() -> None:
        window["start"] = time.perf_counter()
        window["stop"] = window["start"] + seconds

    ready = threading.Barrier(threads, action=start_clock)

    def loop(index: int) -> None:
        mine = work[index::threads] or work
        for i in range(warmup):
            mine[i % len(mine)]()
        ready.wait()
        i = warmup
        while (now := time.perf_counter()) < window["stop"]:
            unit = mine[i % len(mine)]
            i += 1
            ok = unit()
            if ok:
                latencies[index].append((time.perf_counter() - now) * 1000)
            else:
                errors[index] += 1
        if at_exit:
            at_exit()

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    measured = time.perf_counter() - window["start"]
    return Outcome([v for part in latencies for v in part], sum(errors), measured)


# --- HTTP -----------------------------------------------------------------------------


def get(port: int, path: str, cookie: str) -> Work:
    """One GET of `path` with a session cookie; success is 200 and the whole body read."""

    def unit() -> bool:
        return _request(port, "GET", path, headers={"Cookie": cookie}) == 200

    return unit


def post_json(port: int, path: str, body: dict) -> Work:
    """One POST of a JSON body; success is 200."""
    payload = json.dumps(body)
    headers = {"Content-Type": "application/json"}

    def unit() -> bool:
        return _request(port, "POST", path, headers=headers, body=payload) == 200

    return unit


def _request(port: int, method: str, path: str, headers: dict, body: str | None = None) -> int:
    # A new connection per request, as gunicorn's sync workers close each one anyway.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()
