"""Where a portal page's time goes: pyinstrument over many requests of one page, each for a
different signed-in person, through Django's full stack in this process (no network), on a
kept benchmark database.

    .venv/bin/python bench/profile_page.py medications home               # 10,000 people
    .venv/bin/python bench/profile_page.py --people-db 100000 --out var/profiles medications

A page is a bank URL name without its `bank:` prefix (home, western, medications, ...). For
each, prints the profile as text and writes <out>/<date>-<page>.{txt,html}, with the share
of time in the database, in template rendering and in the rest beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402

# Frames whose time is counted as "database" and "templates" in the summary line.
DATABASE = ("psycopg", "sqlite3")
TEMPLATES = ("django/template/", "jinja2/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", help="bank URL names, e.g. home medications")
    parser.add_argument("--people-db", type=int, default=10_000, help="the kept database's size")
    parser.add_argument("--people", type=int, default=20, help="different people, in turn")
    parser.add_argument("--requests", type=int, default=200, help="profiled requests per page")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "profiles")
    args = parser.parse_args()

    env = run.environment(run.database_url("full", args.people_db), ROOT / "var" / "profile")
    env["ALLOWED_HOSTS"] = "testserver"
    subprocess.run([run.HEALTHBANK, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    import measure
    from django.test import Client
    from django.urls import reverse
    from pyinstrument import Profiler

    clients = []
    for person in measure.page_people(args.people):
        client = Client()
        client.force_login(person.account.user)
        clients.append(client)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = dt.datetime.now().astimezone().date().isoformat()
    for page in args.pages:
        path = reverse(f"bank:{page}")
        for client in clients:  # warm: templates compiled, code tables cached
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path} did not answer 200")
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        with profiler:
            for i in range(args.requests):
                clients[i % len(clients)].get(path)
        per_request = (time.perf_counter() - started) * 1000 / args.requests
        session = profiler.last_session
        text = profiler.output_text(unicode=True, color=False, show_all=False)
        shares = {"database": share(session, DATABASE), "templates": share(session, TEMPLATES)}
        heading = (
            f"{page} {path}: {args.requests} requests, {per_request:.1f} ms each under the "
            f"profiler; database {shares['database']:.0%}, templates {shares['templates']:.0%}"
        )
        print(heading)
        print(text)
        (args.out / f"{stem}-{page}.txt").write_text(heading + "\n\n" + text)
        (args.out / f"{stem}-{page}.html").write_text(profiler.output_html())
    return 0


def share(session, marks: tuple[str, ...]) -> float:
    """The share of sampled time spent inside frames whose file path contains a mark
    (outermost such frame counted once)."""
    root = session.root_frame()
    if root is None or not root.time:
        return 0.0

    def inside(frame) -> float:
        if any(mark in (frame.file_path or "") for mark in marks):
            return frame.time
        return sum(inside(child) for child in frame.children)

    return inside(root) / root.time


if __name__ == "__main__":
    sys.exit(main())
