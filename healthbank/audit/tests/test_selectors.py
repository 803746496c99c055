"""Reading a person's audit trail: the previous sign-in the home page shows (上次登入)."""

from __future__ import annotations

import pytest
from django.db import connection

from healthbank.audit.models import AuditEvent
from healthbank.audit.selectors import logins, previous_login
from healthbank.audit.services import Action, record
from healthbank.people.identifiers import check_digit
from healthbank.people.models import Person, Sex

NATIONAL_ID = "A20000001" + check_digit("A20000001")


@pytest.fixture
def person(db) -> Person:
    return Person.objects.create(
        national_id=NATIONAL_ID, name="王小明", sex=Sex.FEMALE, birth_date="1980-02-03"
    )


def _sign_in_then_read(person: Person, pages: int) -> None:
    record(action=Action.LOGIN, person=person, method=AuditEvent.Method.PASSWORD)
    for _ in range(pages):
        record(action=Action.RECORDS_READ, person=person, page="home")


def test_previous_login_is_the_one_before_this_one_whatever_was_read_since(person):
    _sign_in_then_read(person, pages=3)
    record(action=Action.LOGIN_FAILED, person=person, success=False)
    _sign_in_then_read(person, pages=2)
    earlier = AuditEvent.objects.filter(person=person, action=Action.LOGIN).order_by("at", "id")

    assert previous_login(person) == earlier.first()


def test_no_previous_login_on_the_first_sign_in(person):
    _sign_in_then_read(person, pages=2)

    assert previous_login(person) is None


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the query plan is PostgreSQL's EXPLAIN"
)
def test_previous_login_reads_sign_ins_only_not_every_page_read(person):
    """Every page view adds an audit row; the home page's read of the last sign-in must not
    pass over them (it would cost one more row per page the person ever opened)."""
    for _ in range(3):
        _sign_in_then_read(person, pages=200)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
    plan = logins(person)[1:2].explain(analyze=True)

    assert "login_by_person" in plan
    assert "Rows Removed by Filter" not in plan
