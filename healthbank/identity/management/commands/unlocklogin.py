"""`healthbank unlocklogin NAME`: unlock a staff or insured-unit sign-in that wrong
passwords or codes locked, for when no administrator can sign in to unlock it at
/staff/identity/loginlockout/ (the last administrator locked themselves out)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from healthbank.identity import lockout, second_factor


class Command(BaseCommand):
    help = "Unlock a locked staff sign-in (user name) or insured-unit sign-in (unit-CODE)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a staff user name, or unit-<unit code>")
        parser.add_argument(
            "--reset-second-factor",
            action="store_true",
            help="also remove the staff member's authenticator and recovery codes (a lost "
            "phone): the next sign-in enrols a new one",
        )

    def handle(self, *args, username, reset_second_factor, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No sign-in is called {username!r}.")
        if lockout.unlock(user=user, staff_id=None):
            self.stdout.write(f"{username} is unlocked.")
        else:
            self.stdout.write(f"{username} was not locked.")
        if reset_second_factor:
            second_factor.reset(user=user, staff_id=None)
            self.stdout.write(f"{username} enrols a new authenticator at the next sign-in.")
