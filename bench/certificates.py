"""Seconds to make one certificate of insurance (issue 23): its facts read, the PDF rendered
by WeasyPrint, signed by pyHanko, stored and audited, as the e-services page makes it. The
median of --samples, each language in turn, for a persona with dependants (林雅婷). Then the
same for her certificate of premiums paid of last year (twelve payments, two children):
"premiums" in the figures.

    .venv/bin/python bench/certificates.py [--samples 20] [--out FILE]

On a database of its own, made afresh: a SQLite file in a temporary folder, or, with
BENCH_PG_URL, the PostgreSQL database hb_certificates_bench on that server. The demo's
people are seeded first (`healthbank demo --no-serve --people 10`); the first certificate,
which loads the fonts and makes the test signing CA, is timed apart.
Writes bench/results/<date>-certificates.json (or --out) and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path(tempfile.mkdtemp(prefix="healthbank-certificates-bench-"))
SERVER = os.environ.get("BENCH_PG_URL")
DATABASE = "hb_certificates_bench"
PERSONA = "F223456786"  # 林雅婷, with two children insured under her

sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "healthbank.settings"
os.environ["DEBUG"] = "1"  # the demo's settings: no production secrets needed
os.environ["HEALTHBANK_VAR_DIR"] = str(FOLDER)  # the test CA, files: this run's own
if SERVER:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{FOLDER / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from healthbank.certificates import services  # noqa: E402
from healthbank.certificates.models import Certificate  # noqa: E402
from healthbank.people.models import Person  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("demo", "--no-serve", "--people", "10", verbosity=0)
    person = Person.objects.get(national_id=PERSONA)

    def make(language: str) -> tuple[float, int]:
        started = time.perf_counter()
        certificate = services.issue_insurance_certificate(
            person=person, language=language, with_dependants=True, address="127.0.0.1"
        )
        return time.perf_counter() - started, len(certificate.pdf)

    year = timezone.localdate().year - 1

    def make_premiums(language: str) -> tuple[float, int]:
        started = time.perf_counter()
        certificate = services.issue_premiums_certificate(
            person=person, year=year, language=language, address="127.0.0.1"
        )
        return time.perf_counter() - started, len(certificate.pdf)

    languages = Certificate.Language.values
    first, _size = make(languages[0])
    runs = [make(languages[n % len(languages)]) for n in range(args.samples)]
    premiums = [make_premiums(languages[n % len(languages)]) for n in range(args.samples)]
    figures = {
        "database": connection.vendor,
        "samples": args.samples,
        "first_seconds": round(first, 3),
        **_summary(runs),
        "premiums": {"year": year, **_summary(premiums)},
    }
    out = args.out or ROOT / "bench" / "results" / f"{timezone.localdate()}-certificates.json"
    out.write_text(json.dumps(figures, indent=1) + "\n")
    print(json.dumps(figures, indent=1))
    return 0


def _summary(runs: list[tuple[float, int]]) -> dict[str, float | int]:
    seconds = [s for s, _ in runs]
    return {
        "median_seconds": round(statistics.median(seconds), 3),
        "min_seconds": round(min(seconds), 3),
        "max_seconds": round(max(seconds), 3),
        "pdf_bytes_median": int(statistics.median(size for _, size in runs)),
    }


if __name__ == "__main__":
    sys.exit(main())
