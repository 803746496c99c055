import atexit
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from healthbank.agencies.services import seed_demo_agency
from healthbank.employers.services import ensure_demo_unit_login
from healthbank.external import cardagent
from healthbank.identity import second_factor
from healthbank.people.models import Person

DEMO_PEOPLE = 500
DEMO_STAFF = ("staff", "healthbank-demo")  # README, "Demo personas"; DEBUG databases only
# A second staff login for the four-eyes rule: a reimbursement one checks, the other approves.
DEMO_APPROVER = ("approver", "healthbank-demo")
# Their roles (Django groups): what a person reads in 查詢紀錄 when the staff opened their data.
DEMO_ROLES = {DEMO_STAFF[0]: "櫃檯服務", DEMO_APPROVER[0]: "業務審核"}


def start_worker() -> subprocess.Popen:
    """`healthbank worker` beside the web server, stopped with it."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "worker"]
    worker = subprocess.Popen(command)  # noqa: S603 - our own command, no user input
    atexit.register(worker.terminate)
    return worker


class Command(BaseCommand):
    help = "Migrate, seed a demo population if the database is empty, and serve the site."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--people", type=int, default=DEMO_PEOPLE)
        parser.add_argument("--no-serve", action="store_true", help="prepare the data and stop")

    def handle(self, *args, port, host, people, no_serve, **options):
        if not settings.DEBUG:
            raise CommandError("The demo is for a local machine: run it with DEBUG=1 (make demo).")
        call_command("migrate", interactive=False, verbosity=0)
        if not Person.objects.exists():
            self.stdout.write(
                f"Empty database: seeding {people} synthetic people and the personas."
            )
            call_command("seed", people=people, seed=1, stdout=self.stdout)
        seed_demo_agency()  # also in a database seeded before agencies came
        username, password = DEMO_STAFF
        staff = get_user_model().objects
        if not staff.filter(is_superuser=True).exists():
            for login, secret in (DEMO_STAFF, DEMO_APPROVER):
                user = staff.create_superuser(login, password=secret)
                user.groups.add(Group.objects.get_or_create(name=DEMO_ROLES[login])[0])
        # The demo staff's second factor: a key to add to an authenticator app, or
        # `healthbank staffcode [approver]` prints the current code (README, Demo personas).
        for login in (DEMO_STAFF[0], DEMO_APPROVER[0]):
            demo_staff = staff.filter(username=login, is_staff=True).first()
            if demo_staff is None:
                continue
            device = second_factor.enrolled_device(demo_staff)
            command = "staffcode" if login == DEMO_STAFF[0] else f"staffcode {login}"
            self.stdout.write(
                f"Staff second factor of {login!r}: add the key "
                f"{second_factor.secret_of(device)} to an authenticator app, or type the code "
                f"that `.venv/bin/healthbank {command}` prints."
            )
        unit_login = ensure_demo_unit_login()
        if no_serve:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        site = f"http://{host}:{port}"
        settings.SITE_URL = site  # links in the demo's e-mail point at this server
        origins = [site, f"http://localhost:{port}"]  # pages that may use the cards
        agent_port = urlsplit(settings.CARD_AGENT_URL).port
        self.stdout.write(self.style.SUCCESS(f"\nhealthbank is at {site}/"))
        try:
            cardagent.start_in_thread("127.0.0.1", agent_port or 80, origins)  # http's default
        except OSError as exc:
            self.stdout.write(
                self.style.WARNING(
                    f"No card agent: port {agent_port} is busy ({exc.strerror}). Run one with "
                    "`healthbank cardagent serve --port N` and set CARD_AGENT_URL to match."
                )
            )
        else:
            self.stdout.write(
                f"Card agent (NHI card reader stand-in) on port {agent_port}; insert a card "
                "with: .venv/bin/healthbank cardagent insert A123456789"
            )
        worker = start_worker()
        self.stdout.write(f"Background worker (record packages): process {worker.pid}")
        self.stdout.write(f"Demo mailbox (mail the demo sent): {site}/dev/mailbox/")
        self.stdout.write(f"Demonstration agency (NHI-card identity): {site}/demo/income-query/")
        self.stdout.write(
            f"Staff pages: {site}/staff/ (user {username!r}, or {DEMO_APPROVER[0]!r} for the "
            f"second pair of eyes, password {password!r} unless you made your own, then the "
            "second factor's code, above)"
        )
        if unit_login:
            self.stdout.write(
                f"Insured-unit pages: {site}/units/ (unit {unit_login[0]}, password "
                f"{unit_login[1]!r})\n"
            )
        call_command("runserver", f"{host}:{port}", use_reloader=False)
