"""The claim migrations on claims filed before them: each gets its own random payment
reference, keeps its account's last four digits, and a paid one loses the whole number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from healthbank.eservices.tests.reimbursement import ACCOUNT
from healthbank.people.models import Person
from tests.fixtures.personas import CHEN

BEFORE = [("eservices", "0002_reimbursement_claims")]
AFTER = [("eservices", "0005_case_notes_500")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_claims_filed_before_get_a_reference_and_only_the_last_digits_once_paid(personas):
    chen = Person.objects.get(national_id=CHEN)
    apps = migrate(BEFORE)
    try:
        Case = apps.get_model("eservices", "Case")
        Claim = apps.get_model("eservices", "ReimbursementClaim")
        now, today = timezone.now(), timezone.localdate()
        claims = []
        for n, paid_at in enumerate((None, now)):
            case = Case.objects.create(
                person_id=chen.pk,
                number=f"115E{n:08d}",
                kind="reimbursement",
                source="online",
                subject="日本",
                applied_on=today,
                status="received",
            )
            claims.append(
                Claim.objects.create(
                    person_id=chen.pk,
                    case=case,
                    care_kind="abroad",
                    place="日本",
                    care_from=today - dt.timedelta(days=3),
                    care_until=today,
                    amount_claimed=1_000,
                    bank_code="004",
                    bank_account=ACCOUNT,
                    paid_at=paid_at,
                ).pk
            )
    finally:
        apps = migrate(AFTER)
    Claim = apps.get_model("eservices", "ReimbursementClaim")
    unpaid, paid = (Claim.objects.get(pk=pk) for pk in claims)
    assert unpaid.payment_reference != paid.payment_reference
    assert all(c.payment_reference.startswith("RB") for c in (unpaid, paid))
    assert (unpaid.bank_account, unpaid.bank_account_last4) == (ACCOUNT, "9012")
    assert (paid.bank_account, paid.bank_account_last4) == ("", "9012")
