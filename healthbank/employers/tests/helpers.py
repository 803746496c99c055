"""Data and helpers of the insured units' tests (fixtures are in conftest.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.test import Client

from healthbank.core.rocdate import to_roc
from healthbank.people.models import InsuredUnit

TODAY = dt.date(2026, 11, 23)
PASSWORD = "unit-Passw0rd!"  # noqa: S105 (a test unit's password)

# The personas (healthbank/synth/personas.py): 陳志明, his wife (his dependant), and two
# others of his unit; 黃冠宇 works for another unit.
CHEN_ID, WIFE_ID, LIN_ID, WANG_ID = "A123456789", "A223456781", "F223456786", "F123456784"
HUANG_ID = "B123456780"
NOBODY_ID = "A100000001"  # passes the check digit; nobody has it


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def file_name(unit: InsuredUnit, day: dt.date = TODAY) -> str:
    """The name the unit must give today's file: 0000003881151123.csv."""
    return f"{unit.code}{to_roc(day, sep='')}.csv"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    """A file as Excel writes it: CRLF after every line."""
    return "".join(line + "\r\n" for line in lines).encode(encoding)
