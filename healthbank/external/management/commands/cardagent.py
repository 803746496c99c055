from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from healthbank.core.typed import is_ascii_digits
from healthbank.external import cardagent, cardreader


class Command(BaseCommand):
    help = (
        "The card agent (NHI card reader component stand-in). "
        "`cardagent serve` runs it; `cardagent insert A123456789` puts that person's NHI card "
        "in the reader (`--certificate` their citizen certificate card); `cardagent eject`."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["serve", "insert", "eject", "status"])
        parser.add_argument("who", nargs="?", help="national ID or card number (insert)")
        parser.add_argument("--certificate", action="store_true", help="the certificate card")
        parser.add_argument("--port", type=int, default=urlsplit(settings.CARD_AGENT_URL).port)
        parser.add_argument(
            "--allow-origin",
            action="append",
            default=None,
            help="a site origin allowed to use the cards (repeatable); default SITE_URL",
        )

    def handle(self, *args, action, who, certificate, port, allow_origin, **options):
        if action == "serve":
            origins = allow_origin or [settings.SITE_URL]
            server = cardagent.make_server("127.0.0.1", port, origins)
            self.stdout.write(f"Card agent on http://127.0.0.1:{port}/ for {', '.join(origins)}")
            server.serve_forever()
        elif action == "insert":
            self._insert(who, certificate)
        elif action == "eject":
            cardreader.eject("certificate" if certificate else "nhi")
            self.stdout.write("Card ejected.")
        else:
            self.stdout.write(str(cardreader.inserted() or "No card inserted."))

    def _insert(self, who: str | None, certificate: bool) -> None:
        if not who:
            raise CommandError("Say whose card: a national ID or a card number.")
        who = who.strip().upper()
        try:
            if certificate:
                cardreader.insert(certificate_of=who)
            else:
                number = who if is_ascii_digits(who) else cardreader.card_number_for(who)
                if number is None:
                    raise cardreader.CardError("no_card", "")
                cardreader.insert(card_number=number)
        except cardreader.CardError:
            kind = "citizen certificate" if certificate else "NHI card"
            raise CommandError(
                f"No {kind} for {who} in {cardreader.reader_dir()} (seed the database first)."
            ) from None
        self.stdout.write("Card inserted.")
