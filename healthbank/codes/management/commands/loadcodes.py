"""Load the code tables (ICD-10-CM, drugs, services, vaccines, lab items ...) from CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healthbank.codes.loading import CodeDataError, load_code_tables


class Command(BaseCommand):
    help = "Insert or update the code tables from the codes app's CSV files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, help="folder with the code-table CSV files")

    def handle(self, *args, data_dir: Path | None = None, **options):
        try:
            counts = load_code_tables(stdout=self.stdout, data_dir=data_dir)
        except CodeDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"{sum(counts.values())} codes in {len(counts)} tables")
        )
