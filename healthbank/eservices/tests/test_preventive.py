"""顯示最近一次成人預防保健健檢日期資訊: the same dates as the portal's reminders."""

from __future__ import annotations

import pytest
from django.utils import timezone

from healthbank.core.rocdate import to_roc
from healthbank.people.models import Person
from healthbank.records.selectors.labs import preventive_checks
from healthbank.records.selectors.reminders import reminders_for
from tests.fixtures.personas import CHEN, LIN_SON

pytestmark = pytest.mark.django_db

URL = "/eservice/services/preventive/"


def test_the_latest_check_and_the_next_are_the_portals(signed_in):
    page = signed_in(CHEN).get(URL).content.decode()
    person = Person.objects.get(national_id=CHEN)
    latest = preventive_checks(person)[0]
    due = next(
        r.start for r in reminders_for(person, timezone.localdate()) if r.kind == "preventive_check"
    )
    assert to_roc(latest.checked_on) in page and to_roc(due) in page
    assert "下次檢查時間" in page


def test_a_child_is_told_the_check_starts_at_30(signed_in):
    page = signed_in(LIN_SON, "en").get(URL).content.decode()
    assert "No adult preventive check is on record for you." in page
    assert "The adult preventive check starts at 30." in page
