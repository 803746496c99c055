"""The load generator: many threads sending one kind of work for a fixed time, and the
statistics of what came back. No Django here; `measure.py` hands it the work.

A unit of work is a callable that does one request (one HTTP request to gunicorn, or one
page's worth of raw SQL) and returns whether it succeeded. Each thread walks its own
slice of the work list round-robin, so many different persons are served at once.

One Python process sends at most what one core can run under its interpreter lock; a load
past that (a thousand requests a second and more) is sent from several processes, each
with its own threads (`run(..., processes=2)`), and their figures are merged. The loader's
CPU time in the window (`loader_cpu`: cores busy, summed over its processes) shows when the
loader rather than the server is the limit: near 1.0 per process is a saturated one.
"""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing
import queue
import statistics
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Work = Callable[[], bool]


@dataclass
class Outcome:
    """What a load run measured: latencies in ms of the successful units, and the rest."""

    latencies_ms: list[float]
    errors: int
    seconds: float
    cpu_seconds: float = 0.0  # the loader's own CPU time in the window, all its processes
    processes: int = 1

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
            "loader_processes": self.processes,
            "loader_cpu": round(self.cpu_seconds / self.seconds, 2) if self.seconds else None,
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
    processes: int = 1,
) -> Outcome:
    """Run `work` from `threads` threads for `seconds`. Each thread's first `warmup` units
    are not counted (a worker's first requests load templates and open its connection);
    the clock starts when every thread has warmed up. Each thread calls `at_exit` when done
    (to close its database connection).

    With `processes` > 1 the work is dealt to that many forked processes, each running
    `threads` threads of its own (so threads × processes at once); their clocks start
    together and their latencies are merged. A forked process must not use a connection
    its parent opened: hand it HTTP work, or close the parent's database connection first."""
    if processes <= 1:
        return _threads(work, threads, seconds, warmup, at_exit).outcome()
    return _processes(work, threads, seconds, warmup, at_exit, processes)


@dataclass
class _Window:
    """One process's part of a run: perf_counter (CLOCK_MONOTONIC, the same clock in every
    process) at the start and the end of its window."""

    latencies_ms: list[float]
    errors: int
    start: float
    end: float
    cpu_seconds: float

    def outcome(self) -> Outcome:
        return Outcome(self.latencies_ms, self.errors, self.end - self.start, self.cpu_seconds)


def _threads(
    work: Sequence[Work],
    threads: int,
    seconds: float,
    warmup: int,
    at_exit: Callable[[], None] | None,
    together: Callable[[], object] | None = None,
) -> _Window:
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    window = {}

    def start_clock() -> None:
        if together:  # the other processes' threads have warmed up too
            together()
        window["cpu"] = time.process_time()
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
    end, cpu = time.perf_counter(), time.process_time() - window["cpu"]
    merged = [v for part in latencies for v in part]
    return _Window(merged, sum(errors), window["start"], end, cpu)


def _processes(
    work: Sequence[Work],
    threads: int,
    seconds: float,
    warmup: int,
    at_exit: Callable[[], None] | None,
    processes: int,
) -> Outcome:
    # fork: the children inherit the work (closures need not be pickled); only figures
    # come back through the queue.
    context = multiprocessing.get_context("fork")
    together = context.Barrier(processes)
    answers = context.Queue()
    limit = seconds + 600  # a child that hangs or dies fails the run instead of blocking it

    def child(part: Sequence[Work]) -> None:
        try:
            window = _threads(
                part, threads, seconds, warmup, at_exit, lambda: together.wait(timeout=limit)
            )
            answers.put(("ok", window))
        except BaseException:
            together.abort()
            answers.put(("error", traceback.format_exc()))

    children = [
        context.Process(target=child, args=(list(work[p::processes]) or list(work),), daemon=True)
        for p in range(processes)
    ]
    for process in children:
        process.start()
    windows, failures = [], []
    try:
        for _ in children:  # read before joining: a child exits once its answer is taken
            kind, answer = answers.get(timeout=limit)
            (windows if kind == "ok" else failures).append(answer)
    except queue.Empty:
        failures.append(f"a load process did not answer within {limit:.0f} s")
    finally:
        for process in children:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
    if failures:
        raise RuntimeError("load process failed:\n" + "\n".join(failures))
    return Outcome(
        [v for window in windows for v in window.latencies_ms],
        sum(window.errors for window in windows),
        max(window.end for window in windows) - min(window.start for window in windows),
        sum(window.cpu_seconds for window in windows),
        processes,
    )


# --- HTTP -----------------------------------------------------------------------------


def get(port: int, path: str, cookie: str = "") -> Work:
    """One GET of `path` (with a session cookie, if given); success is 200 and the whole body
    read."""
    headers = {"Cookie": cookie} if cookie else {}

    def unit() -> bool:
        return _request(port, "GET", path, headers=headers) == 200

    return unit


def post_json(port: int, path: str, body: dict, headers: dict | None = None) -> Work:
    """One POST of a JSON body (with `headers`, e.g. Authorization); success is 200 and the
    whole body read."""
    payload = json.dumps(body)
    headers = {"Content-Type": "application/json", **(headers or {})}

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
