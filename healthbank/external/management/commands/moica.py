from cryptography import x509
from django.core.management.base import BaseCommand, CommandError

from healthbank.external import cardreader, moica
from healthbank.people.models import Person


class Command(BaseCommand):
    help = (
        "The local test certificate authority (MOICA stand-in): `moica issue A123456789 --pin "
        "123456` gives that person a citizen certificate card; `moica revoke A123456789` "
        "puts their certificate on the revocation list."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["issue", "revoke"])
        parser.add_argument("national_id")
        parser.add_argument("--pin", default="123456", help="PIN of the new card (issue)")

    def handle(self, *args, action, national_id, pin, **options):
        national_id = national_id.strip().upper()
        if action == "issue":
            person = Person.objects.filter(national_id=national_id).first()
            if person is None:
                raise CommandError("No insured person has this national ID.")
            moica.issue_certificate(national_id=national_id, name=person.name, pin=pin)
            self.stdout.write(
                "Certificate card issued; insert it with `cardagent insert --certificate`."
            )
            return
        try:
            pem = cardreader.certificate_pem(national_id)
        except cardreader.CardError:
            raise CommandError("This person has no certificate card.") from None
        moica.revoke(x509.load_pem_x509_certificate(pem.encode()).serial_number)
        self.stdout.write("Certificate revoked.")
