import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthbank.settings")
django_application = get_wsgi_application()

from healthbank.vcard.fastpath import FastVerify  # noqa: E402 - needs Django set up

# A clinic's QR verification, the card's hot path, skips Django's request cycle when it
# succeeds on PostgreSQL (vcard/fastpath.py); everything else is Django.
application = FastVerify(django_application)
