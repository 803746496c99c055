"""rules.py: who may file which kind today, and which dates each kind allows; every refusal
with its message (in English here; test_views checks the Chinese)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from healthbank.people.models import Enrolment, InsuredUnit
from healthbank.township import rules
from healthbank.township.rules import Kind, Refused, Standing

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def office(name="新北市板橋區公所") -> InsuredUnit:
    return InsuredUnit(code="000000001", name=name, kind=InsuredUnit.Kind.OFFICE)


def enrolment(**changes) -> Enrolment:
    fields = {
        "role": Enrolment.Role.INSURED,
        "relation": Enrolment.Relation.SELF,
        "unit": office(),
        "category": 6,
        "insured_amount": 0,
        "start_date": dt.date(2025, 5, 16),
        "end_date": None,
        "status": Enrolment.Status.ACTIVE,
    } | changes
    return Enrolment(**fields)


def standing(latest=None, **changes) -> Standing:
    fields = {
        "today": TODAY,
        "latest": latest,
        "home_office": office(),
        "has_household": True,
    } | changes
    return Standing(**fields)


def message(kind, s) -> str:
    refused = rules.refusal(kind, s)
    assert isinstance(refused, Refused)
    return refused.message


def test_a_category_6_insured_person_of_an_office_may_transfer_out_and_suspend_only():
    s = standing(enrolment())
    assert rules.refusal(Kind.TRANSFER_OUT, s) is None
    assert rules.refusal(Kind.SUSPEND, s) is None
    assert message(Kind.RESUME, s) == "Your cover is not suspended, so there is nothing to resume."
    assert message(Kind.ENROL, s).startswith("You are insured now (新北市板橋區公所)")


def test_an_open_application_blocks_every_other():
    s = standing(enrolment(), pending=True)
    for kind in Kind:
        assert message(kind, s).startswith("You have an application under review.")


def test_someone_without_cover_may_only_enrol():
    s = standing(enrolment(end_date=dt.date(2026, 10, 31), status="withdrawn"))
    assert rules.refusal(Kind.ENROL, s) is None
    for kind in (Kind.SUSPEND, Kind.RESUME, Kind.TRANSFER_OUT):
        assert message(kind, s).startswith("You have no cover now.")
    assert rules.refusal(Kind.ENROL, standing(None)) is None


def test_enrolling_needs_a_household_and_its_township_office():
    assert message(Kind.ENROL, standing(None, has_household=False)).startswith(
        "Township office enrolment needs a registered household"
    )
    assert message(Kind.ENROL, standing(None, home_office=None)).startswith(
        "We find no township office for your registered address."
    )


def test_people_insured_through_an_employer_or_as_dependants_apply_elsewhere():
    employer = InsuredUnit(name="好公司", kind=InsuredUnit.Kind.EMPLOYER)
    s = standing(enrolment(unit=employer, category=1))
    assert message(Kind.SUSPEND, s).startswith(
        "Only category 6 insured people of a township office apply here; you are insured "
        "through 好公司"
    )
    from healthbank.people.models import Person

    dependant = enrolment(role="dependant", insured_person=Person(name="林雅婷"))
    assert message(Kind.TRANSFER_OUT, standing(dependant)) == (
        "You are insured as a dependant of 林雅婷, who files changes for you both."
    )


def test_a_suspended_person_may_only_resume():
    s = standing(enrolment(end_date=dt.date(2026, 3, 31), status="suspended", end_reason="abroad"))
    assert rules.refusal(Kind.RESUME, s) is None
    assert message(Kind.SUSPEND, s) == (
        "Your cover is suspended since 2026-04-01. Apply to resume it when you are back."
    )
    assert message(Kind.ENROL, s).startswith("Your cover is suspended since 2026-04-01.")


def test_suspending_again_waits_three_months_after_resuming():
    s = standing(enrolment(start_date=dt.date(2026, 9, 1), start_reason="resumed"))
    assert message(Kind.SUSPEND, s) == (
        "You resumed your cover on 2026-09-01. You may suspend it again from 2026-12-01 "
        "(three months after resuming)."
    )
    later = standing(enrolment(start_date=dt.date(2026, 8, 23), start_reason="resumed"))
    assert rules.refusal(Kind.SUSPEND, later) is None


# --- dates ----------------------------------------------------------------------------------


def errors(kind, s=None, **dates):
    return rules.date_errors(kind, s or standing(enrolment()), **dates)


def test_a_suspension_starts_on_a_departure_from_today_to_90_days_ahead():
    back = dt.date(2027, 6, 1)
    assert errors(Kind.SUSPEND, effective=TODAY, expected_return=back) == {}
    assert errors(Kind.SUSPEND, effective=TODAY - dt.timedelta(days=1), expected_return=back) == {
        "effective_date": "Suspension is filed before you leave: enter a departure date from "
        "today (2026-11-23) on."
    }
    far = TODAY + dt.timedelta(days=91)
    assert errors(Kind.SUSPEND, effective=far, expected_return=dt.date(2028, 1, 1)) == {
        "effective_date": "This date is too far ahead: enter a date no later than 2027-02-21."
    }


def test_a_suspension_is_for_six_months_abroad_or_more():
    departure = dt.date(2026, 12, 20)
    assert errors(Kind.SUSPEND, effective=departure, expected_return=dt.date(2027, 6, 20)) == {}
    assert errors(Kind.SUSPEND, effective=departure, expected_return=dt.date(2027, 6, 19)) == {
        "expected_return": "Suspension is for stays abroad of six months or more: the return "
        "date must be 2027-06-20 or later."
    }


def test_a_resumption_runs_from_a_return_after_the_departure_and_not_in_the_future():
    s = standing(enrolment(end_date=dt.date(2026, 3, 31), status="suspended"))
    assert errors(Kind.RESUME, s, effective=dt.date(2026, 11, 1)) == {}
    assert errors(Kind.RESUME, s, effective=TODAY + dt.timedelta(days=1)) == {
        "effective_date": "This date is in the future. Enter the day it happened (today or "
        "earlier)."
    }
    assert errors(Kind.RESUME, s, effective=dt.date(2026, 3, 31)) == {
        "effective_date": "The return date must be after your departure on 2026-04-01."
    }


def test_enrolment_and_transfer_dates_stay_within_a_month_back_and_30_days_ahead():
    gone = standing(enrolment(end_date=dt.date(2026, 10, 14), status="withdrawn"))
    assert errors(Kind.ENROL, gone, effective=dt.date(2026, 10, 15)) == {}
    assert errors(Kind.ENROL, gone, effective=dt.date(2026, 10, 14)) == {
        "effective_date": "This date is before your last cover ended (2026-10-14)."
    }
    assert errors(Kind.ENROL, gone, effective=dt.date(2026, 9, 30)) == {
        "effective_date": "This date is too far back: enter a date from 2026-10-01 on, or go to "
        "your township office's counter."
    }
    assert errors(Kind.TRANSFER_OUT, effective=dt.date(2026, 12, 24)) == {
        "effective_date": "This date is too far ahead: enter a date no later than 2026-12-23."
    }
    recent = standing(enrolment(start_date=dt.date(2026, 11, 1)))
    assert errors(Kind.TRANSFER_OUT, recent, effective=dt.date(2026, 11, 1)) == {
        "effective_date": "This date is before your current cover began (2026-11-01)."
    }


def test_a_transfer_cannot_reach_back_into_a_paid_month():
    s = standing(enrolment(), paid_months=frozenset({dt.date(2026, 10, 1)}))
    assert errors(Kind.TRANSFER_OUT, s, effective=dt.date(2026, 11, 1)) == {}
    assert errors(Kind.TRANSFER_OUT, s, effective=dt.date(2026, 10, 20)) == {
        "effective_date": "The premium for 2026-10 is already paid, in an instalment plan or "
        "being paid by a direct debit; choose a date from 2026-11-01 on, or ask your township "
        "office."
    }


def test_back_within_six_months_cancels_the_suspension():
    assert rules.returned_early(dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    assert not rules.returned_early(dt.date(2026, 4, 1), dt.date(2026, 10, 1))
