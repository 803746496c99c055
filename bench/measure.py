"""Every scenario on one seeded database: run by `run.py` as its own process (Django is set
up once per process, and each dataset is its own database), with the environment that
names the database. Writes a JSON document of figures to --out.

    DATABASE_URL=... SECRET_KEY=... .venv/bin/python bench/measure.py --mode full --out x.json
    ... bench/measure.py --mode quick --out x.json --log g.log --only qr   # one scenario

Scenarios that need a feature that has not landed are skipped with the reason; one that
fails is recorded with its error and makes the process exit 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import re
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
import server  # noqa: E402
import wrk  # noqa: E402

PASSWORD = "Bench#2026"  # noqa: S105 - synthetic accounts of a benchmark database
# The portal pages under load, the ten most visited: bank URL names (DESIGN.md's portal;
# issue 9's four, extended by issue 21).
PAGES = {
    "home": "bank:home",
    "outpatient": "bank:western",
    "dental": "bank:dental",
    "medications": "bank:medications",
    "refills": "bank:refills",
    "lab results": "bank:glucose_lipids",
    "measurements": "bank:measurements",
    "calendar": "bank:calendar",
    "insurance": "bank:insurance",
    "vaccinations": "bank:vaccinations",
}


class Skipped(Exception):
    """A scenario whose feature has not landed: the message says which and why."""


SCENARIOS = [
    "pages",
    "login",
    "qr",
    "api",
    "fhir",
    "providers",
    "every page",
    "package",
    "ingest",
]


# How much each mode does: seconds of load per page (after each thread's first `warmup`
# requests), people signed in for the pages, accounts signing in through the API,
# package runs, people for whom every portal page is timed in process, visits uploaded,
# and for the QR codes: seconds of verifications over HTTP, card holders, and the
# verifications timed in process (the service alone, then through Django).
MODES = {
    "smoke": {"seconds": 0.5, "warmup": 1, "sql_seconds": 0.3, "login_seconds": 1.0,
              "people": 4, "accounts": 2, "package_runs": 1, "every_page_people": 1,
              "ingest_visits": 100, "qr_seconds": 0.5, "qr_people": 10, "qr_in_process": 20},
    "quick": {"seconds": 15.0, "warmup": 3, "sql_seconds": 8.0, "login_seconds": 20.0,
              "people": 200, "accounts": 16, "package_runs": 5, "every_page_people": 20,
              "ingest_visits": 10_000, "qr_seconds": 15.0, "qr_people": 300,
              "qr_in_process": 500},
}  # fmt: skip
MODES["full"] = MODES["quick"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="full")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True, help="gunicorn's log")
    parser.add_argument(
        "--only",
        action="append",
        choices=SCENARIOS,
        metavar="SCENARIO",
        help=f"run this scenario alone (repeatable): {', '.join(SCENARIOS)}",
    )
    args = parser.parse_args()
    mode = MODES[args.mode]
    wanted = set(args.only or SCENARIOS)

    import django

    django.setup()
    results: dict = {"dataset": dataset_facts(), "scenarios": {}}
    scenarios = results["scenarios"]
    workers = server.workers_for(server.cores())
    people, accounts = [], []

    def attempt(name: str, scenario, *args) -> None:
        started = time.perf_counter()
        print(f"  {name} ...", flush=True)
        try:
            scenarios[name] = {"status": "ok", **scenario(*args)}
        except Skipped as reason:
            scenarios[name] = {"status": "skipped", "reason": str(reason)}
        except Exception as exc:  # recorded, and the run fails at the end
            traceback.print_exc()
            scenarios[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        scenarios[name]["wall_s"] = round(time.perf_counter() - started, 1)

    def prepare() -> dict:
        people.extend(page_people(mode["people"]))
        accounts.extend(login_accounts(mode["accounts"], exclude={p.pk for p in people}))
        return {"people": len(people), "accounts": len(accounts)}

    results["load_average_before"] = os.getloadavg()
    if wanted & {"pages", "login", "every page"}:
        attempt("setup", prepare)
    env = dict(os.environ)
    if wanted & {"pages", "login", "qr", "api", "fhir", "providers"}:
        with server.running(env, workers, args.log) as web:
            results["server"] = server.settings(env, workers)
            if "pages" in wanted:
                attempt("pages", pages_under_load, web, people, workers, mode)
                results["server"]["worker_rss_mib"] = web.worker_rss_mib()
            if "login" in wanted:
                attempt("login", logins_under_load, web, accounts, workers, mode)
                results["server"]["worker_rss_after_login_mib"] = web.worker_rss_mib()
            if "qr" in wanted:
                attempt("qr", qr_verification, web, workers, mode)
            if "api" in wanted:
                attempt("api", api_under_load, web, workers, mode)
            if "fhir" in wanted:
                attempt("fhir", fhir_under_load, web, workers, mode)
            if "providers" in wanted:
                attempt("providers", providers_under_load, web, workers, mode)
    if "every page" in wanted:
        attempt("every page", every_page, people, mode)
    if "package" in wanted:
        attempt("package", package, mode["package_runs"])
    if "ingest" in wanted:
        attempt("ingest", ingestion, mode["ingest_visits"])

    results["load_average_after"] = os.getloadavg()
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    failed = [name for name, s in scenarios.items() if s["status"] == "error"]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


# --- the dataset -----------------------------------------------------------------------


def dataset_facts() -> dict:
    import django
    from django.contrib.auth.hashers import get_hasher
    from django.db import connection

    from healthbank.people.models import Person
    from healthbank.records.models import Visit

    hasher = get_hasher()
    facts = {
        "people": Person.objects.count(),
        "visits": Visit.objects.count(),
        "database": connection.vendor,
        "django": django.get_version(),
        "password_hasher": {
            "algorithm": hasher.algorithm,
            "time_cost": getattr(hasher, "time_cost", None),
            "memory_cost_kib": getattr(hasher, "memory_cost", None),
            "parallelism": getattr(hasher, "parallelism", None),
        },
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version(), pg_database_size(current_database())")
            facts["database_version"], facts["database_bytes"] = cursor.fetchone()
        else:
            facts["database_version"] = f"SQLite {sqlite3.sqlite_version}"
            facts["database_bytes"] = Path(connection.settings_dict["NAME"]).stat().st_size
    return facts


def sample_people(count: int, rng: random.Random, exclude: set[int] = frozenset()) -> list:
    """`count` different people spread over the whole table (ids are dense after a seed)."""
    from healthbank.people.models import Person

    ids = list(Person.objects.order_by("id").values_list("id", flat=True))
    chosen = [i for i in rng.sample(ids, min(len(ids), count + len(exclude))) if i not in exclude]
    return list(Person.objects.filter(id__in=chosen[:count]).select_related("account"))


def page_people(count: int) -> list:
    """People to sign in for the pages. Their accounts are made with the test suite's cheap
    Argon2 parameters: they never type a password (the session is made directly), and
    hashing hundreds of passwords at 0.5 s each is not what this scenario measures."""
    from django.test import override_settings

    from healthbank.identity.services import register_at_counter

    people = sample_people(count, random.Random(1))
    cheap = ["healthbank.core.hashers.QuickArgon2PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=cheap):
        for person in people:
            if getattr(person, "account", None) is None:
                person.account = register_at_counter(person=person, password=PASSWORD, staff_id=1)
    return people


def login_accounts(count: int, exclude: set[int]) -> list[dict]:
    """Accounts with the production password hash and a verified, active device: what the
    app's sign-in needs. Returns the JSON body each one signs in with."""
    from django.contrib.auth.hashers import get_hasher

    from healthbank.api import tokens
    from healthbank.identity import devices
    from healthbank.identity.services import register_at_counter

    bodies = []
    for person in sample_people(count, random.Random(2), exclude):
        account = getattr(person, "account", None)
        if account is None:
            account = register_at_counter(person=person, password=PASSWORD, staff_id=1)
        elif get_hasher().must_update(account.user.password):  # made with other parameters
            account.user.set_password(PASSWORD)
            account.user.save(update_fields=["password"])
        identifier = f"bench-device-{person.pk}"
        code, _row = devices.issue_code(account=account)
        binding = devices.verify_device(
            code=code, platform="android", model="bench", identifier=identifier
        )
        bodies.append(
            {
                "national_id": person.national_id,
                "password": PASSWORD,
                "identifier": identifier,
                "device_credential": tokens.issue_credential(binding),
            }
        )
    return bodies


# --- portal pages ------------------------------------------------------------------------


def pages_under_load(web: server.Server, people: list, workers: int, mode: dict) -> dict:
    """Each page for every signed-in person over HTTP, then the same rows by raw SQL."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    cookies, captured = [], {name: [] for name in PAGES}
    for i, person in enumerate(people):
        client = Client()
        client.force_login(person.account.user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session}")
        for name, view in PAGES.items():
            captured[name].append(page_queries(client, reverse(view), warm=i == 0))

    figures = {}
    for name, view in PAGES.items():
        path = reverse(view)
        http_s = page_load(web, path, cookies, workers, mode)
        sql_s = raw_sql(name, captured[name], workers, mode)
        figures[name] = {
            "path": path,
            "queries": round(sum(map(len, captured[name])) / len(captured[name]), 1),
            "http": {k: v for k, v in http_s.items() if k != "latencies_ms"},
            "sql": sql_s,
            "ratio_throughput": round(sql_s["per_second"] / http_s["per_second"], 1),
            "ratio_p50": round(http_s["p50_ms"] / sql_s["p50_ms"], 1),
            "latencies_ms": http_s["latencies_ms"],
        }
    return {"threads": workers, "people": len(cookies), "pages": figures}


def page_load(web: server.Server, path: str, cookies: list[str], workers: int, mode: dict) -> dict:
    """One page over HTTP for every signed-in person in turn, one client per worker and a new
    connection per request: wrk (C) when it is installed and the run lasts seconds, so the
    loader takes little of the cores the server shares; else the Python loader."""
    if wrk.missing() is None and mode["seconds"] >= 1:
        common = {
            "connections": workers,
            "rotating": ("Cookie", cookies),
            "scratch": Path(os.environ["HEALTHBANK_VAR_DIR"]),
        }
        summary = warmed_wrk(web.port, path, seconds=round(mode["seconds"]), **common)
        # wrk counts a redirect as an answer: every session must still open the page.
        if [c for c in (cookies[0], cookies[-1]) if not load.get(web.port, path, c)()]:
            raise RuntimeError(f"{path}: the signed-in people were sent away (signed out)")
        return summary
    outcome = load.run(
        [load.get(web.port, path, cookie) for cookie in cookies],
        threads=workers,
        seconds=mode["seconds"],
        warmup=mode["warmup"],
    )
    if outcome.errors or not outcome.latencies_ms:
        raise RuntimeError(f"{path}: {outcome.errors} errors, {len(outcome.latencies_ms)} answers")
    return outcome.summary() | {"latencies_ms": [round(v, 2) for v in outcome.latencies_ms]}


def warmed_wrk(port: int, path: str, *, seconds: int, **options) -> dict:
    """wrk.run() after one uncounted second of the same load (each worker's first requests:
    imports, its database connection); an error or no answer at all fails the scenario."""
    wrk.run(port, path, seconds=1, **options)
    summary = wrk.run(port, path, seconds=seconds, **options)
    if summary["errors"] or not summary["requests"]:
        raise RuntimeError(f"{path}: {summary['errors']} errors, {summary['requests']} answers")
    return summary


def raw_sql(name: str, captured: list[list[tuple[str, tuple]]], workers: int, mode: dict) -> dict:
    """The captured SELECTs of each request replayed by as many threads as workers: the
    limit a page or list is compared with."""
    sql = load.run(
        [replay(queries) for queries in captured],
        threads=workers,
        seconds=mode["sql_seconds"],
        warmup=mode["warmup"],
        at_exit=close_connection,
    )
    if sql.errors or not sql.latencies_ms:
        raise RuntimeError(f"{name} (sql): {sql.errors} errors, {len(sql.latencies_ms)} answers")
    return sql.summary()


# A signed-in request reads the session and the user before the page's own queries; the
# raw-SQL limit is what the page reads from the person's data.
FRAMEWORK = re.compile(r'FROM "(identity_websession|auth_user)"')


def page_queries(client, path: str, warm: bool) -> list[tuple[str, tuple]]:
    """The SELECTs this page sends for this person (after a first request that fills the
    process's caches, when `warm`)."""
    from django.db import connection

    if warm and client.get(path).status_code != 200:
        raise RuntimeError(f"{path} did not answer 200")
    queries = []

    def record(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and not FRAMEWORK.search(sql):
            queries.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return queries


def replay(queries: list[tuple[str, tuple]]) -> load.Work:
    """One page's SELECTs on the thread's own DB-API connection (psycopg or sqlite3, below
    Django's cursor wrapper), every row fetched."""
    from django.db import connection

    if connection.vendor == "sqlite":  # Django's own placeholder conversion
        queries = [(re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%"), p) for sql, p in queries]

    def unit() -> bool:
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        for sql, params in queries:
            cursor.execute(sql, params)
            cursor.fetchall()
        cursor.close()
        return True

    return unit


def close_connection() -> None:
    from django.db import connection

    connection.close()


def every_page(people: list, mode: dict) -> dict:
    """Every GET page of the portal through Django's full stack in this process (no
    network, no concurrency): server-side time and queries per request, the guard against
    a page whose query count grows with the person's records, and the time beyond the
    page's SQL (the web process's own work: issue 21 holds its p95 under 10 ms)."""
    from django.db import connection
    from django.test import Client

    timings: dict[str, list[float]] = {}
    beyond_sql: dict[str, list[float]] = {}
    queries: dict[str, int] = {}
    for person in people[: mode["every_page_people"]]:
        client = Client()
        client.force_login(person.account.user)
        for name, path in portal_paths(person).items():
            if client.get(path).status_code != 200:  # warm: templates, code tables
                raise RuntimeError(f"{name} {path} did not answer 200")
            sql = SqlClock()
            with connection.execute_wrapper(sql):
                started = time.perf_counter()
                client.get(path)
                total = (time.perf_counter() - started) * 1000
            timings.setdefault(name, []).append(total)
            beyond_sql.setdefault(name, []).append(total - sql.ms)
            queries[name] = max(queries.get(name, 0), sql.count)
    pages = {}
    for name, values in timings.items():
        values.sort()
        beyond = sorted(beyond_sql[name])
        pages[name] = {
            "requests": len(values),
            "p50_ms": load.percentile(values, 50),
            "p95_ms": load.percentile(values, 95),
            "beyond_sql_p50_ms": load.percentile(beyond, 50),
            "beyond_sql_p95_ms": load.percentile(beyond, 95),
            "queries": queries[name],
        }
    return {"people": len(people[: mode["every_page_people"]]), "pages": pages}


class SqlClock:
    """An execute wrapper that counts a request's statements and the time spent in them
    (sending, the database's work, fetching what the cursor returns at once)."""

    def __init__(self) -> None:
        self.count, self.ms = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000
            self.count += 1


def portal_paths(person) -> dict[str, str]:
    """Every GET page of the portal's menu, with this person's own ids for detail pages."""
    from django.urls import NoReverseMatch, reverse

    from healthbank.bank.menu import HOME, SECTIONS
    from healthbank.records.models import DischargeSummary, LabResult, Visit

    def walk(pages):
        for page in pages:
            yield page
            yield from walk(page.children)

    paths = {}
    for page in walk((HOME, *SECTIONS)):
        try:
            paths[page.view.removeprefix("bank:")] = reverse(page.view)
        except NoReverseMatch:  # detail pages take an id: below
            pass
    visit = Visit.objects.filter(person=person).order_by("-visit_date").first()
    if visit:
        paths["visit"] = reverse("bank:visit", args=[visit.pk])
    summary = DischargeSummary.objects.filter(person=person).order_by("-discharged_on").first()
    if summary:
        paths["discharge_summary"] = reverse("bank:discharge_summary", args=[summary.pk])
    result = LabResult.objects.filter(person=person).order_by("-collected_on").first()
    if result:
        paths["lab_trend"] = reverse("bank:lab_trend", args=[result.item_id])
    paths["calendar_ics"] = reverse("bank:calendar_ics")
    return paths


# --- sign-in -------------------------------------------------------------------------------


def logins_under_load(web: server.Server, accounts: list[dict], workers: int, mode: dict) -> dict:
    """The app's sign-in (POST /api/v1/auth/login): device check, Argon2 password check,
    token pair, audit row."""
    outcome = load.run(
        [load.post_json(web.port, "/api/v1/auth/login", body) for body in accounts],
        threads=workers,
        seconds=mode["login_seconds"],
        warmup=1,
    )
    if outcome.errors or not outcome.latencies_ms:
        raise RuntimeError(f"{outcome.errors} sign-ins refused, {len(outcome.latencies_ms)} done")
    return {
        "threads": workers,
        "accounts": len(accounts),
        "one_hash_ms": one_hash_ms(),
        **outcome.summary(),
    }


def one_hash_ms() -> float:
    """One password check alone, on an idle core: the floor of a sign-in's time."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(PASSWORD)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        check_password(PASSWORD, encoded)
        times.append((time.perf_counter() - started) * 1000)
    return round(median(times), 1)


# --- record package ------------------------------------------------------------------------


def package(runs: int) -> dict:
    """The record package of the person with the most visits: every category, merged."""
    from django.db.models import Count
    from django.utils import timezone

    from healthbank.downloads.package import write_package
    from healthbank.people.models import Person
    from healthbank.records.categories import CATEGORIES
    from healthbank.records.models import Visit

    busiest = (
        Visit.objects.values("person").annotate(n=Count("id")).order_by("-n", "person").first()
    )
    person = Person.objects.get(pk=busiest["person"])
    choices = [{"code": c.code, "mode": "merged"} for c in CATEGORIES]
    seconds, size, rows = [], 0, 0
    path = Path(os.environ["HEALTHBANK_VAR_DIR"]) / "bench-package.zip"
    for _ in range(runs):
        started = time.perf_counter()
        counts = write_package(
            path=path,
            person=person,
            choices=choices,
            today=timezone.localdate(),
            generated_at=timezone.now(),
        )
        seconds.append(time.perf_counter() - started)
        rows, size = sum(counts.values()), path.stat().st_size
        path.unlink()
    return {
        "visits": busiest["n"],
        "rows": rows,
        "categories": len(CATEGORIES),
        "zip_bytes": size,
        "runs": runs,
        "median_s": round(median(seconds), 3),
        "worst_s": round(max(seconds), 3),
    }


# --- features still to land -----------------------------------------------------------------


def landed(app: str) -> bool:
    return importlib.util.find_spec(f"healthbank.{app}") is not None


# --- QR verification (issue 7) --------------------------------------------------------------

QR_PATH = "/providers/api/v1/vcard/verify"
QR_TARGET = {"per_second": 1_000, "p99_ms": 20.0}  # issue 7, on this 2-core machine
# Tokens for three times the target's rate over the window: each request spends one (a used
# one is a 409), and the run says so if the server outran them.
QR_TOKENS_PER_SECOND = QR_TARGET["per_second"] * 3
# The benchmark's tokens outlive its run (production's are valid for 5 minutes): set-up,
# the in-process timings and the load all come before this.
QR_TOKEN_MINUTES = 15
# Clients per gunicorn worker. Many clinics scan at once: a sync worker that finishes one
# verification takes the next from the listen queue, where with one client per worker it
# would wait for that client's next connection each time (a new one per request).
QR_CLIENTS_PER_WORKER = 2
# Before the counted window, one second of the same load (its own tokens): each worker
# opens its connection and prepares the fast path's statement.
QR_WARMUP_SECONDS = 1
PLACEHOLDER_IMAGE = "bench-placeholder.jpg"  # never read: verification does not open it


@dataclass
class QrSetup:
    """What the scenario made, to use and then to delete (by these ids only)."""

    provider: object
    bearer: str
    credential_id: int | None
    site_created: bool
    audit_after: int  # the newest audit row before: the verifications' rows are after it
    person_ids: list[int] = field(default_factory=list)
    application_ids: list[int] = field(default_factory=list)
    card_ids: list[int] = field(default_factory=list)
    token_ids: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # the QR texts, one per verification


def qr_verification(web: server.Server, workers: int, mode: dict) -> dict:
    """Providers' QR verification (POST /providers/api/v1/vcard/verify) over HTTP under
    load, a fresh one-time token on each request, against the same verifications in
    process: the service alone, then through Django without HTTP."""
    if not landed("vcard"):
        raise Skipped("the virtual NHI card (issue 7) has not landed: no healthbank.vcard app")
    if reason := wrk.missing():
        raise Skipped(reason)
    load_before = os.getloadavg()
    clients = QR_CLIENTS_PER_WORKER * workers
    seconds = max(1, round(mode["qr_seconds"]))  # wrk counts whole seconds
    counted = QR_TOKENS_PER_SECOND * seconds
    warming = QR_TOKENS_PER_SECOND * QR_WARMUP_SECONDS
    in_process = 2 * (mode["qr_in_process"] + 6)  # and their warm-up, and one counted
    made = qr_setup(mode["qr_people"], in_process + warming + counted)
    scratch = Path(os.environ["HEALTHBANK_VAR_DIR"])
    try:
        tokens = iter(made.tokens)
        service, queries = qr_service(made, tokens, mode["qr_in_process"])
        django = qr_django(made, tokens, mode["qr_in_process"])
        settle_tokens()
        close_connection()  # the workers write the same rows: no transaction left open here
        common = {
            "connections": clients,
            "scratch": scratch,
            "headers": {
                "Authorization": f"Bearer {made.bearer}",
                "Content-Type": "application/json",
            },
        }
        bodies = [json.dumps({"token": token}) for token in tokens]
        wrk.run(web.port, QR_PATH, seconds=QR_WARMUP_SECONDS, bodies=bodies[:warming], **common)
        summary = wrk.run(web.port, QR_PATH, seconds=seconds, bodies=bodies[warming:], **common)
        if summary["requests"] + summary["errors"] > counted:
            raise RuntimeError(
                f"the server outran the {counted:,} tokens made: raise QR_TOKENS_PER_SECOND"
            )
        if not summary["requests"] or summary["errors"] > 0.01 * summary["requests"]:
            raise RuntimeError(
                f"{summary['errors']} verifications refused, {summary['requests']} answered"
            )
        verified = qr_verified(made)
        if verified < summary["requests"]:
            raise RuntimeError(f"{summary['requests']} answers but {verified} tokens voided")
    finally:
        qr_cleanup(made)
    # The same load on GET /healthz: gunicorn, Django and one SELECT 1.
    floor = wrk.run(
        web.port, "/healthz", connections=clients, seconds=max(1, seconds // 3), scratch=scratch
    )
    floor.pop("latencies_ms")
    met = (
        summary["per_second"] >= QR_TARGET["per_second"]
        and summary["p99_ms"] <= QR_TARGET["p99_ms"]
        and summary["errors"] == 0
    )
    return {
        "path": QR_PATH,
        "target": QR_TARGET,
        "met": met,
        "card_holders": len(made.person_ids),
        "tokens": len(made.tokens),
        "token_minutes": QR_TOKEN_MINUTES,
        "workers": workers,
        "connections": clients,
        "http": summary,
        "service": service,
        "django": django,
        "healthz": floor,
        "queries": queries,
        "verified_rows": verified,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "latencies_ms": summary.pop("latencies_ms"),
        "service_latencies_ms": service.pop("latencies_ms"),
        "django_latencies_ms": django.pop("latencies_ms"),
    }


def qr_setup(count: int, tokens: int) -> QrSetup:
    """An accepting provider with a credential; `count` people of the dataset with an
    approved application and a card (the photo a placeholder name); `tokens` one-time QR
    codes of their cards, shown by themselves, unused, signed as the app's are."""
    from django.db import transaction

    from healthbank.audit.models import AuditEvent
    from healthbank.ingest import services as ingest
    from healthbank.ingest.models import Credential
    from healthbank.records.models import Provider
    from healthbank.vcard.models import AcceptingSite

    provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("code").first()
    _site, created = AcceptingSite.objects.get_or_create(
        provider=provider, defaults={"outpatient": True}
    )
    newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    made = QrSetup(provider, "", None, created, newest or 0)
    try:
        with transaction.atomic():  # all of it or none (and the site goes too)
            credential = Credential(provider=provider, label="benchmark: QR verification")
            made.bearer = ingest.issue_credential(credential=credential)
            made.credential_id = credential.pk
            make_cards(made, count, tokens)
    except BaseException:
        qr_cleanup(made)
        raise
    return made


def make_cards(made: QrSetup, count: int, tokens: int) -> None:
    from django.utils import timezone

    from healthbank.vcard import qr
    from healthbank.vcard.models import Application, QrToken, VirtualCard

    taken = set(VirtualCard.objects.values_list("person_id", flat=True))
    taken |= set(Application.objects.values_list("person_id", flat=True))
    people = sample_people(count, random.Random(3), exclude=taken)
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            person=person,
            applicant=person,
            kind=Application.Kind.GENERAL,
            status=Application.Status.APPROVED,
            document_kind=Application.Document.ID_CARD,
            document_image=PLACEHOLDER_IMAGE,
            portrait_image=PLACEHOLDER_IMAGE,
            contact_phone="0912345678",
            email="bench@example.com",
            terms_accepted_at=now,
            submitted_at=now,
            reviewed_at=now,
        )
        for person in people
    )
    made.person_ids = [person.pk for person in people]
    made.application_ids = [application.pk for application in applications]
    cards = VirtualCard.objects.bulk_create(
        VirtualCard(person=a.person, application=a, portrait_image=PLACEHOLDER_IMAGE, issued_at=now)
        for a in applications
    )
    made.card_ids = [card.pk for card in cards]

    expires_at = now + dt.timedelta(minutes=QR_TOKEN_MINUTES)
    rows = []
    for i in range(tokens):
        text, jti = qr.sign(expires_at)
        made.tokens.append(text)
        person = people[i % len(people)]
        rows.append(
            QrToken(
                jti=jti,
                person=person,
                presented_by=person,
                basis="self",
                issued_at=now,
                expires_at=expires_at,
            )
        )
    made.token_ids = [row.pk for row in QrToken.objects.bulk_create(rows, batch_size=2_000)]


def settle_tokens() -> None:
    """VACUUM (ANALYZE) the tokens' table on PostgreSQL: the benchmark issues tens of
    thousands at once, which would start autovacuum on it during the load; production
    issues them one scan at a time."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) vcard_qrtoken")


def qr_service(made: QrSetup, tokens, count: int) -> tuple[dict, list[str]]:
    """`services.verify_qr` called directly, one at a time; and the statements one sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from healthbank.vcard import services

    def verify() -> None:
        services.verify_qr(provider=made.provider, token=next(tokens), address="127.0.0.1")

    for _ in range(5):  # warm: the key, the imports, the connection
        verify()
    with CaptureQueriesContext(connection) as captured:
        verify()
    queries = [query["sql"] for query in captured.captured_queries]
    return timed(verify, count), queries


def qr_django(made: QrSetup, tokens, count: int) -> dict:
    """The same request through Django's full stack in this process (routing, middleware,
    the credential's check, django-ninja's parsing and its response), without gunicorn or a
    socket."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {made.bearer}"})

    def verify() -> None:
        body = json.dumps({"token": next(tokens)})
        response = client.post(QR_PATH, data=body, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"{QR_PATH} answered {response.status_code}: {response.content!r}")

    for _ in range(5):
        verify()
    connection.queries_log.clear()  # each request's start clears it: count from empty
    with CaptureQueriesContext(connection) as captured:
        verify()
    queries = len(captured)  # now: the log is a window that later requests clear
    return {**timed(verify, count), "queries": queries}


def timed(call, count: int) -> dict:
    """`count` calls one after the other: their rate over the whole time, and each one's."""
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        before = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - before) * 1000)
    outcome = load.Outcome(latencies, 0, time.perf_counter() - started)
    summary = outcome.summary()
    summary.pop("errors")
    return {**summary, "latencies_ms": [round(v, 3) for v in latencies]}


def qr_verified(made: QrSetup) -> int:
    """Tokens the run spent: every 200 voided one (the check that the answers were real)."""
    from healthbank.vcard.models import QrToken

    return sum(
        QrToken.objects.filter(pk__in=chunk, used_at__isnull=False).count()
        for chunk in chunks(made.token_ids)
    )


def qr_cleanup(made: QrSetup) -> None:
    """Delete what the scenario made, by its ids: the audit rows its verifications wrote,
    the tokens, cards, applications, the site (if it made it) and the credential."""
    from healthbank.audit.models import AuditEvent
    from healthbank.ingest.models import Credential
    from healthbank.vcard.models import AcceptingSite, Application, QrToken, VirtualCard

    AuditEvent.objects.filter(
        pk__gt=made.audit_after,
        action=AuditEvent.Action.VCARD_VERIFIED,
        actor=AuditEvent.Actor.PROVIDER,
        actor_id=made.provider.pk,
        person_id__in=made.person_ids,
    ).delete()
    for chunk in chunks(made.token_ids):
        QrToken.objects.filter(pk__in=chunk).delete()
    VirtualCard.objects.filter(pk__in=made.card_ids).delete()
    Application.objects.filter(pk__in=made.application_ids).delete()
    if made.site_created:
        AcceptingSite.objects.filter(provider=made.provider).delete()
    Credential.objects.filter(pk=made.credential_id).delete()


def chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    """Lists short enough for one IN (…) on any database."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def ingestion(visits: int) -> dict:
    """A provider's upload (NDJSON visits, each with two diagnoses, a drug and a service
    order) through the ingest service, against the same rows written by raw COPY: the rows
    the upload wrote are copied out, rolled back, and COPYed in again. All of it in one
    transaction rolled back at the end, so a kept database does not grow (no commit is
    timed on either side)."""
    if not landed("ingest"):
        raise Skipped("provider uploads (issue 8) have not landed: no healthbank.ingest app")
    from django.db import connection, transaction

    from healthbank.ingest import processing, services
    from healthbank.ingest.models import Credential
    from healthbank.records.models import Provider, Visit

    provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("code").first()
    data = visit_upload(visits)
    with transaction.atomic():
        token = services.issue_credential(credential=Credential(provider=provider))
        batch = services.receive_batch(
            credential=services.authenticate(token), chunks=[data], format="ndjson"
        )
        before = transaction.savepoint()
        started = time.perf_counter()
        batch = processing.process_batch(batch.pk)
        ingest_s = time.perf_counter() - started
        if batch.accepted != visits:
            raise RuntimeError(f"{batch.accepted} of {visits} visits accepted: {batch.status}")
        written = Visit.objects.filter(provider=provider, source_id__startswith="bench-")
        tables = [(Visit._meta.db_table, written.values("pk"))] + [
            (
                rel.related_model._meta.db_table,
                rel.related_model.objects.filter(
                    **{f"{rel.field.name}__in": written.values("pk")}
                ).values("pk"),
            )
            for rel in Visit._meta.related_objects
            if rel.one_to_many and rel.on_delete.__name__ == "CASCADE"
        ]
        rows = sum(query.count() for _table, query in tables)
        figures = {
            "visits": visits,
            "rows": rows,
            "ingest_s": round(ingest_s, 2),
            "ingest_rows_per_second": round(rows / ingest_s),
        }
        if connection.vendor != "postgresql":
            transaction.set_rollback(True)
            return figures | {"copy": "raw COPY is PostgreSQL's; not measured on SQLite"}
        dumps = [(table, copy_out(table, query)) for table, query in tables]
        transaction.savepoint_rollback(before)
        started = time.perf_counter()
        with connection.connection.cursor() as cursor:
            for table, dump in dumps:
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(dump)
        copy_s = time.perf_counter() - started
        if sum(query.count() for _table, query in tables) != rows:
            raise RuntimeError("COPY did not write the rows the upload wrote")
        transaction.set_rollback(True)
    return figures | {
        "copy_s": round(copy_s, 3),
        "copy_rows_per_second": round(rows / copy_s),
        "ratio": round(ingest_s / copy_s, 1),
    }


def visit_upload(visits: int) -> bytes:
    """An NDJSON file of `visits` western-medicine visits, ten days ago, spread over people
    insured then (the shape of the ingest app's tests)."""
    from django.utils import timezone

    from healthbank.people.models import Enrolment

    day = timezone.localdate() - dt.timedelta(days=10)
    insured = list(
        Enrolment.objects.filter(start_date__lte=day, end_date__isnull=True)
        .order_by("person_id")
        .values_list("person__national_id", flat=True)
        .distinct()[:1000]
    )
    lines = []
    for i in range(visits):
        row = {
            "type": "visit",
            "id": f"bench-{i}",
            "national_id": insured[i % len(insured)],
            "kind": "western",
            "visit_date": day.isoformat(),
            "department": "01",
            "diagnoses": ["I10", "E78.1"],
            "copayment": 50,
            "points": 420,
            "card_sequence": "0001",
            "drug_orders": [{"drug": "AC57114100", "days": 28, "quantity": 28, "frequency": "QD"}],
            "service_orders": [{"service": "00109C"}],
        }
        lines.append(json.dumps(row))
    return ("\n".join(lines) + "\n").encode()


def copy_out(table: str, query) -> bytes:
    """These rows of `table` in COPY's binary format."""
    from django.db import connection

    sql, params = query.query.sql_with_params()
    select = f"SELECT * FROM {table} WHERE id IN ({sql})"  # noqa: S608 - our own table names
    out = bytearray()
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)", params) as copy:
            for block in copy:
                out += block
    return bytes(out)


# --- the app's JSON API (issue 21) -----------------------------------------------------------

# The app's record lists read with a bound device's access token: the outpatient list (the
# longest) and two other long ones. Category codes of records/categories.py.
API_ENDPOINTS = ("outpatient", "labs", "dental")
API_TARGET = {"per_second_per_core": 500, "p99_ms": 20.0}  # issue 21; Medplum: ~350/vCPU
# Clients per gunicorn worker, as for the QR codes: a sync worker takes the next request from
# the listen queue while its last client opens a new connection.
API_CLIENTS_PER_WORKER = 2
# The token's own check is to the API what the session's is to a page: not the person's data.
API_FRAMEWORK = re.compile(r'FROM "api_apitoken"')


def api_under_load(web: server.Server, workers: int, mode: dict) -> dict:
    """GET /api/v1/records/<category> over HTTP (wrk, each request with the next person's
    access token), then the same rows by raw SQL; and the busiest person's list in process."""
    if reason := wrk.missing():
        raise Skipped(reason)
    from django.test import Client

    load_before = os.getloadavg()
    tokens = api_tokens(mode["people"])
    captured: dict[str, list] = {name: [] for name in API_ENDPOINTS}
    rows: dict[str, list[int]] = {name: [] for name in API_ENDPOINTS}
    for token in tokens:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        for name in API_ENDPOINTS:
            path = f"/api/v1/records/{name}"
            response = client.get(path)  # and warms this process
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            rows[name].append(len(response.json()))
            queries = page_queries(client, path, warm=False)
            captured[name].append([q for q in queries if not API_FRAMEWORK.search(q[0])])
    close_connection()  # the workers read the same rows: no transaction left open here

    cores = server.cores()
    clients = API_CLIENTS_PER_WORKER * workers
    seconds = max(1, round(mode["seconds"]))  # wrk counts whole seconds
    scratch = Path(os.environ["HEALTHBANK_VAR_DIR"])
    common = {
        "connections": clients,
        "scratch": scratch,
        "rotating": ("Authorization", [f"Bearer {token}" for token in tokens]),
    }
    figures = {}
    for name in API_ENDPOINTS:
        path = f"/api/v1/records/{name}"
        http = warmed_wrk(web.port, path, seconds=seconds, **common)
        http["per_second_per_core"] = round(http["per_second"] / cores, 1)
        latencies = http.pop("latencies_ms")
        sql_s = raw_sql(name, captured[name], workers, mode)
        figures[name] = {
            "path": path,
            "rows": round(sum(rows[name]) / len(rows[name]), 1),
            "max_rows": max(rows[name]),
            "queries": round(sum(map(len, captured[name])) / len(captured[name]), 1),
            "http": http,
            "sql": sql_s,
            "ratio_throughput": round(sql_s["per_second"] / http["per_second"], 1),
            "ratio_p50": round(http["p50_ms"] / sql_s["p50_ms"], 1),
            "met": http["per_second_per_core"] >= API_TARGET["per_second_per_core"]
            and http["p99_ms"] < API_TARGET["p99_ms"],
            "latencies_ms": latencies,
        }
    # The same load on GET /healthz (gunicorn, Django, one SELECT 1): this machine's ceiling.
    floor = wrk.run(web.port, "/healthz", connections=clients, seconds=seconds, scratch=scratch)
    floor.pop("latencies_ms")
    floor["per_second_per_core"] = round(floor["per_second"] / cores, 1)
    return {
        "target": API_TARGET,
        "met": all(f["met"] for f in figures.values()),
        "people": len(tokens),
        "workers": workers,
        "connections": clients,
        "cores": cores,
        "endpoints": figures,
        "healthz": floor,
        "busiest": api_busiest(mode),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }


def api_tokens(count: int) -> list[str]:
    """An access token for each of `count` people who may use the app (a suspended or locked
    account of the dataset is left out)."""
    from healthbank.api import tokens

    issued = []
    for person in sample_people(count, random.Random(4)):
        access = api_token(person)
        try:
            tokens.check(access, tokens.Kind.ACCESS)
        except tokens.TokenError:
            continue
        issued.append(access)
    return issued


def api_token(person) -> str:
    """An access token of the person's verified, active device (made once, then reused),
    issued by the service: the app's sign-in is the login scenario's, and Argon2 is not what
    this one measures (an account it makes has the cheap hash, as the pages' do)."""
    from django.test import override_settings

    from healthbank.api import tokens
    from healthbank.identity import devices
    from healthbank.identity.services import register_at_counter

    account = getattr(person, "account", None)
    if account is None:
        cheap = ["healthbank.core.hashers.QuickArgon2PasswordHasher"]
        with override_settings(PASSWORD_HASHERS=cheap):
            account = register_at_counter(person=person, password=PASSWORD, staff_id=1)
    identifier = f"bench-api-{person.pk}"
    binding = devices.active_binding(account=account, identifier=identifier)
    if binding is None:
        code, _row = devices.issue_code(account=account)
        binding = devices.verify_device(
            code=code, platform="android", model="bench", identifier=identifier
        )
    return tokens.issue_pair(binding)["access_token"]


def api_busiest(mode: dict) -> dict:
    """The outpatient list of the person with the most outpatient visits, through Django's
    full stack in this process, one request at a time: the API's own cost, without the
    machine's other load on the HTTP side."""
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from healthbank.people.models import Person
    from healthbank.records.models import Visit

    busiest = (
        Visit.objects.filter(kind__in=(Visit.Kind.WESTERN, Visit.Kind.PHARMACY))
        .values("person")
        .annotate(n=Count("id"))
        .order_by("-n", "person")
        .first()
    )
    person = Person.objects.select_related("account").get(pk=busiest["person"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(person)}")
    path = "/api/v1/records/outpatient"

    def get() -> None:
        if client.get(path).status_code != 200:
            raise RuntimeError(f"{path} did not answer 200")

    for _ in range(3):
        get()
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(args) or execute(*args)):
        response = client.get(path)
    figures = timed(get, max(5, mode["every_page_people"]))
    figures.pop("latencies_ms")
    return {
        "path": path,
        "visits": busiest["n"],
        "rows": len(response.json()),
        "queries": len(queries),  # the token's check included
        "bytes": len(response.content),
        **figures,
    }


# --- the FHIR API (issue 25) -------------------------------------------------------------

# Issue 25: p99 under 50 ms for searches at 100,000 people; Medplum reports ~350
# authenticated reads a second per vCPU.
FHIR_TARGET = {"p99_ms": 50.0, "per_second_per_core": 350}
# Searches (the same path for everyone, each request with the next person's token) and
# reads (each person's own resource).
FHIR_SEARCHES = {
    "search Observation": "/fhir/r4/Observation?_count=50",
    "search Encounter": "/fhir/r4/Encounter?_count=50",
    "search Condition since a year": "/fhir/r4/Condition?_count=50&date=ge{year_ago}",
    "search MedicationRequest": "/fhir/r4/MedicationRequest?_count=50",
}
FHIR_READS = ("read Patient", "read Encounter", "read Observation")
FHIR_CLIENTS_PER_WORKER = 2


@dataclass
class FhirSetup:
    """The app, its grants and tokens the scenario made (deleted by these ids at the end)."""

    listing_id: int
    application_id: int
    audit_after: int
    tokens: list[str] = field(default_factory=list)
    reads: dict[str, list[str]] = field(default_factory=dict)  # name -> a path per token


def fhir_setup(count: int) -> FhirSetup:
    """An approved app granted every category and type by `count` people of the dataset,
    an access token each (made directly, as the OAuth server would), and each one's own
    Patient, latest Encounter and latest lab Observation to read."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.test import override_settings
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    from healthbank.audit.models import AuditEvent
    from healthbank.fhir.models import Grant, Listing
    from healthbank.fhir.scopes import SHARED
    from healthbank.identity.services import register_at_counter
    from healthbank.records.models import LabResult, Visit

    developer, _ = get_user_model().objects.get_or_create(username="bench-fhir-developer")
    application = Application.objects.create(
        name="bench FHIR app",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://bench.example/callback",
        user=developer,
    )
    listing = Listing.objects.create(
        application=application,
        developer=developer,
        publisher="bench",
        privacy_policy="https://bench.example/privacy",
        description="benchmark",
        environment=Listing.Environment.SANDBOX,
        status=Listing.Status.APPROVED,
    )
    newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    made = FhirSetup(listing.pk, application.pk, newest, reads={n: [] for n in FHIR_READS})
    now = timezone.now()
    scope = "launch/patient patient/*.rs"
    cheap = ["healthbank.core.hashers.QuickArgon2PasswordHasher"]
    for person in sample_people(count, random.Random(5)):
        visit = Visit.objects.filter(person=person).order_by("-visit_date", "-id").first()
        lab = LabResult.objects.filter(person=person).order_by("-collected_on", "-id").first()
        if visit is None or lab is None:
            continue  # reads of someone with no records would be 404s
        account = getattr(person, "account", None)
        if account is None:
            with override_settings(PASSWORD_HASHERS=cheap):
                account = register_at_counter(person=person, password=PASSWORD, staff_id=1)
        Grant.objects.create(
            person=person,
            listing=listing,
            categories=list(SHARED),
            demographics=True,
            scope=scope,
            expires_at=now + dt.timedelta(days=1),
        )
        raw = secrets.token_urlsafe(30)
        AccessToken.objects.create(
            user=account.user,
            application=application,
            token=raw,
            expires=now + dt.timedelta(hours=6),
            scope=scope,
        )
        made.tokens.append(raw)
        made.reads["read Patient"].append(f"/fhir/r4/Patient/{person.pk}")
        made.reads["read Encounter"].append(f"/fhir/r4/Encounter/{visit.pk}")
        made.reads["read Observation"].append(f"/fhir/r4/Observation/lab-{lab.pk}")
    return made


def fhir_cleanup(made: FhirSetup) -> None:
    """Delete the app (its listing, grants and tokens go with it) and the audit rows its
    requests wrote."""
    from oauth2_provider.models import Application

    from healthbank.audit.models import AuditEvent

    AuditEvent.objects.filter(
        pk__gt=made.audit_after, actor=AuditEvent.Actor.APP, actor_id=made.listing_id
    ).delete()
    Application.objects.filter(pk=made.application_id).delete()


def fhir_under_load(web: server.Server, workers: int, mode: dict) -> dict:
    """The FHIR API over HTTP (wrk, each request with the next person's token): searches of
    the person in context, and reads of each person's own resources; the queries each
    sends; and the same SELECTs by raw SQL for the searches."""
    if reason := wrk.missing():
        raise Skipped(reason)
    from django.test import Client
    from django.utils import timezone

    load_before = os.getloadavg()
    made = fhir_setup(mode["people"])
    try:
        year_ago = (timezone.localdate() - dt.timedelta(days=365)).isoformat()
        searches = {name: p.format(year_ago=year_ago) for name, p in FHIR_SEARCHES.items()}
        captured: dict[str, list] = {name: [] for name in searches}
        entries: dict[str, list[int]] = {name: [] for name in searches}
        for token in made.tokens:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            for name, path in searches.items():
                response = client.get(path)
                if response.status_code != 200:
                    answer = response.content[:300]
                    raise RuntimeError(f"{path} answered {response.status_code}: {answer}")
                entries[name].append(response.json()["total"])
                queries = page_queries(client, path, warm=False)
                captured[name].append([q for q in queries if not FHIR_TOKEN.search(q[0])])
        close_connection()

        cores = server.cores()
        clients = FHIR_CLIENTS_PER_WORKER * workers
        seconds = max(1, round(mode["seconds"]))
        scratch = Path(os.environ["HEALTHBANK_VAR_DIR"])
        bearers = [f"Bearer {token}" for token in made.tokens]
        common = {"connections": clients, "scratch": scratch}
        figures = {}
        for name, path in searches.items():
            http = warmed_wrk(
                web.port, path, seconds=seconds, rotating=("Authorization", bearers), **common
            )
            http["per_second_per_core"] = round(http["per_second"] / cores, 1)
            latencies = http.pop("latencies_ms")
            sql_s = raw_sql(name, captured[name], workers, mode)
            figures[name] = {
                "path": path,
                "total": round(sum(entries[name]) / len(entries[name]), 1),
                "max_total": max(entries[name]),
                "queries": round(sum(map(len, captured[name])) / len(captured[name]), 1),
                "http": http,
                "sql": sql_s,
                "met": http["p99_ms"] < FHIR_TARGET["p99_ms"],
                "latencies_ms": latencies,
            }
        for name, paths in made.reads.items():
            http = warmed_wrk(
                web.port,
                "/fhir/r4/metadata",
                seconds=seconds,
                rotating=("Authorization", bearers),
                paths=paths,
                **common,
            )
            http["per_second_per_core"] = round(http["per_second"] / cores, 1)
            latencies = http.pop("latencies_ms")
            figures[name] = {
                "path": paths[0],
                "http": http,
                "met": http["per_second_per_core"] >= FHIR_TARGET["per_second_per_core"]
                and http["p99_ms"] < FHIR_TARGET["p99_ms"],
                "latencies_ms": latencies,
            }
        metadata = wrk.run(
            web.port, "/fhir/r4/metadata", connections=clients, seconds=seconds, scratch=scratch
        )
        metadata.pop("latencies_ms")
        metadata["per_second_per_core"] = round(metadata["per_second"] / cores, 1)
        return {
            "target": FHIR_TARGET,
            "met": all(f["met"] for f in figures.values()),
            "people": len(made.tokens),
            "workers": workers,
            "connections": clients,
            "cores": cores,
            "endpoints": figures,
            "metadata": metadata,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        }
    finally:
        close_connection()
        fhir_cleanup(made)


# --- provider search and emergency care (issue 27) ------------------------------------------

# Issue 27: provider search p99 under 50 ms with every provider loaded.
PROVIDERS_TARGET = {"p99_ms": 50.0}
PROVIDERS_CLIENTS_PER_WORKER = 2
PROVIDER_BODIES = 500  # different searches per endpoint, sent in turn


def provider_searches(rng: random.Random) -> dict[str, tuple[str, list[dict]]]:
    """Bodies of each kind of search: near a phone somewhere in a township the providers are
    in (within 2 km of its centre), alone and with conditions; by county, kind and name; and
    the nearest emergency hospitals."""
    from healthbank.records import rules
    from healthbank.synth.facilities import TOWNSHIP_CENTRES

    def somewhere() -> dict:
        lat, lon, _ = rng.choice(list(TOWNSHIP_CENTRES.values()))
        return {
            "latitude": round(lat + rng.uniform(-0.018, 0.018), 6),
            "longitude": round(lon + rng.uniform(-0.018, 0.018), 6),
        }

    kinds = ["clinic", "dental_clinic", "tcm_clinic", "pharmacy", "regional_hospital"]
    counties = sorted({code[:5] for code in TOWNSHIP_CENTRES})
    names = ["診所", "藥局", "醫院", "牙醫", "中醫", "仁愛", "康寧"]
    n = PROVIDER_BODIES
    return {
        "near me": ("/api/v1/providers/search", [{"near": somewhere()} for _ in range(n)]),
        "near me, kind, day and session": (
            "/api/v1/providers/search",
            [
                {
                    "near": somewhere(),
                    "kinds": [rng.choice(kinds)],
                    "weekday": rng.randrange(7),
                    "session": rng.choice(rules.SESSIONS),
                    "virtual_card": rng.random() < 0.3,
                }
                for _ in range(n)
            ],
        ),
        "county, kind and name": (
            "/api/v1/providers/search",
            [
                {
                    "county": rng.choice(counties),
                    "kinds": [rng.choice(kinds)],
                    "q": rng.choice(names),
                }
                for _ in range(n)
            ],
        ),
        "emergency near me": ("/api/v1/emergency", [{"near": somewhere()} for _ in range(n)]),
    }


def providers_under_load(web: server.Server, workers: int, mode: dict) -> dict:
    """The app's public provider search and emergency list over HTTP (wrk POSTing a
    different search each request), and each search's time and queries in process, one at
    a time (the server's own cost, without the machine's other load on the HTTP side)."""
    if reason := wrk.missing():
        raise Skipped(reason)
    from django.db import connection
    from django.test import Client

    from healthbank.records.models import EmergencyLoad, Provider
    from healthbank.synth.facilities import add_emergency_loads, add_facilities

    load_before = os.getloadavg()
    placed = add_facilities(seed=1)  # a database seeded before issue 27: its providers placed
    if not EmergencyLoad.objects.exists():
        add_emergency_loads(seed=1)
    searches = provider_searches(random.Random(27))
    client = Client()
    in_process: dict[str, dict] = {}
    for name, (path, bodies) in searches.items():
        found: list[int] = []
        queries: list[tuple] = []

        def count(execute, *args, into=queries):
            into.append(args)
            return execute(*args)

        latencies = []
        for body in bodies[:200]:
            started = time.perf_counter()
            with connection.execute_wrapper(count):
                response = client.post(path, body, content_type="application/json")
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(
                    f"{path} answered {response.status_code}: {response.content[:300]}"
                )
            answer = response.json()
            found.append(answer.get("count", len(answer.get("hospitals", []))))
        ordered = sorted(latencies[50:])  # after 50 to warm this process
        in_process[name] = {
            "in_process_p50_ms": round(ordered[len(ordered) // 2], 2),
            "in_process_p99_ms": round(ordered[int(len(ordered) * 0.99)], 2),
            "queries": round(len(queries) / len(latencies), 1),
            "found_mean": round(sum(found) / len(found), 1),
            "found_max": max(found),
        }
    close_connection()

    cores = server.cores()
    clients = PROVIDERS_CLIENTS_PER_WORKER * workers
    seconds = max(1, round(mode["seconds"]))
    scratch = Path(os.environ["HEALTHBANK_VAR_DIR"])
    figures = {}
    for name, (path, bodies) in searches.items():
        http = warmed_wrk(
            web.port,
            path,
            seconds=seconds,
            connections=clients,
            scratch=scratch,
            bodies=[json.dumps(b, ensure_ascii=False) for b in bodies],
            headers={"Content-Type": "application/json"},
        )
        http["per_second_per_core"] = round(http["per_second"] / cores, 1)
        latencies = http.pop("latencies_ms")
        figures[name] = {
            "path": path,
            **in_process[name],
            "http": http,
            "met": http["p99_ms"] < PROVIDERS_TARGET["p99_ms"],
            "latencies_ms": latencies,
        }
    return {
        "target": PROVIDERS_TARGET,
        "met": all(f["met"] for f in figures.values()),
        "providers": Provider.objects.count(),
        "placed_now": placed,
        "emergency_hospitals": Provider.objects.exclude(emergency_level="").count(),
        "workers": workers,
        "connections": clients,
        "cores": cores,
        "searches": figures,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }


# The token's own check (token, application, listing, user, account, person; the grant).
FHIR_TOKEN = re.compile(r'FROM "(oauth2_provider_accesstoken|fhir_grant)"')


if __name__ == "__main__":
    sys.exit(main())
