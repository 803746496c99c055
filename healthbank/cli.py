"""The `healthbank` command: Django's management commands under the project's name."""

import os
import secrets
import sys

# Commands a provider's IT staff run on their own machine: they sign nothing, so they need
# no site secret (the settings refuse to load without one when DEBUG is off).
CLIENT_COMMANDS = {"upload"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthbank.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CLIENT_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
