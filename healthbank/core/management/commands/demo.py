from django.core.management import call_command
from django.core.management.base import BaseCommand

from healthbank.people.models import Person

DEMO_PEOPLE = 500


class Command(BaseCommand):
    help = "Migrate, seed a demo population if the database is empty, and serve the site."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--people", type=int, default=DEMO_PEOPLE)

    def handle(self, *args, port, host, people, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not Person.objects.exists():
            self.stdout.write(
                f"Empty database: seeding {people} synthetic people and the personas…"
            )
            call_command("seed", people=people, seed=1, stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"\nhealthbank is at http://{host}:{port}/"))
        self.stdout.write(
            f"Staff pages: http://{host}:{port}/staff/ (create a login with "
            "`.venv/bin/healthbank createsuperuser`)\n"
        )
        call_command("runserver", f"{host}:{port}", use_reloader=False)
