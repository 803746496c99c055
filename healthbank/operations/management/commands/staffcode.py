"""`healthbank staffcode [USER]`: the current authenticator code of a staff login, for the
demo, where no phone holds its key. DEBUG databases only."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from healthbank.identity.second_factor import current_code
from healthbank.operations.management.commands.demo import DEMO_STAFF


class Command(BaseCommand):
    help = "Print a staff login's current second-factor code (demo, DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default=DEMO_STAFF[0])

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(
                "staffcode is for the demo: run it with DEBUG=1. In production a staff "
                "member's code comes only from their own authenticator app."
            )
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        device = (
            TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
            if user
            else None
        )
        if device is None:
            raise CommandError(
                f"No staff login {username!r} with an authenticator: run `healthbank demo` "
                "first, or sign in once to enrol one."
            )
        now = time.time()
        self.stdout.write(current_code(device, at=now))
        left = device.step - int(now - device.t0) % device.step
        self.stderr.write(f"(valid for about {left} more seconds; each code signs in once)")
