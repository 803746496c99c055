"""Writes of fhir/services.py that the pages cannot race on their own: two Allows of one
person at once, and two sign-ups with one e-mail."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from healthbank.fhir import services
from healthbank.fhir.models import Grant
from healthbank.fhir.tests.tokens import listing
from healthbank.people.models import Person, Sex


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite writes one transaction at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_two_allows_at_once_leave_one_open_grant_and_no_error():
    """The second Allow waits for the first (the person's row is locked before the open
    grants are read), then replaces its grant: no IntegrityError on the one-open-grant
    constraint, which a select_for_update over no rows could not prevent."""
    person = Person.objects.create(
        national_id="A123456789", name="陳志明", sex=Sex.MALE, birth_date=dt.date(1966, 5, 4)
    )
    app = listing()
    first_in, answers = threading.Event(), {}

    def allow(name: str, hold: bool) -> None:
        try:
            if not hold:
                first_in.wait(5)
            with transaction.atomic():
                services.grant_access(
                    person=person,
                    listing=app,
                    categories=["labs"],
                    demographics=False,
                    period="1d",
                    scope="launch/patient patient/Observation.rs",
                )
                if hold:  # the first keeps its transaction open while the second starts
                    first_in.set()
                    time.sleep(0.5)
            answers[name] = "allowed"
        except Exception as error:  # noqa: BLE001 - what the person would get as a 500
            answers[name] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=allow, args=("first", True)),
        threading.Thread(target=allow, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert answers == {"first": "allowed", "second": "allowed"}
    assert Grant.objects.filter(person=person, revoked_at__isnull=True).count() == 1
    assert Grant.objects.filter(person=person).count() == 2


@pytest.mark.django_db
def test_a_sign_up_that_lost_a_race_for_its_e_mail_is_told_not_a_500():
    services.sign_up_developer(email="dev@app.example", password="Correct-horse-9")
    with pytest.raises(services.DeveloperExists):
        services.sign_up_developer(email="Dev@App.example", password="Other-horse-9")
