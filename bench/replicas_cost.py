"""What replica routing adds to a page (core/replicas.py): the router's decision for each
record query, the once-per-request replica check (its replay position and lag), and the
primary's position kept after a write. Prints microseconds per call.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hb_replicas \\
    DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5432/hb_replicas \\
    DEBUG=1 PYTHONPATH=$PWD .venv/bin/python bench/replicas_cost.py [--n 1000]

The "replica" is the primary under a second alias (no streaming replica here): its replay
position is NULL and it is read as the primary itself, the same one query a real replica
answers. Without DATABASE_URL it measures SQLite (no LSN, a connection check only).
"""

from __future__ import annotations

import argparse
import os
import time
from statistics import median
from types import SimpleNamespace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthbank.settings")
os.environ.setdefault("DATABASE_REPLICA_URLS", os.environ.get("DATABASE_URL", "sqlite://"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections, router  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from healthbank.core import replicas  # noqa: E402
from healthbank.people.models import Person  # noqa: E402
from healthbank.records.models import Measurement  # noqa: E402


def per_call(work, n: int, rounds: int = 5) -> float:
    """Microseconds per call, the median of `rounds` runs of n calls."""
    work()  # connect, prepare
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            work()
        times.append((time.perf_counter() - start) / n * 1e6)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    n = parser.parse_args().n
    alias = settings.DATABASE_REPLICAS[0]
    request = RequestFactory().get("/bank/")
    request.user = SimpleNamespace(is_authenticated=True, account=SimpleNamespace(person_id=1))
    replicas.pin([1])  # the person has just written: the check compares the position
    pinned = replicas.primary_position()

    def decided_read() -> None:  # every record query after the request's first
        router.db_for_read(Measurement)
        router.db_for_read(Person)

    def first_read() -> None:  # a request's first record query: choose, check the replica
        token = replicas._current.set(replicas._Request(request))
        try:
            router.db_for_read(Measurement)
        finally:
            replicas._current.reset(token)

    token = replicas._current.set(replicas._Request(request))
    try:
        routed = per_call(decided_read, n) / 2
    finally:
        replicas._current.reset(token)

    def round_trip() -> None:  # what any one query costs on this machine now
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    print(f"database: {connections['default'].vendor}; replica alias {alias}; n={n}")
    print(f"baseline, SELECT 1 through Django: {per_call(round_trip, n):8.2f} µs")
    print(f"router decision, request already decided: {routed:8.2f} µs a query")
    print(f"replica check (LSN, lag, pin): {per_call(first_read, n):8.2f} µs a request")
    check = per_call(lambda: replicas.caught_up(alias, pinned), n)
    print(f"  of which the query alone: {check:8.2f} µs")
    pinning = per_call(lambda: replicas.pin([1]), n)
    print(f"pin after a write (primary's position + cache): {pinning:8.2f} µs a write")


if __name__ == "__main__":
    main()
