"""Issue 22's audit trail at national size: the reads and the write that every page pays
(the person's newest events, the previous sign-in, the per-address sign-in limit, the
audit INSERT) as the trail grows, partitioned by month vs one plain table, same rows.

    .venv/bin/python bench/audit.py                        # 1, 10 and 50 million rows
    .venv/bin/python bench/audit.py --sizes 1 10           # in millions
    .venv/bin/python bench/audit.py --sizes 0.05 --samples 20   # a smoke run
    .venv/bin/python bench/audit.py --loaded 10 --sizes 25  # on to 25 million, same databases

Two PostgreSQL databases, made afresh: hb_auditpart_bench_part (every migration: monthly
partitions) and hb_auditpart_bench_plain (audit migrated back to 0010: the plain table),
or BENCH_PG_URL's server (--databases hb_x: hb_x_part and hb_x_plain). Each size is
reached by one INSERT ... SELECT generate_series in both (the same rows: person, time and
action are functions of the row number), spread over
--months months back from now (60: AUDIT_RETENTION_MONTHS, the most partitions a read
meets) among --people people, one row in 20 a successful sign-in, one in 50 a failed one.
Foreign-key checks are off while loading (session_replication_role); the people are
never read, only their ids. Then VACUUM ANALYZE, and a process per database times, through
the project's own selectors and service, --samples people's:

- `events_for(person)[:50]`: what the staff account page shows (RECENT_EVENTS);
- the person's access record (存取紀錄, /bank/personal/access/) as its view reads it,
  `access_page(person, ...)`: its first page over every month kept, and a month's page (a
  month among the --months, one per person), which the month's bounds confine to that
  month's partition (the plan's partitions are counted). The pager reads one row past the
  page instead of counting; the person's count over every month kept, which a "page N of M"
  pager would need, is timed beside it for comparison;
- `previous_login(person)`: the home page's 上次登入;
- the per-address limit's count of failed sign-ins (identity.services._throttled's query);
- `record(...)`: the audit INSERT every page read makes (autocommit, as a request does).

After the last size, the retention: the oldest whole month gone from each database, as the
worker would (partitioned: one DROP TABLE of its partition) vs a DELETE of the same rows
from the plain table.
Writes bench/results/<date>-audit.json (or --out) and prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median, quantiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402

SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
MILLION = 1_000_000
# The rows of numbers first..last, the same in both databases: a person (Knuth's
# multiplicative hash spreads consecutive rows over people), a time within the months
# before the reference time, one row in 20 a sign-in, one in 50 a failed one from one of
# 65,536 addresses, the rest page reads.
LOAD = """
INSERT INTO audit_auditevent
    (at, action, actor, actor_id, method, address, success, detail, person_id)
SELECT %(now)s::timestamptz - ((g * 7919) %% %(seconds)s) * interval '1 second',
       CASE WHEN g %% 20 = 0 THEN 'login' WHEN g %% 50 = 1 THEN 'login.failed'
            ELSE 'records.read' END,
       'person', NULL,
       CASE WHEN g %% 20 = 0 OR g %% 50 = 1 THEN 'password' ELSE '' END,
       ('10.0.' || (g %% 256) || '.' || ((g / 256) %% 256))::inet,
       g %% 50 <> 1,
       CASE WHEN g %% 20 = 0 OR g %% 50 = 1 THEN '{}' ELSE '{"page": "home"}' END::jsonb,
       (g * 2654435761) %% %(people)s + 1
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 50], help="millions")
    parser.add_argument("--months", type=int, default=60, help="months the rows spread over")
    parser.add_argument("--people", type=int, default=200_000, help="people the rows are of")
    parser.add_argument("--samples", type=int, default=300, help="people timed per figure")
    parser.add_argument(
        "--loaded", type=float, default=0, help="millions already loaded: keep the databases"
    )
    parser.add_argument("--out", type=Path, help="the JSON file of figures")
    parser.add_argument(
        "--databases", default="hb_auditpart_bench", help="the databases' names: <this>_part, …"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return measure(args)

    scratch = Path(tempfile.mkdtemp(prefix="healthbank-bench-audit-"))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    names = {"partitioned": f"{args.databases}_part", "plain": f"{args.databases}_plain"}
    urls = {kind: f"{SERVER}/{name}" for kind, name in names.items()}
    envs = {kind: run.environment(url, scratch / kind) for kind, url in urls.items()}
    if not args.loaded:
        prepare(envs, urls, args.months)
    out = args.out or ROOT / "bench" / "results" / f"{now.date().isoformat()}-audit.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    results: dict = {"machine": run.machine(), "started": now.isoformat(), "sizes": []}
    results["options"] = {"months": args.months, "people": args.people, "samples": args.samples}
    results["options"]["loaded_before"] = args.loaded * MILLION
    loaded = int(args.loaded * MILLION)
    for millions in args.sizes:
        rows = int(millions * MILLION)
        print(f"== {rows:,} rows", flush=True)
        params = {"now": now, "seconds": args.months * 30 * 86400, "people": args.people}
        params |= {"first": loaded + 1, "last": rows}
        loading = in_parallel(urls, params)
        size = {"rows": rows, "load_seconds": loading}
        for kind, env in envs.items():
            figures = scratch / f"{kind}-{rows}.json"
            child = [str(run.PYTHON), __file__, "--child", kind, "--out", str(figures)]
            child += ["--samples", str(args.samples), "--people", str(args.people)]
            child += ["--months", str(args.months)]
            subprocess.run(child, env=env, check=True)
            size[kind] = json.loads(figures.read_text())
            print(f"   {kind:11} {summary(size[kind])}", flush=True)
        results["sizes"].append(size)
        out.write_text(json.dumps(results, indent=2, default=str) + "\n")  # each size kept
        loaded = rows
    results["retention"] = retention(urls, now, args.months)
    print(f"== oldest month gone: {results['retention']}", flush=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"figures in {out}")
    return 0


def prepare(envs: dict, urls: dict, months: int) -> None:
    """Both databases afresh; the plain one with the audit table as before partitioning."""
    for kind, env in envs.items():
        run.recreate(urls[kind])
        healthbank(env, "migrate", "-v0")
    healthbank(envs["plain"], "migrate", "audit", "0010", "-v0")
    # Every month the rows cover has its partition, as the worker would have made them.
    ahead = "from healthbank.audit import partitions as p; import datetime as d; "
    ahead += "[p.make_partitions(d.datetime.now(d.UTC) - d.timedelta(days=30 * m)) "
    ahead += f"for m in range({months + 2})]"
    healthbank(envs["partitioned"], "shell", "-v0", "-c", ahead)


def healthbank(env: dict, *arguments: str) -> None:
    subprocess.run([str(run.HEALTHBANK), *arguments], env=env, check=True)


def in_parallel(urls: dict, params: dict) -> dict:
    """load(url, params) in both databases at once (one core each); seconds each took."""
    seconds: dict = {}

    def timed(kind: str, url: str) -> None:
        started = time.perf_counter()
        load(url, params)
        seconds[kind] = round(time.perf_counter() - started, 1)

    threads = [threading.Thread(target=timed, args=item) for item in urls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(seconds) != len(urls):
        raise RuntimeError("loading failed in one of the databases (see above)")
    return seconds


def connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def load(url: str, params: dict) -> None:
    with connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # no foreign-key checks
        conn.execute(LOAD, params)
        conn.execute("VACUUM ANALYZE audit_auditevent")


def retention(urls: dict, now: dt.datetime, months: int) -> dict:
    """The oldest month's rows gone: the worker's DROP TABLE of its partition on the
    partitioned table, a DELETE of the same rows from the plain one."""
    with connect(urls["partitioned"]) as conn:
        months = conn.execute(
            "SELECT c.relname, substring(pg_get_expr(c.relpartbound, c.oid)"
            " FROM 'FROM \\(''(.*?)''\\)'), substring(pg_get_expr(c.relpartbound, c.oid)"
            " FROM 'TO \\(''(.*?)''\\)') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'audit_auditevent'::regclass AND c.relname <> %s"
            " ORDER BY c.relname",
            ["audit_auditevent_default"],
        ).fetchall()
        # The oldest whole month of rows (the first may be partly covered).
        (oldest,) = conn.execute("SELECT min(at) FROM audit_auditevent").fetchone()
        name, lower, upper = next(
            month for month in months if dt.datetime.fromisoformat(month[1]) >= oldest
        )
        (rows,) = conn.execute(f"SELECT count(*) FROM {name}").fetchone()  # noqa: S608
        started = time.perf_counter()
        conn.execute(f"DROP TABLE {name}")  # as partitions.drop_expired does
        dropped = time.perf_counter() - started
    with connect(urls["plain"]) as conn:
        started = time.perf_counter()
        deleted = conn.execute(
            "DELETE FROM audit_auditevent WHERE at >= %s AND at < %s", [lower, upper]
        ).rowcount
        deleting = time.perf_counter() - started
    return {
        "month": name.removeprefix("audit_auditevent_p"),
        "rows": rows,
        "partitioned_drop_ms": round(dropped * 1000, 1),
        "plain_delete_rows": deleted,
        "plain_delete_ms": round(deleting * 1000, 1),
    }


def measure(args) -> int:
    """In a process of its own, on one database: each hot path timed for --samples people."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from healthbank.audit import partitions
    from healthbank.audit.models import AuditEvent
    from healthbank.audit.selectors import (
        RECENT_EVENTS,
        access_page,
        events_for,
        events_in_month,
        previous_login,
    )
    from healthbank.audit.services import Action, record
    from healthbank.people.models import Person

    with connection.cursor() as cursor:
        # The people are ids only: no foreign-key check on the timed INSERT (a probe of the
        # people table's key, the same whatever the trail's size).
        cursor.execute("SET session_replication_role = replica")
    chooser = random.Random(22)  # noqa: S311 - the same people in both databases
    people = [Person(pk=chooser.randint(1, args.people)) for _ in range(args.samples)]
    addresses = [f"10.0.{chooser.randrange(256)}.{chooser.randrange(256)}" for _ in people]
    since = timezone.now() - dt.timedelta(days=1)
    # A month the rows cover, for each person: the month picker's choice.
    this_month = partitions.month_start(timezone.now())
    months = [partitions.add_months(this_month, -chooser.randrange(args.months)) for _ in people]
    picks = list(zip(people, months, strict=True))

    def timed(work, items) -> dict:
        for item in items[:20]:  # warm the connection and the caches
            work(item)
        seconds = []
        for item in items:
            started = time.perf_counter()
            work(item)
            seconds.append(time.perf_counter() - started)
        ms = [s * 1000 for s in seconds]
        return {"median_ms": round(median(ms), 3), "p95_ms": round(quantiles(ms, n=20)[-1], 3)}

    figures = {
        "partitioned": partitions.partitioned(),
        "newest_events": timed(lambda person: list(events_for(person)[:50]), people),
        "previous_login": timed(previous_login, people),
        "access_page": timed(lambda person: access_page(person), people),
        "access_month": timed(lambda pick: access_page(pick[0], month=pick[1]), picks),
        "access_page_3": timed(lambda person: access_page(person, number=3), people),
        # Not read by the page: what "page N of M" would cost, for comparison.
        "access_count_all": timed(lambda person: events_for(person).count(), people),
        "failed_by_address": timed(
            lambda address: AuditEvent.objects.filter(
                action=Action.LOGIN_FAILED, address=address, at__gte=since
            ).count(),
            addresses,
        ),
        "insert": timed(
            lambda person: record(action=Action.RECORDS_READ, person=person, page="home"),
            people,
        ),
    }
    # The INSERT's own cost, without the commit's wait for the disk (about 4 ms here).
    with transaction.atomic():
        figures["insert_uncommitted"] = timed(
            lambda person: record(action=Action.RECORDS_READ, person=person, page="home"),
            people,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(relid))::bigint,"  # plain: no tree
            " pg_total_relation_size('audit_auditevent'))"
            " FROM pg_partition_tree('audit_auditevent')"
        )
        (figures["table_bytes"],) = cursor.fetchone()
    plan = events_for(people[0])[:50].explain(analyze=True, buffers=True)
    figures["newest_events_plan"] = plan.splitlines()[-2:]  # planning and execution time
    person, month = picks[0]
    plan = events_in_month(person, month)[: RECENT_EVENTS + 1].explain(analyze=True, buffers=True)
    figures["access_month_plan"] = plan.splitlines()[-2:]
    figures["access_month_partitions"] = sorted(
        set(re.findall(r"\bon (audit_auditevent\w*)", plan))
    )
    args.out.write_text(json.dumps(figures))
    return 0


def summary(figures: dict) -> str:
    return (
        "  ".join(
            f"{name} {figures[name]['median_ms']:.2f}/{figures[name]['p95_ms']:.2f} ms"
            for name in (
                "newest_events",
                "previous_login",
                "access_page",
                "access_month",
                "access_page_3",
                "access_count_all",
                "failed_by_address",
                "insert",
                "insert_uncommitted",
            )
        )
        + f"  {figures['table_bytes'] / 1e6:,.0f} MB"
    )


if __name__ == "__main__":
    sys.exit(main())
