"""Load Taiwan's counties, townships and villages from the people app's data files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healthbank.people.loading import DivisionDataError, load_divisions


class Command(BaseCommand):
    help = "Insert or update counties, townships and villages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", type=Path, help="folder with counties.csv, townships.csv, villages.csv"
        )

    def handle(self, *args, data_dir: Path | None = None, **options):
        try:
            load_divisions(stdout=self.stdout, data_dir=data_dir)
        except DivisionDataError as error:
            raise CommandError(str(error)) from error
