"""Benchmark: server-side time of every My Health Bank portal page (target: p95 < 50 ms on
PostgreSQL with 100,000 people, on the 2-core reference machine).

    .venv/bin/python bench/pages.py --people 100000           # make bench (PostgreSQL)
    .venv/bin/python bench/pages.py --people 200 --sqlite     # make bench-smoke

The PostgreSQL database `healthbank_pages` is seeded once (people + the demo personas) and
kept: a later run with the same --people reuses it (--fresh seeds again). Each page is
requested in-process through Django's full stack (middleware, sessions, the audit write,
templates) as the personas and a sample of other people, signed in; the time is what
the web process spends, without the network. Prints p50 / p95 / max and queries per page
and writes bench/results/pages-<people>-<database>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTHBANK = ROOT / ".venv" / "bin" / "healthbank"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "healthbank_pages"
TARGET_P95_MS = 50
PASSWORD = "Bench#2026"  # noqa: S105 - synthetic accounts of a benchmark database


def environment(database_url: str, scratch: str) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench",  # noqa: S106
        ALLOWED_HOSTS="testserver",
        SECURE_COOKIES="0",
        CARD_READER_DIR=f"{scratch}/cardreader",
        MOICA_DIR=f"{scratch}/moica",
        HEALTHBANK_VAR_DIR=scratch,  # collected static files
    )


def people_in(database_url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
            return conn.execute("SELECT count(*) FROM people_person").fetchone()[0]
    except psycopg.Error:
        return 0


def fresh_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")


def seed(env: dict, people: int) -> None:
    subprocess.run([HEALTHBANK, "migrate", "--verbosity", "0"], env=env, check=True)
    print(f"seeding {people:,} people (this takes a while on PostgreSQL) ...", flush=True)
    command = [HEALTHBANK, "seed", "--people", str(people), "--seed", "1"]
    subprocess.run(command, env=env, check=True)


def pages_for(person) -> dict[str, str]:
    """Every GET page of the portal, with this person's own ids for the detail pages."""
    from django.urls import NoReverseMatch, reverse

    from healthbank.bank.menu import SECTIONS, Page
    from healthbank.records.models import DischargeSummary, LabResult, Visit

    def walk(pages: tuple[Page, ...]):
        for page in pages:
            yield page
            yield from walk(page.children)

    urls = {"home": reverse("bank:home")}
    for page in walk(SECTIONS):
        try:
            urls[page.view.removeprefix("bank:")] = reverse(page.view)
        except NoReverseMatch:  # detail pages take an id: below
            pass
    visit = Visit.objects.filter(person=person).order_by("-visit_date").first()
    if visit:
        urls["visit"] = reverse("bank:visit", args=[visit.pk])
    summary = DischargeSummary.objects.filter(person=person).order_by("-discharged_on").first()
    if summary:
        urls["discharge_summary"] = reverse("bank:discharge_summary", args=[summary.pk])
    result = LabResult.objects.filter(person=person).order_by("-collected_on").first()
    if result:
        urls["lab_trend"] = reverse("bank:lab_trend", args=[result.item_id])
    try:
        urls["calendar_ics"] = reverse("bank:calendar_ics")
    except NoReverseMatch:
        pass
    return urls


def sample(people: int, extra: int, rng: random.Random) -> list:
    """The personas (the demo records worth a look) and `extra` other people at random."""
    from healthbank.people.models import Person
    from healthbank.synth.personas import HOUSEHOLDS

    persona_ids = [p.national_id for household in HOUSEHOLDS for p in household]
    chosen = list(Person.objects.filter(national_id__in=persona_ids))
    top = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
    while len(chosen) < len(persona_ids) + extra:
        person = Person.objects.filter(id__gte=rng.randint(1, top)).order_by("id").first()
        if person and person not in chosen:
            chosen.append(person)
    return chosen


def signed_in_client(person):
    from django.test import Client

    from healthbank.identity.services import register_at_counter

    account = getattr(person, "account", None)
    if account is None:
        account = register_at_counter(person=person, password=PASSWORD, staff_id=1)
    client = Client()
    client.force_login(account.user)
    return client


def measure(people: list, repeat: int) -> dict[str, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: dict[str, list[float]] = {}
    queries: dict[str, int] = {}
    for person in people:
        client = signed_in_client(person)
        for name, url in pages_for(person).items():
            response = client.get(url)  # warm: templates, code tables, the connection
            if response.status_code != 200:
                raise SystemExit(f"{name} {url} answered {response.status_code} for {person.pk}")
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries[name] = max(queries.get(name, 0), len(captured))
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    results = {}
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        results[name] = {
            "requests": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(p95, 1),
            "max_ms": round(values[-1], 1),
            "queries": queries[name],
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database")
    parser.add_argument("--fresh", action="store_true", help="seed PostgreSQL again")
    parser.add_argument("--sample", type=int, default=40, help="people besides the personas")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="healthbank-pages-")
    if args.sqlite:
        database_url = f"sqlite:///{scratch}/pages.sqlite3"
        env = environment(database_url, scratch)
        seed(env, args.people)
    else:
        database_url = f"{PG_SERVER}/{PG_DATABASE}"
        env = environment(database_url, scratch)
        if args.fresh or people_in(database_url) < args.people:
            fresh_postgres()
            seed(env, args.people)
        else:
            subprocess.run([HEALTHBANK, "migrate", "--verbosity", "0"], env=env, check=True)
    # DEBUG is off, as in production: pages name the collected, hashed static files.
    collect = [HEALTHBANK, "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(collect, env=env, check=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthbank.settings")
    import django

    django.setup()
    from healthbank.people.models import Person

    population = Person.objects.count()
    people = sample(population, args.sample, random.Random(1))
    results = measure(people, args.repeat)

    database = "sqlite" if args.sqlite else "postgresql"
    print(f"\n{population:,} people on {database}; {len(people)} signed in, {args.repeat} runs")
    print(f"{'page':<22}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
    worst = 0.0
    for name, r in sorted(results.items()):
        worst = max(worst, r["p95_ms"])
        print(
            f"{name:<22}{r['requests']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['max_ms']:>9}"
            f"{r['queries']:>9}"
        )
    verdict = "met" if worst < TARGET_P95_MS else "MISSED"
    print(f"worst p95 {worst} ms; target < {TARGET_P95_MS} ms: {verdict}")
    out = ROOT / "bench" / "results" / f"pages-{args.people}-{database}.json"
    out.write_text(
        json.dumps(
            {"people": population, "database": database, "signed_in": len(people)}
            | {"pages": results},
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
