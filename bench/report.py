"""The Markdown report and its PNG charts, made from the figures `run.py` gathered.

The charts use matplotlib's Agg backend (no display); the report names each figure's
meaning and the limit it is compared with, and ends with a paper extrapolation to the
whole insured population.
"""

from __future__ import annotations

from pathlib import Path

NATION = 23_500_000  # insured people in Taiwan (the seeds' order of magnitude)
QR_TARGET_TEXT = "≥ 1,000/s, p99 < 20 ms (issue 7)"
API_TARGET_TEXT = "≥ 500 reads/s per core, p99 < 20 ms (issue 21)"


def write(results: dict, out: Path, stem: str) -> Path:
    charts = draw(results, out, stem)
    lines = [*heading(results), *headline(results), *machine(results), *seeding(results)]
    lines += [*pages(results), *api(results), *every_page(results), *login(results)]
    lines += [*package(results)]
    lines += [*qr(results), *ingestion(results), *skipped(results), *growth(results)]
    lines += [f"![{title}]({name})\n" for title, name in charts]
    path = out / f"{stem}.md"
    path.write_text("\n".join(lines))
    return path


def ok(dataset: dict, name: str) -> dict | None:
    scenario = dataset["scenarios"].get(name)
    return scenario if scenario and scenario["status"] == "ok" else None


def people(dataset: dict) -> str:
    return f"{dataset.get('dataset', {}).get('people', 0):,}"


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


# --- sections -------------------------------------------------------------------------------


def heading(results: dict) -> list[str]:
    command = {"full": "make bench", "quick": "bench/run.py --quick", "smoke": "make bench-smoke"}
    return [
        f"# healthbank benchmark, {results['started'][:10]} ({results['mode']})",
        "",
        f"`{command[results['mode']]}` at commit `{results['machine']['commit']}`, started "
        f"{results['started']}, took {results['seconds']:,} s. Figures: the JSON file of the "
        "same name. Absolute times on a small shared machine are noisy; the ratios to raw SQL, "
        "measured in the same run on the same machine, are the figures to compare across runs.",
        "",
    ]


def headline(results: dict) -> list[str]:
    """One line per scenario: its main figure on each dataset, and the limit it is held to."""
    datasets = results["datasets"]

    def slowest(s: dict) -> str:
        name, page = min(s["pages"].items(), key=lambda item: item[1]["http"]["per_second"])
        return f"{page['http']['per_second']} ({name})"

    def widest(s: dict) -> str:
        name, page = max(s["pages"].items(), key=lambda item: item[1]["ratio_throughput"])
        p99 = max(p["http"]["p99_ms"] for p in s["pages"].values())
        return f"{page['ratio_throughput']}× ({name}); worst p99 {p99} ms"

    def upload(s: dict) -> str:
        ratio = f", {s['ratio']}× COPY's time" if "ratio" in s else ""
        return f"{s['ingest_rows_per_second']:,}{ratio}"

    def verification(s: dict) -> str:
        http = s["http"]
        verdict = "met" if s["met"] else "not met"
        return f"**{http['per_second']}**/s, p99 **{http['p99_ms']}** ms: {verdict}"

    lines = [
        ("seed rows/s", "seed", lambda s: f"{s['rows_per_second']:,}", ""),
        ("slowest portal page, pages/s", "pages", slowest, ""),
        ("widest page gap to its raw SQL", "pages", widest, "≤ 2.5×, p99 < 50 ms (issue 21)"),
        ("sign-ins/s", "login", lambda s: s["per_second"], ""),
        ("record package, median s", "package", lambda s: s["median_s"], ""),
        ("provider upload, rows/s", "ingest", upload, ""),
        ("QR verification over HTTP", "qr", verification, QR_TARGET_TEXT),
    ]
    rows = []
    for what, name, figure, limit in lines:
        cells = []
        for dataset in datasets:
            scenario = dataset["scenarios"].get(name, {"status": "not run"})
            cells.append(figure(scenario) if scenario["status"] == "ok" else scenario["status"])
        rows.append([what, *cells, limit])
    header = ["", *(f"{people(d)} people" for d in datasets), "target"]
    return ["## Headline", "", *table(header, rows)]


def machine(results: dict) -> list[str]:
    m = results["machine"]
    facts = next((d["dataset"] for d in results["datasets"] if "dataset" in d), {})
    hasher = hashing(results)
    server = next((d["server"] for d in results["datasets"] if "server" in d), {})
    rss = server.get("worker_rss_mib", [])
    rows = [
        ["CPU", f"{m['cpu']}, {m['cores']} cores"],
        ["memory", f"{m['memory_gib']} GiB"],
        ["OS", m["os"]],
        ["database", facts.get("database_version", "?").split(" on ")[0]],
        ["Python / Django", f"{m['python']} / {facts.get('django', '?')}"],
        [
            "passwords",
            f"{hasher.get('algorithm')}: time cost {hasher.get('time_cost')}, memory "
            f"{hasher.get('memory_cost_kib', 0) // 1024} MiB, parallelism "
            f"{hasher.get('parallelism')} (Django's defaults)",
        ],
        [
            "web server",
            f"{server.get('server')}, {server.get('workers')} workers, DEBUG="
            f"{server.get('DEBUG')}, DB_CONN_MAX_AGE={server.get('DB_CONN_MAX_AGE')} s, "
            f"static files by {server.get('static files')}",
        ],
        [
            "load generator",
            "wrk (C, Debian's package; a new connection per request) on the same machine: "
            "it shares the cores with gunicorn and the database; Python threads (stdlib "
            "http.client) for the sign-ins and the raw SQL",
        ],
    ]
    loads = [
        f"{people(d)} people: {d['load_average_before'][0]:.1f} before, "
        f"{d['load_average_after'][0]:.1f} after"
        for d in results["datasets"]
        if "load_average_before" in d
    ]
    rows.append(
        ["load average (1 min)", "; ".join(loads) + " (other work on the machine shows here)"]
    )
    if rss:
        after = server.get("worker_rss_after_login_mib") or [0]
        rows.append(
            [
                "worker memory (RSS)",
                f"{min(rss)}–{max(rss)} MiB per worker after the "
                f"pages, up to {max(after)} MiB after the sign-ins",
            ]
        )
    return ["## Machine and configuration", "", *table(["", ""], rows)]


def seeding(results: dict) -> list[str]:
    rows = []
    for dataset in results["datasets"]:
        seed = dataset["scenarios"]["seed"]
        if seed["status"] != "ok":
            rows.append([people(dataset), "–", "–", "–", seed.get("reason", seed.get("error"))])
            continue
        rows.append(
            [
                f"{seed['people']:,}",
                f"{seed['rows']:,}",
                f"{seed['seconds']:,}",
                f"**{seed['rows_per_second']:,}**",
                seed["seeded_at"],
            ]
        )
    return [
        "## Seed speed",
        "",
        "`healthbank seed` (synthetic people with three years of records, bulk inserts, then "
        "ANALYZE). A kept database is seeded once; its speed is kept with it.",
        "",
        *table(["people", "rows", "seconds", "rows/s", "seeded"], rows),
    ]


def pages(results: dict) -> list[str]:
    lines = [
        "## Portal pages under concurrent load",
        "",
        "Each page over HTTP from gunicorn, for every signed-in person in turn (a different "
        "person on each request), one client per worker and a new connection per request (wrk, "
        "with the session cookies in turn; Python threads where wrk is not installed), then "
        "the same rows read by raw SQL: the page's own SELECTs, captured from that person's "
        "page and replayed on Django's own DB-API connection (psycopg with the same prepared "
        "statements, or sqlite3) with every row fetched, with as many threads. "
        "**×** is how many times more page-equivalents per second raw SQL serves (target ≤ 2.5×, "
        "p99 < 50 ms; issue 21); **p50 ×** how many times longer the median page takes than "
        "its queries. The raw side runs in "
        "Python threads too (one interpreter lock), so its rate is a floor of the database's "
        "and the ratios err low.",
        "",
    ]
    for dataset in results["datasets"]:
        scenario = ok(dataset, "pages")
        if not scenario:
            lines += [f"{people(dataset)} people: {status(dataset, 'pages')}", ""]
            continue
        rows = []
        for name, page in scenario["pages"].items():
            http, sql = page["http"], page["sql"]
            rows.append(
                [
                    f"{name} `{page['path']}`",
                    page["queries"],
                    f"**{http['per_second']}**",
                    http["p50_ms"],
                    http["p95_ms"],
                    http["p99_ms"],
                    http["requests"],
                    sql["per_second"],
                    sql["p50_ms"],
                    f"{page['ratio_throughput']}×",
                    f"{page['ratio_p50']}×",
                ]
            )
        lines += [
            f"**{people(dataset)} people**, {scenario['people']} signed in, "
            f"{scenario['threads']} client threads:",
            "",
            *table(
                [
                    "page",
                    "queries",
                    "pages/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "requests",
                    "raw SQL/s",
                    "SQL p50 ms",
                    "×",
                    "p50 ×",
                ],
                rows,
            ),
        ]
    return lines


def api(results: dict) -> list[str]:
    measured = [(d, ok(d, "api")) for d in results["datasets"] if ok(d, "api")]
    if not measured:
        return []
    first = measured[0][1]
    lines = [
        "## The app's record lists under concurrent load",
        "",
        "The NHI Express app reads a category's list: `GET /api/v1/records/<category>` with a "
        "bound device's access token (`Authorization: Bearer`), each request the next "
        "person's token (wrk, the C load generator, a new connection per request, "
        f"{first['connections']} clients on {first['workers']} gunicorn workers, after one "
        "second of the same load), then the same rows by raw SQL as for the pages: the "
        "list's own SELECTs (the token's check left out, as the session's is for a page), "
        "replayed on the DB-API connection with every row fetched. **per core** is the rate "
        f"over the machine's {first['cores']} cores (wrk runs on them too). **Target** "
        f"{API_TARGET_TEXT}; Medplum reports about 350 FHIR reads/s per vCPU. **/healthz** "
        "is the same load on the health check (gunicorn, Django, one `SELECT 1`): the most "
        "this server and machine answer, whatever the view does.",
        "",
    ]
    for dataset, s in measured:
        rows = []
        for name, e in s["endpoints"].items():
            http, sql = e["http"], e["sql"]
            rows.append(
                [
                    f"{name} `{e['path']}`",
                    f"{e['rows']} (≤ {e['max_rows']})",
                    e["queries"],
                    f"**{http['per_second']}**",
                    f"**{http['per_second_per_core']}**",
                    http["p50_ms"],
                    http["p95_ms"],
                    f"**{http['p99_ms']}**",
                    http["requests"],
                    sql["per_second"],
                    sql["p50_ms"],
                    f"{e['ratio_throughput']}×",
                    f"{e['ratio_p50']}×",
                ]
            )
        floor = s["healthz"]
        rows.append(
            [
                "GET /healthz, same load",
                "",
                1,
                floor["per_second"],
                floor["per_second_per_core"],
                floor["p50_ms"],
                floor["p95_ms"],
                floor["p99_ms"],
                floor["requests"],
                "",
                "",
                "",
                "",
            ]
        )
        verdict = "**met**" if s["met"] else "**not met**"
        before, after = s["load_average_before"][0], s["load_average_after"][0]
        lines += [
            f"**{people(dataset)} people**, {s['people']} people's tokens: target {verdict}.",
            "",
            *table(
                [
                    "list",
                    "rows",
                    "queries",
                    "reads/s",
                    "per core",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "requests",
                    "raw SQL/s",
                    "SQL p50 ms",
                    "×",
                    "p50 ×",
                ],
                rows,
            ),
        ]
        b = s["busiest"]
        lines += [
            f"The busiest person's list in process, one request at a time through Django's "
            f"stack (no HTTP): `{b['path']}`, {b['rows']} rows, {b['bytes']:,} bytes, "
            f"{b['queries']} queries, p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms. Load "
            f"average {before:.1f} before and {after:.1f} after (1 min; other work on the "
            "machine shows here).",
            "",
        ]
    return lines


def every_page(results: dict) -> list[str]:
    dataset = results["datasets"][-1]
    scenario = ok(dataset, "every page")
    if not scenario:
        return []
    rows = [
        [
            name,
            p["queries"],
            p["p50_ms"],
            p["p95_ms"],
            p.get("beyond_sql_p50_ms", "—"),
            f"**{p['beyond_sql_p95_ms']}**" if "beyond_sql_p95_ms" in p else "—",
            p["requests"],
        ]
        for name, p in scenario["pages"].items()
    ]
    return [
        "## Every portal page, server-side",
        "",
        f"Each GET page of the portal for {scenario['people']} signed-in people of "
        f"{people(dataset)}, one request at a time through Django's full stack in one process "
        "(no network): the time the web process spends, the queries it sends (including the "
        "signed-in request's own and the audit row), and the time **beyond SQL**: the request's "
        "time less the time inside its statements, the web process's own work "
        "(target: p95 < 10 ms, issue 21).",
        "",
        *table(
            ["page", "queries", "p50 ms", "p95 ms", "beyond SQL p50", "beyond SQL p95", "requests"],
            rows,
        ),
    ]


def login(results: dict) -> list[str]:
    rows = []
    for dataset in results["datasets"]:
        s = ok(dataset, "login")
        if not s:
            rows.append([people(dataset), status(dataset, "login"), "", "", "", "", ""])
            continue
        rows.append(
            [
                people(dataset),
                f"**{s['per_second']}**",
                s["p50_ms"],
                s["p95_ms"],
                s["p99_ms"],
                s["requests"],
                s["one_hash_ms"],
            ]
        )
    hasher = hashing(results)
    cost = (
        f"Argon2id with time cost {hasher.get('time_cost')}, "
        f"{hasher.get('memory_cost_kib', 0) // 1024} MiB and parallelism "
        f"{hasher.get('parallelism')}"
    )
    return [
        "## Sign-in",
        "",
        "The NHI Express app's sign-in, `POST /api/v1/auth/login` (verified device, national "
        f"ID and password), over HTTP, one thread per worker, rotating accounts. Each checks a "
        f"password hashed with {cost}: the hash is the cost, by design (**one hash ms**: one "
        "check alone on an idle machine).",
        "",
        *table(
            ["people", "sign-ins/s", "p50 ms", "p95 ms", "p99 ms", "requests", "one hash ms"],
            rows,
        ),
    ]


def package(results: dict) -> list[str]:
    rows = []
    for dataset in results["datasets"]:
        s = ok(dataset, "package")
        if not s:
            rows.append([people(dataset), status(dataset, "package"), "", "", "", ""])
            continue
        rows.append(
            [
                people(dataset),
                s["visits"],
                f"{s['rows']:,} in {s['categories']}",
                f"{s['zip_bytes'] // 1024:,} KiB",
                f"**{s['median_s']}**",
                s["worst_s"],
            ]
        )
    return [
        "## Record package",
        "",
        "The download package of the person with the most visits: every category, merged, "
        "written as HTML, XML and FHIR JSON into an AES-256 ZIP (`write_package`, what the "
        "background task runs).",
        "",
        *table(["people", "visits", "rows in categories", "ZIP", "median s", "worst s"], rows),
    ]


def qr(results: dict) -> list[str]:
    measured = [(d, ok(d, "qr")) for d in results["datasets"] if ok(d, "qr")]
    if not measured:
        return []
    first = measured[0][1]
    lines = [
        "## QR verification",
        "",
        f"A provider scans a card's one-time QR code: `POST {first['path']}` with the "
        "provider's credential (`Authorization: Bearer`) and the code's text, answered with "
        "the person's identity, photo link and cover. Each request spends a fresh token "
        "(signed as the app signs them, one row each, shown by the card holder): a second "
        "use is a 409. The service checks the signature, voids the token with one "
        "conditional update, reads the cover and writes the audit row, in one transaction. "
        f"{first['workers']} gunicorn workers and {first['connections']} clients, as many "
        "clinics scan at once (wrk, the C load generator: a Python one would take a core "
        "from the server at this rate; a new connection per request, as sync workers close "
        "each one; after one second of the same load to warm the workers). **Target** "
        f"{QR_TARGET_TEXT}. The benchmark's tokens are valid for "
        f"{first['token_minutes']} minutes so that none expires during the run; production's "
        "are valid for 5.",
        "",
        "Below the load, the same verifications in this process, one at a time: the service "
        "alone (`services.verify_qr`), then through Django's full stack without gunicorn or "
        "a socket (test client: routing, middleware, the credential's check, django-ninja). "
        "**/healthz** is the same load on the health check (gunicorn, Django, one "
        "`SELECT 1`): the most this server and machine answer, whatever the view does.",
        "",
    ]
    for dataset, s in measured:
        http, service, django, floor = s["http"], s["service"], s["django"], s["healthz"]
        rows = [
            ["over HTTP, under load", f"**{http['per_second']}**", http["p50_ms"],
             http["p95_ms"], f"**{http['p99_ms']}**", http["requests"], http["errors"]],
            ["service in process", service["per_second"], service["p50_ms"],
             service["p95_ms"], service["p99_ms"], service["requests"], 0],
            ["through Django in process", django["per_second"], django["p50_ms"],
             django["p95_ms"], django["p99_ms"], django["requests"], 0],
            ["GET /healthz, same load", floor["per_second"], floor["p50_ms"],
             floor["p95_ms"], floor["p99_ms"], floor["requests"], floor["errors"]],
        ]  # fmt: skip
        verdict = "**met**" if s["met"] else "**not met**"
        before, after = s["load_average_before"][0], s["load_average_after"][0]
        lines += [
            f"**{people(dataset)} people**, {s['card_holders']} card holders, "
            f"{s['tokens']:,} tokens: target {verdict}.",
            "",
            *table(["", "per second", "p50 ms", "p95 ms", "p99 ms", "requests", "errors"], rows),
            f"{len(s['queries'])} statements per verification in the service (its "
            f"transaction's included), {django['queries']} per request (with the credential's "
            "and the accepting provider's checks); the "
            f"load's clients used {http['loader_cpu']} of a core in all "
            f"(wrk, {http['loader_threads']} threads); load average {before:.1f} before and "
            f"{after:.1f} after (1 min; other work on the machine shows here).",
            "",
        ]
    return lines


def ingestion(results: dict) -> list[str]:
    rows = []
    for dataset in results["datasets"]:
        s = ok(dataset, "ingest")
        if not s:
            continue
        copy = (
            [s["copy_s"], f"{s['copy_rows_per_second']:,}", f"**{s['ratio']}×**"]
            if "copy_s" in s
            else [s["copy"], "", ""]
        )
        rows.append(
            [
                people(dataset),
                f"{s['visits']:,}",
                f"{s['rows']:,}",
                s["ingest_s"],
                f"**{s['ingest_rows_per_second']:,}**",
                *copy,
            ]
        )
    if not rows:
        return []
    return [
        "## Provider upload vs raw COPY",
        "",
        "An NDJSON file of western-medicine visits, each with two diagnoses, a drug order and "
        "a service order, processed by the ingest service (`process_batch`: read, validate "
        "against code tables and enrolment, upsert in chunks with the batch's checkpoint), "
        "then the very rows it wrote put back by `COPY … FROM STDIN (FORMAT binary)` into the "
        "same tables, indexes and constraints: the limit. Both inside one transaction that is "
        "rolled back, so commits are not timed and the kept database does not grow. **×** is "
        "how many times longer the upload takes than COPY.",
        "",
        *table(
            ["people", "visits", "rows", "upload s", "upload rows/s", "COPY s", "COPY rows/s", "×"],
            rows,
        ),
    ]


def skipped(results: dict) -> list[str]:
    rows = {}
    for dataset in results["datasets"]:
        for name, s in dataset["scenarios"].items():
            if s["status"] != "ok":
                rows[name] = [name, s["status"], s.get("reason") or s.get("error")]
    if not rows:
        return []
    return ["## Not measured", "", *table(["scenario", "status", "why"], list(rows.values()))]


def hashing(results: dict) -> dict:
    facts = [d["dataset"] for d in results["datasets"] if "dataset" in d]
    return facts[0]["password_hasher"] if facts else {}


def status(dataset: dict, name: str) -> str:
    s = dataset["scenarios"].get(name, {"status": "missing"})
    return f"{s['status']}: {s.get('reason') or s.get('error') or ''}"


def growth(results: dict) -> list[str]:
    measured = [d for d in results["datasets"] if ok(d, "pages")]
    if not measured:
        return []
    small, large = measured[0], measured[-1]
    lines = ["## Growth", ""]
    if small is not large:
        factor = large["dataset"]["people"] / small["dataset"]["people"]
        rows = []
        for name, page in ok(large, "pages")["pages"].items():
            before = ok(small, "pages")["pages"][name]["http"]
            after = page["http"]
            rows.append(
                [
                    name,
                    before["p50_ms"],
                    after["p50_ms"],
                    before["p95_ms"],
                    after["p95_ms"],
                    before["per_second"],
                    after["per_second"],
                ]
            )
        rss = [
            [
                people(d),
                d["server"]["worker_rss_mib"],
                f"{d['dataset']['database_bytes'] / 1024**3:.2f} GiB",
            ]
            for d in measured
        ]
        lines += [
            f"From {people(small)} to {people(large)} people ({factor:.0f}× the data):",
            "",
            *table(
                [
                    "page",
                    f"p50 ms {people(small)}",
                    f"p50 ms {people(large)}",
                    f"p95 ms {people(small)}",
                    f"p95 ms {people(large)}",
                    f"pages/s {people(small)}",
                    f"pages/s {people(large)}",
                ],
                rows,
            ),
            *table(["people", "worker RSS MiB (after the pages)", "database size"], rss),
        ]
    lines += extrapolation(small, large, results["machine"]["cores"])
    return lines


def extrapolation(small: dict, large: dict, cores: int) -> list[str]:
    facts = large["dataset"]
    per_person = facts["database_bytes"] / facts["people"]
    seed = large["scenarios"]["seed"]
    rows_per_person = seed["rows"] / seed["people"] if seed["status"] == "ok" else None
    page_rates = [p["http"]["per_second"] for p in ok(large, "pages")["pages"].values()]
    per_core = min(page_rates) / cores
    peak = NATION / 100 * 10 / 3600  # an assumption, stated in the text
    lines = [
        f"### On paper: {NATION / 1e6:.1f} million people",
        "",
        f"- **Storage**: {per_person / 1024:.0f} KiB per person at {people(large)} people "
        f"(tables and indexes) → about {per_person * NATION / 1024**4:.1f} TiB for "
        f"{NATION / 1e6:.1f} million, before the rows that providers add each year.",
    ]
    if rows_per_person:
        rate = seed["rows_per_second"]
        lines.append(
            f"- **Loading**: {rows_per_person:.0f} rows per person → "
            f"{rows_per_person * NATION / 1e9:.1f} billion rows; at the seed's {rate:,} rows/s "
            f"on one process that is {rows_per_person * NATION / rate / 86400:.1f} days, so a "
            "national load runs many loaders in parallel, one per range of people."
        )
    if small is not large:
        lines.append(
            "- **Page latency**: every portal query starts from the person's key (an index "
            "lookup), so its cost grows with the depth of a B-tree, one more level per "
            "~100–500× more rows, not with the population; the table above shows how much "
            "it moved over 10× here. It stays flat only while the indexes' upper levels and "
            "the active people's rows fit in memory: at national scale that means partitions "
            "by person and read replicas (DESIGN.md), not one 2-core machine."
        )
    lines.append(
        f"- **Web capacity**: the slowest page served {min(page_rates)}/s on {cores} cores "
        f"shared with PostgreSQL and the load generator, {per_core:.0f}/s per core. If 1% of "
        f"the insured ({NATION // 100:,} people) opened 10 pages within one busy hour, that is "
        f"{peak:,.0f} pages/s: about {peak / per_core:,.0f} cores like these "
        f"({peak / per_core / 16:,.1f} 16-core hosts, database included), since web workers "
        "share nothing but the database and the database's reads spread over replicas."
    )
    lines.append(
        "- **Memory**: a worker's RSS is set by code and caches, not by the population (see "
        "the table above); a web host needs about workers × that figure."
    )
    return [*lines, ""]


# --- charts -------------------------------------------------------------------------------


def draw(results: dict, out: Path, stem: str) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = qr_chart(results, out, stem, plt)
    measured = [d for d in results["datasets"] if ok(d, "pages")]
    if not measured:
        return charts

    figure, axis = plt.subplots(figsize=(9, 5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for style, dataset in zip(["--", "-"], measured[-2:], strict=False):
        figures = ok(dataset, "pages")["pages"]
        for colour, (name, page) in zip(colours, figures.items(), strict=False):
            values = sorted(page["latencies_ms"])
            share = [(i + 1) / len(values) for i in range(len(values))]
            axis.plot(values, share, style, color=colour, label=f"{name}, {people(dataset)} people")
    axis.set_xscale("log")
    axis.set_xlabel("latency (ms, log scale)")
    axis.set_ylabel("share of requests at or under")
    axis.set_title("Portal page latency under load (cumulative distribution)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize="small")
    name = f"{stem}-latency.png"
    figure.tight_layout()
    figure.savefig(out / name, dpi=100)
    plt.close(figure)
    charts.append(("Latency distribution per page", name))

    figure, axis = plt.subplots(figsize=(9, 5))
    names = list(ok(measured[-1], "pages")["pages"])
    width = 0.8 / (2 * len(measured))
    for i, dataset in enumerate(measured):
        figures = ok(dataset, "pages")["pages"]
        for j, (kind, label) in enumerate((("http", "HTTP pages/s"), ("sql", "raw SQL/s"))):
            offset = (2 * i + j) * width - 0.4 + width / 2
            axis.bar(
                [k + offset for k in range(len(names))],
                [figures[n][kind]["per_second"] for n in names],
                width,
                label=f"{label}, {people(dataset)} people",
            )
    axis.set_xticks(range(len(names)), names)
    axis.set_yscale("log")
    axis.set_ylabel("per second (log scale)")
    axis.set_title("Throughput: pages over HTTP vs the same rows by raw SQL")
    axis.grid(True, axis="y", which="both", alpha=0.3)
    axis.legend(fontsize="small")
    name = f"{stem}-throughput.png"
    figure.tight_layout()
    figure.savefig(out / name, dpi=100)
    plt.close(figure)
    charts.append(("Throughput per page", name))
    return charts


def qr_chart(results: dict, out: Path, stem: str, plt) -> list[tuple[str, str]]:
    """The QR verifications' latency (cumulative) over HTTP and in process, with the target."""
    measured = [(d, ok(d, "qr")) for d in results["datasets"] if ok(d, "qr")]
    if not measured:
        return []
    figure, axis = plt.subplots(figsize=(9, 5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    kinds = (
        ("latencies_ms", "over HTTP, under load"),
        ("django_latencies_ms", "through Django in process"),
        ("service_latencies_ms", "service in process"),
    )
    shown = measured[-2:]
    for style, (dataset, scenario) in zip(["--", "-"][-len(shown) :], shown, strict=True):
        for colour, (key, label) in zip(colours, kinds, strict=False):
            values = sorted(scenario.get(key) or [])
            if values:
                share = [(i + 1) / len(values) for i in range(len(values))]
                axis.plot(
                    values, share, style, color=colour, label=f"{label}, {people(dataset)} people"
                )
    target = measured[-1][1]["target"]["p99_ms"]
    axis.axvline(target, color="grey", linestyle=":", label=f"target p99 {target:g} ms")
    axis.axhline(0.99, color="grey", linestyle=":", linewidth=0.8)
    axis.set_xscale("log")
    axis.set_xlabel("latency (ms, log scale)")
    axis.set_ylabel("share of verifications at or under")
    axis.set_title("QR verification latency (cumulative distribution)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize="small")
    name = f"{stem}-qr.png"
    figure.tight_layout()
    figure.savefig(out / name, dpi=100)
    plt.close(figure)
    return [("QR verification latency", name)]
