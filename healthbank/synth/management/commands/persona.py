"""`healthbank persona [ID] [--all]`: what registering and signing in as a demo persona asks
for (card, household number, registered address, contact), read from this database."""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db.utils import DatabaseError

from healthbank.core.rocdate import to_roc
from healthbank.external.models import MobileSubscription
from healthbank.identity.models import Account
from healthbank.synth.selectors import PERSONAS, NotAPersona, PersonaSheet, persona_sheets


def _width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _account_state(sheet: PersonaSheet) -> str:
    account = sheet.account
    if account is None or not sheet.registered:
        return "not registered (未註冊)"
    if account.is_locked:
        return "locked after wrong passwords (已鎖定): reset it at /register/ (忘記密碼)"
    states: dict[str, str] = {
        Account.Status.PENDING: "applied, awaiting e-mail confirmation (待確認): see /dev/mailbox/",
        Account.Status.ACTIVE: "registered (已註冊)",
        Account.Status.SUSPENDED: "suspended by NHIA (已停用): staff reinstate it",
    }
    return states[account.status]


def _sign_ins(sheet: PersonaSheet) -> list[str]:
    """Which sign-ins work now, and what each asks for."""
    account = sheet.account
    if account is None or not sheet.registered:
        lines = [
            "none with a password yet: register at /register/ (首次登入請先申請) after "
            f"`healthbank cardagent insert {sheet.persona.national_id}`"
        ]
    elif account.status != Account.Status.ACTIVE or account.is_locked:
        lines = ["none with a password until the account is usable (see Online services)"]
    else:
        lines = ["健保卡 NHI card: insert the card, 讀取, then the password"]
        lines.append(
            "一般登入 ID + card number + password"
            + ("" if account.card_verified_at else ": after one card sign-in")
        )
    if sheet.certificate_pin:
        lines.append(
            f"自然人憑證 citizen certificate, PIN {sheet.certificate_pin}: /login/ and "
            f"/eservice/ (`healthbank cardagent insert --certificate "
            f"{sheet.persona.national_id}`)"
        )
    for mobile in sheet.mobiles:
        if mobile.plan == MobileSubscription.Plan.MONTHLY:
            lines.append(f"行動電話認證 in the app with {mobile.number} (monthly plan)")
        else:
            lines.append(
                f"行動電話認證 refused for {mobile.number} ({mobile.get_plan_display()}): "
                "use a device code"
            )
    return lines


def _card(sheet: PersonaSheet) -> list[tuple[str, str]]:
    person, household = sheet.person, sheet.household
    village = household.village
    township = village.township
    return [
        ("Name 姓名", person.name),
        ("National ID 身分證號", person.national_id),
        (
            "Birth date 出生日期",
            f"{person.birth_date.isoformat()} (民國 {to_roc(person.birth_date)})",
        ),
        ("Sex 性別", {"M": "M 男", "F": "F 女"}[person.sex]),
        ("NHI card number 健保卡號", sheet.card_number),
        ("Household number 戶號", household.number),
        ("County or city 縣市", f"{township.county.name_zh} ({township.county.name_en})"),
        ("Township or district 鄉鎮市區", f"{township.name_zh} ({township.name_en})"),
        ("Village 村里", f"{village.name_zh} ({village.name_en})"),
        ("Neighbourhood 鄰", str(household.neighbourhood)),
        ("Street address 街路門牌", household.street_address),
        ("Registered address 戶籍地址", household.address),
        ("E-mail", person.email or "none on file (choose one when registering)"),
        ("Mobile 行動電話", person.mobile or "none on file"),
        ("Virtual NHI card 虛擬健保卡", "approved" if sheet.virtual_card else "none"),
        ("Online services 網路服務", _account_state(sheet)),
        ("Who 說明", sheet.persona.story),
    ]


class Command(BaseCommand):
    help = (
        "Print what registering and signing in as a demo persona asks for: card, household "
        "number, registered address, and which sign-ins work. Without an ID, all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("national_id", nargs="?", help="a persona's national ID")
        parser.add_argument("--all", action="store_true", help="a table of all the personas")

    def handle(self, *args, national_id, all, **options):
        wanted = None if all or not national_id else [national_id.strip().upper()]
        try:
            sheets = persona_sheets(wanted)
        except NotAPersona as exc:
            if str(exc) in PERSONAS:
                raise CommandError(
                    f"{exc} is a persona but not in this database: seed it first "
                    "(`healthbank seed` or `healthbank demo`)."
                ) from None
            raise CommandError(
                f"{exc} is not a demo persona. The personas are: {', '.join(PERSONAS)}."
            ) from None
        except DatabaseError:
            raise CommandError("No database to read: run `healthbank demo` first.") from None
        if wanted is None:
            self._table(sheets)
        else:
            self._sheet(sheets[0])

    def _sheet(self, sheet: PersonaSheet) -> None:
        rows = _card(sheet)
        width = max(_width(label) for label, _ in rows) + 2
        for label, value in rows:
            self.stdout.write(label + " " * (width - _width(label)) + value)
        self.stdout.write("Sign-ins 登入方式:")
        for line in _sign_ins(sheet):
            self.stdout.write(f"  - {line}")

    def _table(self, sheets: list[PersonaSheet]) -> None:
        self.stdout.write(
            "national ID | NHI card no. | name | household no. | registered address | online"
        )
        for sheet in sheets:
            self.stdout.write(
                " | ".join(
                    (
                        sheet.person.national_id,
                        sheet.card_number,
                        sheet.person.name,
                        sheet.household.number,
                        sheet.household.address,
                        "registered" if sheet.registered else "not registered",
                    )
                )
            )
        self.stdout.write("`healthbank persona ID` prints one persona's card in full.")
