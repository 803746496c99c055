import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from healthbank.agencies.services import seed_demo_agency
from healthbank.codes.loading import load_code_tables
from healthbank.people.loading import load_divisions
from healthbank.synth.services import seed_population


class Command(BaseCommand):
    help = "Add a deterministic synthetic population with three years of records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--people", type=int, default=1000, help="how many people (default 1000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD; default today")
        parser.add_argument("--no-personas", action="store_true", help="skip the demo personas")

    def handle(self, *args, people, seed, today, no_personas, **options):
        if people < 0:
            raise CommandError("--people must be zero or more.")
        load_divisions()
        load_code_tables()
        report = seed_population(
            people_count=people,
            seed=seed,
            today=today,
            with_personas=not no_personas,
            progress=lambda line: self.stdout.write(line),
        )
        seed_demo_agency()  # the demonstration relying party, /demo/income-query/
        for table, rows in report.rows_by_table.items():
            self.stdout.write(f"  {table:<18}{rows:>12,}")
        # Fresh statistics, or the planner guesses from an empty table and scans millions of
        # rows for one person's page (seen on PostgreSQL before autovacuum caught up).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.people:,} people in {report.households:,} households: "
                f"{report.rows:,} rows in {report.seconds:.1f} s "
                f"({report.rows_per_second:,.0f} rows/s)."
            )
        )
