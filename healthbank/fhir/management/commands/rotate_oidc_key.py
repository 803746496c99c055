"""healthbank rotate_oidc_key: a new key signs OpenID Connect id_tokens (fhir/keys.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from healthbank.fhir import keys


class Command(BaseCommand):
    help = (
        "Make a new id_token signing key; the old one stays published at the JWKS for "
        "OIDC_RETIRED_KEY_SECONDS. Restart the web processes afterwards."
    )

    def handle(self, *args, **options):
        if settings.OIDC_RSA_PRIVATE_KEY_FILE:
            raise CommandError(
                "OIDC_RSA_PRIVATE_KEY_FILE names the key: replace that file with a new key and "
                "name the old one in OIDC_RSA_RETIRED_KEY_FILES, then restart."
            )
        published, deleted = keys.rotate(settings.OIDC_KEY_DIR, settings.OIDC_RETIRED_KEY_SECONDS)
        self.stdout.write(
            self.style.SUCCESS(
                f"New signing key in {settings.OIDC_KEY_DIR}; {published} retired key(s) still "
                f"published, {deleted} deleted. Restart the web processes to sign with it."
            )
        )
