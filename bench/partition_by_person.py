"""Issue 22: what partitioning the biggest per-person tables by person (hash partitions on
person_id) changes at the bench's 100,000 people, against the plain tables, same rows.

    .venv/bin/python bench/partition_by_person.py                   # 16 partitions
    .venv/bin/python bench/partition_by_person.py --partitions 64 --samples 100
    .venv/bin/python bench/partition_by_person.py --keep            # leave the twins behind

It works on the benchmark's kept database of --people people (`healthbank_bench_<people>`
on BENCH_PG_URL's server, or --database), seeding it the way `bench/run.py` does when it
holds fewer (21–35 minutes for 100,000 on 2 shared cores). First it notes what the plain
database holds: bytes per person and per visit with its orders. Then it makes a schema
`byperson` with a twin of each of --tables: the same columns, `PARTITION BY HASH
(person_id)` into --partitions partitions, every row copied, every index made again. A
partitioned table's unique keys must hold the partition key, so the twins' primary keys
are (id, person_id), the upload key (provider_id, source_id) becomes (provider_id,
source_id, person_id), and a foreign key to a twin is (visit_id, person_id). Because the
twins have the plain tables' names in another schema, the same SQL reads either, chosen by
search_path (`byperson, public`: the code tables stay plain). Then, for both:

- sizes: each table's heap and its indexes (the twins' summed over their partitions);
- maintenance: ANALYZE, then VACUUM after the same 1% of rows was updated (committed
  no-op updates: the values stay), each timed once, plain first (so the plain side may
  meet a colder cache: the 2026-12-07 run's plain VACUUM took 79.6 s, and 33.2 s when
  repeated by hand);
- reads: the SELECTs of the portal pages that read a person's visits, medications and lab
  results (and home and refills), captured from Django for --samples signed-in people
  (bench/measure.py's page_queries: what the benchmark's raw SQL replays), replayed on
  psycopg for both, alternating, --rounds times: unprepared (planned at every execution)
  and prepared (as production runs them: DB_PREPARED_STATEMENTS); then EXPLAIN (ANALYZE,
  BUFFERS) of each page for 20 people: planning and execution time, buffers, partitions
  touched. A GROUP BY a twinned table's id gains person_id on the twins' side (their
  primary key is the pair), and the JSON lists the queries that needed it;
- a provider's batch: 10,000 western-medicine visits of 1,000 people, each with two
  diagnoses, a drug and a service order, written as ingest/writes.py's PostgreSQL path
  writes a chunk (COPY into a staging table, INSERT ... ON CONFLICT ... RETURNING, COPY of
  the orders), then the same batch sent again (the update path: the old orders deleted by
  visit id), foreign keys checked at each statement (SET CONSTRAINTS ALL IMMEDIATE), in a
  transaction rolled back, --batches times each; and the new batch once more with the
  foreign keys left deferred (never checked: the writes alone). Then the WAL a visit with
  its orders and an audit row write (EXPLAIN (ANALYZE, WAL)), and whether ingest's own
  ON CONFLICT (provider_id, source_id) runs on the twins (it cannot).

The schema is dropped at the end unless --keep. Writes
bench/results/<date>-partition-by-person.json (or --out) and prints a table.
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
import time
from pathlib import Path
from statistics import median, quantiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402

SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SCHEMA = "byperson"
# The five biggest per-person tables of the bench database (visits, their diagnoses and
# orders, lab results: 90% of the records' bytes), parents before children.
TABLES = [
    "records_visit",
    "records_visitdiagnosis",
    "records_drugorder",
    "records_serviceorder",
    "records_labresult",
]
# The portal pages that read a person's visits, medications and lab results, and the two
# that read them most (bench/measure.py's PAGES names).
PAGES = {
    "home": "bank:home",
    "outpatient": "bank:western",
    "medications": "bank:medications",
    "refills": "bank:refills",
    "lab results": "bank:glucose_lipids",
}
PARTITION = re.compile(r"_h[0-9]+$")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000, help="the bench database's size")
    parser.add_argument("--database", help="default: healthbank_bench_<people>")
    parser.add_argument("--partitions", type=int, default=16, help="hash partitions per table")
    parser.add_argument("--tables", nargs="+", default=TABLES, help="the tables to partition")
    parser.add_argument("--samples", type=int, default=200, help="people whose pages are read")
    parser.add_argument("--rounds", type=int, default=3, help="replays of each page per mode")
    parser.add_argument("--batches", type=int, default=3, help="provider batches per side")
    parser.add_argument("--keep", action="store_true", help="keep the byperson schema")
    parser.add_argument("--out", type=Path, help="the JSON file of figures")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return reads(args)

    url = f"{SERVER}/{args.database or f'healthbank_bench_{args.people}'}"
    scratch = Path(tempfile.mkdtemp(prefix="healthbank-bench-byperson-"))
    env = run.environment(url, scratch)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = args.out or ROOT / "bench/results" / f"{now.date()}-partition-by-person.json"
    results: dict = {"machine": run.machine(), "started": now.isoformat(), "options": {}}
    results["options"] = {
        "database": urlpath(url),
        "partitions": args.partitions,
        "tables": args.tables,
        "samples": args.samples,
        "rounds": args.rounds,
        "batches": args.batches,
    }
    if run.population(url) < args.people:
        run.prepare(env, args.people, fresh=False)
    try:
        results["seed"] = run.seed_figures(url)
    except Exception:  # noqa: BLE001 - a database seeded by hand: no bench_seed table
        results["seed"] = None
    with connect(url) as conn:
        results["people"] = conn.execute("SELECT count(*) FROM people_person").fetchone()[0]
        results["storage"] = storage(conn, results["people"])
        print(f"== {results['people']:,} people; twins in {SCHEMA} ...", flush=True)
        results["build"] = build(conn, args.tables, args.partitions)
        results["sizes"] = sizes(conn, args.tables)
        results["maintenance"] = maintenance(conn, args.tables)
    # The pages render with DEBUG off: their static files' manifest, in this run's folder.
    subprocess.run(
        [run.HEALTHBANK, "collectstatic", "--noinput", "--verbosity=0"], env=env, check=True
    )
    figures = scratch / "reads.json"
    child = [str(run.PYTHON), __file__, "--child", "--out", str(figures)]
    child += ["--samples", str(args.samples), "--rounds", str(args.rounds), "--tables"]
    child += args.tables
    subprocess.run(child, env=env, check=True, cwd=ROOT)
    results["reads"] = json.loads(figures.read_text())
    with connect(url) as conn:
        results["batch"] = batch(conn, args.batches)
        if not args.keep:
            conn.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    report(results)
    print(f"figures in {out}")
    return 0


def urlpath(url: str) -> str:
    return url.rsplit("/", 1)[1]


def connect(url: str, search_path: str = "public"):
    import psycopg

    return psycopg.connect(
        url.replace("postgres://", "postgresql://", 1),
        autocommit=True,
        options=f"-c search_path={search_path}",
    )


def storage(conn, people: int) -> dict:
    """What the plain database holds per person (docs/capacity.md's storage line), before
    the twins are made: the whole database, and each table with its indexes and TOAST
    that holds more than 1 MiB."""
    (database,) = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    tables = conn.execute(
        "SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples::bigint FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        " AND pg_total_relation_size(c.oid) > 1048576 ORDER BY 2 DESC"
    ).fetchall()
    (visits,) = conn.execute("SELECT count(*) FROM records_visit").fetchone()
    visit_tables = (
        "records_visit",
        "records_visitdiagnosis",
        "records_drugorder",
        "records_serviceorder",
        "records_surgery",
    )
    per_visit = sum(size for name, size, _rows in tables if name in visit_tables) / visits
    return {
        "database_bytes": database,
        "bytes_per_person": round(database / people),
        "visits": visits,
        "bytes_per_visit_with_orders": round(per_visit),
        "tables": {name: {"bytes": size, "rows": rows} for name, size, rows in tables},
    }


# --- the twins -------------------------------------------------------------------------------


def build(conn, tables: list[str], partitions: int) -> dict:
    """Each table's twin: partitions, rows, constraints and indexes, foreign keys last (as a
    migration that copies would); seconds per step."""
    conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    conn.execute(f"CREATE SCHEMA {SCHEMA}")
    seconds: dict = {}
    for table in tables:
        twin = f"{SCHEMA}.{table}"
        started = time.perf_counter()
        conn.execute(
            f"CREATE TABLE {twin} (LIKE public.{table} INCLUDING DEFAULTS INCLUDING IDENTITY"
            " INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY HASH (person_id)"
        )
        for remainder in range(partitions):
            conn.execute(
                f"CREATE TABLE {twin}_h{remainder:02d} PARTITION OF {twin}"
                f" FOR VALUES WITH (MODULUS {partitions}, REMAINDER {remainder})"
            )
        # Table names are this script's own (S608).
        conn.execute(f"INSERT INTO {twin} OVERRIDING SYSTEM VALUE SELECT * FROM public.{table}")  # noqa: S608
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{twin}', 'id'),"  # noqa: S608
            f" (SELECT max(id) FROM public.{table}))"
        )
        copied = time.perf_counter()
        for sql in index_statements(conn, table, tables):
            conn.execute(sql)
        indexed = time.perf_counter()
        seconds[table] = {
            "copy_s": round(copied - started, 1),
            "indexes_s": round(indexed - copied, 1),
        }
    for table in tables:
        started = time.perf_counter()
        for sql in foreign_keys(conn, table, tables):
            conn.execute(sql)
        seconds[table]["foreign_keys_s"] = round(time.perf_counter() - started, 1)
    # Both sides in a steady state: the twins' first VACUUM sets their hint bits and
    # visibility map; the plain tables lose what earlier runs' rolled-back batches left.
    for side, schema in (("plain", "public"), ("partitioned", SCHEMA)):
        started = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) " + ", ".join(f"{schema}.{t}" for t in tables))
        seconds[f"first_vacuum_analyze_{side}_s"] = round(time.perf_counter() - started, 1)
    return seconds


def index_statements(conn, table: str, tables: list[str]) -> list[str]:
    """The plain table's primary key, unique constraints and indexes for the twin, each
    unique one with person_id added (a partitioned table's unique keys hold its key)."""
    statements = []
    constraints = conn.execute(
        "SELECT conname, contype, conindid,"
        " array(SELECT attname FROM unnest(conkey) WITH ORDINALITY k(n, i)"
        "       JOIN pg_attribute ON attrelid = conrelid AND attnum = n ORDER BY i)"
        " FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
        [f"public.{table}"],
    ).fetchall()
    backing = set()
    for name, kind, index, columns in constraints:
        backing.add(index)
        columns = [*columns, *(["person_id"] if "person_id" not in columns else [])]
        what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
        statements.append(
            f"ALTER TABLE {SCHEMA}.{table} ADD CONSTRAINT {name} {what} ({', '.join(columns)})"
        )
    for oid, definition in conn.execute(
        "SELECT indexrelid, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = %s::regclass",
        [f"public.{table}"],
    ).fetchall():
        if oid not in backing:
            statements.append(definition.replace(f" ON public.{table} ", f" ON {SCHEMA}.{table} "))
    return statements


def foreign_keys(conn, table: str, tables: list[str]) -> list[str]:
    """The plain table's foreign keys for the twin: to a twin through (column, person_id),
    to a plain table as they were; deferrable as Django makes them."""
    statements = []
    for name, columns, target, target_columns in conn.execute(
        "SELECT conname,"
        " array(SELECT attname FROM unnest(conkey) WITH ORDINALITY k(n, i)"
        "       JOIN pg_attribute ON attrelid = conrelid AND attnum = n ORDER BY i),"
        " confrelid::regclass::text,"
        " array(SELECT attname FROM unnest(confkey) WITH ORDINALITY k(n, i)"
        "       JOIN pg_attribute ON attrelid = confrelid AND attnum = n ORDER BY i)"
        " FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [f"public.{table}"],
    ).fetchall():
        target = target.removeprefix("public.")
        if target in tables:
            columns, target_columns = [*columns, "person_id"], [*target_columns, "person_id"]
            where = SCHEMA
        else:
            where = "public"
        statements.append(
            f"ALTER TABLE {SCHEMA}.{table} ADD CONSTRAINT {name}"
            f" FOREIGN KEY ({', '.join(columns)}) REFERENCES {where}.{target}"
            f" ({', '.join(target_columns)}) DEFERRABLE INITIALLY DEFERRED"
        )
    return statements


# --- sizes and maintenance -------------------------------------------------------------------


def sizes(conn, tables: list[str]) -> dict:
    """Heap and index bytes of each table, plain and twin (summed over its partitions)."""
    figures = {}
    for table in tables:
        row = {}
        for side, name in (("plain", f"public.{table}"), ("partitioned", f"{SCHEMA}.{table}")):
            heap, indexes = conn.execute(  # a plain table has no partition tree
                "SELECT coalesce(sum(pg_table_size(relid)), pg_table_size(%s::regclass)),"
                " coalesce(sum(pg_indexes_size(relid)), pg_indexes_size(%s::regclass))"
                " FROM pg_partition_tree(%s::regclass)",
                [name, name, name],
            ).fetchone()
            row[side] = {"table_bytes": int(heap), "index_bytes": int(indexes)}
        row["index_bytes_by_index"] = index_sizes(conn, table)
        figures[table] = row
    return figures


def index_sizes(conn, table: str) -> dict:
    """Each index's bytes, plain and twin (a partitioned index summed over its partitions)."""
    by_index = {}
    for side, schema in (("plain", "public"), ("partitioned", SCHEMA)):
        for name, size in conn.execute(
            "SELECT i.relname, coalesce((SELECT sum(pg_relation_size(relid))"
            "  FROM pg_partition_tree(i.oid)), pg_relation_size(i.oid))"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass ORDER BY i.relname",
            [f"{schema}.{table}"],
        ).fetchall():
            by_index.setdefault(name, {})[side] = int(size)
    return by_index


def maintenance(conn, tables: list[str]) -> dict:
    """ANALYZE of each side, then VACUUM of each after the same 1% of its rows was updated
    (a no-op update, committed: every index gains an entry, as a real update's would when
    the page is full)."""
    figures: dict = {}
    for side, schema in (("plain", "public"), ("partitioned", SCHEMA)):
        names = ", ".join(f"{schema}.{t}" for t in tables)
        started = time.perf_counter()
        conn.execute(f"ANALYZE {names}")
        analyze_s = time.perf_counter() - started
        updated = 0
        for table in tables:
            updated += conn.execute(
                f"UPDATE {schema}.{table} SET person_id = person_id WHERE id % 100 = 7"  # noqa: S608
            ).rowcount
        started = time.perf_counter()
        conn.execute(f"VACUUM {names}")
        vacuum_s = time.perf_counter() - started
        figures[side] = {
            "analyze_s": round(analyze_s, 2),
            "rows_updated": updated,
            "vacuum_after_1pct_s": round(vacuum_s, 2),
        }
    # The largest single unit a VACUUM works on: a whole table, or one partition.
    figures["largest_unit_bytes"] = {
        "plain": max(
            conn.execute("SELECT pg_total_relation_size(%s::regclass)", [f"public.{t}"]).fetchone()[
                0
            ]
            for t in tables
        ),
        "partitioned": max(
            conn.execute(
                "SELECT max(pg_total_relation_size(relid)) FROM pg_partition_tree(%s::regclass)"
                " WHERE isleaf",
                [f"{SCHEMA}.{t}"],
            ).fetchone()[0]
            for t in tables
        ),
    }
    return figures


# --- reads -----------------------------------------------------------------------------------


def reads(args) -> int:
    """In a process with Django: the pages' SELECTs for --samples people, replayed on both
    sides, then explained."""
    import django

    django.setup()
    import measure
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    people = measure.page_people(args.samples)
    captured: dict[str, list] = {name: [] for name in PAGES}
    for i, person in enumerate(people):
        client = Client()
        client.force_login(person.account.user)
        for name, view in PAGES.items():
            captured[name].append(measure.page_queries(client, reverse(view), warm=i == 0))
    connection.close()

    url = os.environ["DATABASE_URL"]
    sides = {"plain": "public", "partitioned": f"{SCHEMA},public"}
    figures: dict = {"people": len(people), "pages": {}, "rewritten": []}
    # The same SELECTs for the twins, but for the GROUP BYs a composite key changes.
    twins = {
        name: [[(grouped_by_key(sql, args.tables), p) for sql, p in q] for q in pages]
        for name, pages in captured.items()
    }
    for name in captured:
        for sql, _params in captured[name][0]:
            if grouped_by_key(sql, args.tables) != sql:
                figures["rewritten"].append({"page": name, "sql": sql[:300]})
    replays = {"plain": captured, "partitioned": twins}
    for mode, prepare in (("unprepared", False), ("prepared", True)):
        conns = {side: connect(url, path) for side, path in sides.items()}
        for name, pages in captured.items():
            times: dict[str, list[float]] = {side: [] for side in sides}
            for _ in range(args.rounds):
                for i in range(len(pages)):
                    for side, conn in conns.items():  # the same person on both, in turn
                        times[side].append(replay(conn, replays[side][name][i], prepare))
            page = figures["pages"].setdefault(name, {"queries": len(pages[0])})
            page[mode] = {side: summary(ms) for side, ms in times.items()}
        for conn in conns.values():
            conn.close()
    for name in captured:
        figures["pages"][name]["explain"] = {
            side: explained(url, path, replays[side][name][:20]) for side, path in sides.items()
        }
    args.out.write_text(json.dumps(figures))
    return 0


GROUP_BY = re.compile(r"GROUP BY (.*?)(?= HAVING | ORDER BY | LIMIT |\)|$)", re.S)


def grouped_by_key(sql: str, tables: list[str]) -> str:
    """A GROUP BY a twinned table's id, for the twin: grouped by (id, person_id) as well.
    PostgreSQL lets the other columns follow from a primary key, which on the twin is the
    pair, so Django's GROUP BY "records_visit"."id" (a visit with its latest order's days,
    on the home page) is refused there as written."""

    def widen(match: re.Match) -> str:
        clause = match.group(0)
        for table in tables:
            clause = clause.replace(f'"{table}"."id"', f'"{table}"."id", "{table}"."person_id"')
        return clause

    return GROUP_BY.sub(widen, sql)


def replay(conn, queries: list[tuple[str, tuple]], prepare: bool) -> float:
    """One page's SELECTs, every row fetched; milliseconds."""
    started = time.perf_counter()
    with conn.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params, prepare=prepare)
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def summary(ms: list[float]) -> dict:
    return {
        "median_ms": round(median(ms), 3),
        "p95_ms": round(quantiles(ms, n=20)[-1], 3),
        "samples": len(ms),
    }


def explained(url: str, search_path: str, pages: list) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of each page's SELECTs: per page, planning and execution
    ms, shared buffers (hit + read) and the partitions the plans touched, medians."""
    planning, execution, buffers, touched, first = [], [], [], [], []
    with connect(url, search_path) as conn, conn.cursor() as cursor:
        for queries in pages:
            p = e = b = t = 0.0
            for sql, params in queries:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
                (plan,) = cursor.fetchone()[0]
                p += plan["Planning Time"]
                e += plan["Execution Time"]
                top = plan["Plan"]
                b += top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
                t += len(relations(top))
                if queries is pages[0]:  # the first person's, query by query
                    first.append(
                        {
                            "sql": " ".join(sql.split())[:200],
                            "planning_ms": plan["Planning Time"],
                            "execution_ms": plan["Execution Time"],
                            "partitions": len(relations(top)),
                        }
                    )
            planning.append(p)
            execution.append(e)
            buffers.append(b)
            touched.append(t)
    return {
        "planning_ms": round(median(planning), 3),
        "execution_ms": round(median(execution), 3),
        "buffers": median(buffers),
        "partitions_touched": median(touched),
        "first_person": first,
    }


def relations(node: dict) -> set[str]:
    """The partitions a plan node and its children scan (a partitioned plan names each)."""
    found = set()
    if PARTITION.search(node.get("Relation Name", "")):
        found.add(node["Relation Name"])
    for child in node.get("Plans", []):
        found |= relations(child)
    return found


# --- a provider's batch ----------------------------------------------------------------------

VISIT_COLUMNS = (
    "source_id, person_id, kind, visit_date, discharge_date, department_id,"
    " primary_diagnosis_id, copayment, points, card_sequence, chronic_refill, refill_number"
)
UPDATES = ", ".join(
    f"{c} = EXCLUDED.{c}" for c in VISIT_COLUMNS.replace(" ", "").split(",") if c != "source_id"
)


def batch(conn, batches: int) -> dict:
    """A provider's chunk written as ingest/writes.py writes it on PostgreSQL, new and then
    sent again, on each side in turn (search_path), rolled back; medians."""
    provider = conn.execute(
        "SELECT id FROM records_provider WHERE kind <> 'agency' ORDER BY code LIMIT 1"
    ).fetchone()[0]
    ids = [i for (i,) in conn.execute("SELECT id FROM people_person ORDER BY id")]
    people = random.Random(8).sample(ids, min(1000, len(ids)))
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=10)
    visits = [
        (f"bench-byperson-{i}", people[i % len(people)], "western", day, None, "01", "I10", 50, 420)
        + ("0001", False, None)
        for i in range(10_000)
    ]
    keys = {"plain": "provider_id, source_id", "partitioned": "provider_id, source_id, person_id"}
    figures: dict = {"visits": len(visits), "people": len(people)}
    times: dict = {side: {"new_s": [], "resent_s": [], "new_unchecked_s": []} for side in keys}
    for _ in range(batches):
        for side, path in (("plain", "public"), ("partitioned", f"{SCHEMA}, public")):
            conn.execute(f"SET search_path = {path}")
            with conn.transaction(force_rollback=True):
                conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for kind in ("new_s", "resent_s"):
                    started = time.perf_counter()
                    write_chunk(conn, provider, visits, keys[side])
                    times[side][kind].append(time.perf_counter() - started)
            # The same new batch with the foreign keys left deferred: a rollback never
            # checks them, so this is the writes alone.
            with conn.transaction(force_rollback=True):
                started = time.perf_counter()
                write_chunk(conn, provider, visits, keys[side])
                times[side]["new_unchecked_s"].append(time.perf_counter() - started)
    conn.execute("SET search_path = public")
    for side in keys:
        figures[side] = {
            kind: round(median(seconds), 3) for kind, seconds in times[side].items()
        } | {"conflict_key": keys[side]}
    figures["wal"] = wal(conn, {"provider": provider, "visits": visits, **keys}, people)
    # The upload's own key cannot be a partitioned table's unique key: ingest as written
    # (ON CONFLICT (provider_id, source_id)) fails on the twin.
    conn.execute(f"SET search_path = {SCHEMA}, public")
    try:
        with conn.transaction(force_rollback=True):
            write_chunk(conn, provider, visits[:10], keys["plain"])
        figures["ingest_as_written"] = "ran"
    except Exception as error:  # noqa: BLE001 - the message is the finding
        figures["ingest_as_written"] = str(error).splitlines()[0]
    conn.execute("SET search_path = public")
    return figures


def wal(conn, batches: dict, people: list[int]) -> dict:
    """WAL bytes per visit written (with its two diagnoses, drug and service order) and per
    audit row, from EXPLAIN (ANALYZE, WAL) of each statement: the server is shared, so the
    WAL position would count other databases' writes too. The visits go in by INSERT ...
    SELECT here (COPY cannot be explained; it logs the same heap and index records). Rolled
    back. Full-page images (the first change of a page after a checkpoint) are counted."""

    def logged(cursor, sql: str, params: list) -> tuple[int, int]:
        cursor.execute("EXPLAIN (ANALYZE, WAL, FORMAT JSON) " + sql, params)
        (plan,) = cursor.fetchone()[0]
        return plan["Plan"].get("WAL Bytes", 0), plan["Plan"].get("WAL FPI", 0)

    figures: dict = {}
    for side, path in (("plain", "public"), ("partitioned", f"{SCHEMA}, public")):
        conn.execute(f"SET search_path = {path}")
        with conn.transaction(force_rollback=True), conn.cursor() as cursor:
            provider, visits, key = batches["provider"], batches["visits"], batches[side]
            cursor.execute(STAGE)
            with cursor.copy(f"COPY ingest_visit_stage ({VISIT_COLUMNS}) FROM STDIN") as copy:
                for row in visits:
                    copy.write_row(row)
            total = fpi = 0
            for sql in (
                f"INSERT INTO records_visit (provider_id, {VISIT_COLUMNS})"  # noqa: S608
                f" SELECT %s, {VISIT_COLUMNS} FROM ingest_visit_stage"
                f" ON CONFLICT ({key}) DO UPDATE SET {UPDATES}",
                "INSERT INTO records_visitdiagnosis (visit_id, person_id, diagnosis_id, rank)"
                " SELECT v.id, v.person_id, d.code, d.rank FROM records_visit v,"
                " (VALUES ('I10', 1), ('E78.1', 2)) d (code, rank)"
                " WHERE v.provider_id = %s AND v.source_id LIKE 'bench-byperson-%%'",
                "INSERT INTO records_drugorder"
                " (visit_id, person_id, drug_id, days, quantity, frequency)"
                " SELECT v.id, v.person_id, 'AC57114100', 28, 28, 'QD' FROM records_visit v"
                " WHERE v.provider_id = %s AND v.source_id LIKE 'bench-byperson-%%'",
                "INSERT INTO records_serviceorder"
                " (visit_id, person_id, service_id, quantity, tooth_id)"
                " SELECT v.id, v.person_id, '00109C', 1, NULL FROM records_visit v"
                " WHERE v.provider_id = %s AND v.source_id LIKE 'bench-byperson-%%'",
            ):
                written, images = logged(cursor, sql, [provider])
                total, fpi = total + written, fpi + images
        figures[side] = {
            "bytes_per_visit": round(total / len(visits)),
            "full_page_images": fpi,
        }
    conn.execute("SET search_path = public")
    audit = []
    with conn.transaction(force_rollback=True), conn.cursor() as cursor:
        for person in people[:500]:
            audit.append(
                logged(
                    cursor,
                    "INSERT INTO audit_auditevent (at, action, actor, actor_id, method,"
                    " address, success, detail, person_id) VALUES (now(), 'records.read',"
                    " 'person', NULL, '', '10.0.0.1', true, '{\"page\": \"home\"}', %s)",
                    [person],
                )[0]
            )
    figures["audit_row_bytes_median"] = median(audit)
    return figures


STAGE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS ingest_visit_stage (source_id text,"
    " person_id bigint, kind text, visit_date date, discharge_date date,"
    " department_id text, primary_diagnosis_id text, copayment bigint, points bigint,"
    " card_sequence text, chronic_refill boolean, refill_number bigint)"
    " ON COMMIT DELETE ROWS"
)


def write_chunk(conn, provider: int, visits: list[tuple], key: str) -> None:
    """ingest/writes.py's _upsert_visits_postgresql and _insert_orders, for one chunk."""
    with conn.cursor() as cursor:
        cursor.execute(STAGE)
        cursor.execute("DELETE FROM ingest_visit_stage")
        with cursor.copy(f"COPY ingest_visit_stage ({VISIT_COLUMNS}) FROM STDIN") as copy:
            for row in visits:
                copy.write_row(row)
        cursor.execute(
            "SELECT id FROM records_visit WHERE provider_id = %s"
            " AND source_id = ANY(ARRAY(SELECT source_id FROM ingest_visit_stage))",
            [provider],
        )
        existing = [row[0] for row in cursor.fetchall()]
        if existing:
            for table in (
                "records_visitdiagnosis",
                "records_drugorder",
                "records_serviceorder",
                "records_surgery",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE visit_id = ANY(%s)", [existing])  # noqa: S608
        cursor.execute(
            f"INSERT INTO records_visit (provider_id, {VISIT_COLUMNS})"  # noqa: S608
            f" SELECT %s, {VISIT_COLUMNS} FROM ingest_visit_stage"
            f" ON CONFLICT ({key}) DO UPDATE SET {UPDATES} RETURNING id, person_id",
            [provider],
        )
        written = cursor.fetchall()
        orders = {
            "records_visitdiagnosis (visit_id, person_id, diagnosis_id, rank)": [
                (pk, person, code, rank)
                for pk, person in written
                for rank, code in ((1, "I10"), (2, "E78.1"))
            ],
            "records_drugorder (visit_id, person_id, drug_id, days, quantity, frequency)": [
                (pk, person, "AC57114100", 28, 28, "QD") for pk, person in written
            ],
            "records_serviceorder (visit_id, person_id, service_id, quantity, tooth_id)": [
                (pk, person, "00109C", 1, None) for pk, person in written
            ],
        }
        for target, rows in orders.items():
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


# --- the table -------------------------------------------------------------------------------


def report(results: dict) -> None:
    mib = 1024**2
    st = results["storage"]
    print(
        f"\n{results['people']:,} people: database {st['database_bytes'] / 1024**3:.2f} GiB,"
        f" {st['bytes_per_person'] / 1024:.1f} KiB a person,"
        f" {st['bytes_per_visit_with_orders']:,} bytes a visit with its orders"
    )
    print(f"{results['options']['partitions']} partitions")
    print(f"{'table':26} {'heap MiB':>17} {'indexes MiB':>17}")
    for table, row in results["sizes"].items():
        plain, part = row["plain"], row["partitioned"]
        print(
            f"{table:26} {plain['table_bytes'] / mib:8.1f} {part['table_bytes'] / mib:8.1f}"
            f" {plain['index_bytes'] / mib:8.1f} {part['index_bytes'] / mib:8.1f}"
        )
    m = results["maintenance"]
    for kind in ("analyze_s", "vacuum_after_1pct_s"):
        print(f"{kind:26} plain {m['plain'][kind]} s, partitioned {m['partitioned'][kind]} s")
    print(f"\n{'page ms (median/p95)':22} {'plain':>14} {'partitioned':>14}  mode")
    for name, page in results["reads"]["pages"].items():
        for mode in ("unprepared", "prepared"):
            cells = [
                f"{page[mode][side]['median_ms']:.2f}/{page[mode][side]['p95_ms']:.2f}"
                for side in ("plain", "partitioned")
            ]
            print(f"{name:22} {cells[0]:>14} {cells[1]:>14}  {mode}")
        plain, part = page["explain"]["plain"], page["explain"]["partitioned"]
        print(
            f"{'':22} plan {plain['planning_ms']:.2f} / {part['planning_ms']:.2f}"
            f" ms, run {plain['execution_ms']:.2f} / {part['execution_ms']:.2f}"
            f" ms, buffers {plain['buffers']:.0f} / {part['buffers']:.0f},"
            f" partitions {part['partitions_touched']:.0f}"
        )
    b = results["batch"]
    print(
        f"\nbatch of {b['visits']:,} visits: new {b['plain']['new_s']} / "
        f"{b['partitioned']['new_s']} s (foreign keys unchecked "
        f"{b['plain']['new_unchecked_s']} / {b['partitioned']['new_unchecked_s']} s),"
        f" resent {b['plain']['resent_s']} / "
        f"{b['partitioned']['resent_s']} s; ingest as written on the twin: "
        f"{b['ingest_as_written']}"
    )


if __name__ == "__main__":
    sys.exit(main())
