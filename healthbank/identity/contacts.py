"""Where NHIA e-mails a person: their online-service account's e-mail and backup e-mail,
and the e-mail of their master data, at most two, without repeats."""

from __future__ import annotations

from healthbank.identity.models import Account
from healthbank.people.models import Person


def mail_recipients(person: Person) -> list[str]:
    account = Account.objects.filter(person=person).first()
    addresses = [account.email, account.backup_email] if account else []
    return [a for a in dict.fromkeys([*addresses, person.email]) if a][:2]
