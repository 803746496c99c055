"""services.py: filing checks the rules; approval changes the enrolment (the person's and
their dependants') and the bills, audits and notifies in one transaction; rejection changes
nothing but the application; a decided application is not decided again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from healthbank.audit.models import AuditEvent
from healthbank.billing.models import Notice
from healthbank.identity.review import ReviewRefused, ReviewStatus
from healthbank.people.models import Enrolment, Person, PremiumBill, PremiumPayment
from healthbank.people.premiums import REGIONAL_PREMIUM
from healthbank.township import closing, services
from healthbank.township.rules import Kind, Refused
from healthbank.township.tests.helpers import (
    CHILDREN,
    HUANG,
    NOW,
    TODAY,
    at,
    current,
    file,
    office_of,
)


def bills(person, since=dt.date(2026, 1, 1)):
    return dict(
        PremiumBill.objects.filter(person=person, month__gte=since).values_list("month", "amount")
    )


def snapshot(person):
    return (
        list(Enrolment.objects.filter(person=person).order_by("pk").values()),
        list(PremiumBill.objects.filter(person=person).order_by("pk").values()),
    )


def test_filing_a_suspension_stores_it_pending_and_audits(zhang):
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    assert app.status == ReviewStatus.PENDING
    assert app.unit == office_of(zhang)
    assert AuditEvent.objects.filter(person=zhang, action="application.filed").count() == 1


def test_filing_refuses_what_the_rules_refuse_and_writes_nothing(zhang, people):
    with pytest.raises(services.InvalidApplication) as invalid:
        file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 1, 1))
    assert set(invalid.value.errors) == {"expected_return"}
    with pytest.raises(Refused) as refused:
        file(zhang, Kind.RESUME, TODAY)
    assert refused.value.code == "not_suspended"
    with pytest.raises(Refused) as refused:
        file(people[HUANG], Kind.SUSPEND, dt.date(2026, 12, 20))
    assert refused.value.code == "not_here"
    assert not zhang.township_applications.exists()


def test_a_second_application_waits_for_the_first(zhang):
    file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    with pytest.raises(Refused) as refused:
        file(zhang, Kind.TRANSFER_OUT, TODAY, transfer_reason="other_insurer")
    assert refused.value.code == "pending"


def test_approving_a_suspension_suspends_from_the_departure_and_stops_the_bills(
    zhang, reviewer, django_capture_on_commit_callbacks
):
    # A bill already issued for the departure month (as if billed early) is withdrawn.
    row = current(zhang)
    PremiumBill.objects.create(
        person=zhang,
        unit=row.unit,
        month=dt.date(2026, 12, 1),
        category=6,
        insured_amount=0,
        dependants=0,
        amount=REGIONAL_PREMIUM,
        due_date=dt.date(2027, 1, 31),
    )
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.approve(application=app, staff_user=reviewer, now=NOW)

    row.refresh_from_db()
    # Covered until the departure: still active, its end and reason say what is coming.
    assert (row.end_date, row.status, row.end_reason) == (
        dt.date(2026, 12, 19),
        Enrolment.Status.ACTIVE,
        Enrolment.EndReason.ABROAD,
    )
    app.refresh_from_db()
    assert app.status == ReviewStatus.APPROVED and app.decided_by == reviewer
    assert list(app.ended.all()) == [row]
    assert app.bills_removed == ["2026-12-01"]
    assert dt.date(2026, 12, 1) not in bills(zhang)
    assert bills(zhang)[dt.date(2026, 10, 1)] == REGIONAL_PREMIUM  # earlier months stay
    event = AuditEvent.objects.get(person=zhang, action="enrolment.changed")
    assert (event.actor, event.actor_id) == (AuditEvent.Actor.STAFF, reviewer.pk)
    notice = Notice.objects.get(person=zhang, kind=Notice.Kind.ENROLMENT)
    assert notice.facts["kind"] == "suspend" and notice.facts["bills_removed"] == ["2026-12-01"]
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert DBTaskResult.objects.filter(task_path__endswith="mail_decision").count() == 1
    [closer] = DBTaskResult.objects.filter(task_path__endswith="close_periods")
    assert timezone.localtime(closer.run_after) == at(dt.date(2026, 12, 20), 0)

    # The worker closes the period on the departure day, not before.
    assert closing.close_due_periods(application_id=app.pk, today=dt.date(2026, 12, 19)) == 0
    row.refresh_from_db()
    assert row.status == Enrolment.Status.ACTIVE
    assert closing.close_due_periods(application_id=app.pk, today=dt.date(2026, 12, 20)) == 1
    row.refresh_from_db()
    assert (row.end_date, row.status) == (dt.date(2026, 12, 19), Enrolment.Status.SUSPENDED)


def test_dependants_are_suspended_and_resumed_with_the_insured(lin, reviewer):
    app = file(lin, Kind.SUSPEND, dt.date(2026, 12, 1), expected_return=dt.date(2027, 12, 1))
    services.approve(application=app, staff_user=reviewer, now=NOW)
    children = [Person.objects.get(national_id=n) for n in CHILDREN]
    for child in children:
        row = current(child)
        assert (row.end_date, row.status, row.end_reason) == (
            dt.date(2026, 11, 30),
            "active",
            "abroad",
        )
        assert AuditEvent.objects.filter(person=child, action="enrolment.changed").exists()
    assert app.ended.count() == 3
    closing.close_due_periods(application_id=app.pk, today=dt.date(2026, 12, 1))
    for person in [lin, *children]:
        assert current(person).status == "suspended"

    # A year later they are back; the return month and the next are billed with both children.
    later = at(dt.date(2028, 1, 10))
    back = file(lin, Kind.RESUME, dt.date(2027, 12, 5), now=later)
    services.approve(application=back, staff_user=reviewer, now=later)
    for person in [lin, *children]:
        row = current(person)
        assert (row.start_date, row.status, row.start_reason) == (
            dt.date(2027, 12, 5),
            "active",
            Enrolment.StartReason.RESUMED,
        )
    assert current(children[0]).insured_person == lin
    assert bills(lin, dt.date(2026, 12, 1)) == {dt.date(2027, 12, 1): REGIONAL_PREMIUM * 3}


def test_back_within_six_months_the_suspension_is_cancelled_and_the_months_billed(zhang, reviewer):
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 12, 1), expected_return=dt.date(2027, 6, 1))
    services.approve(application=app, staff_user=reviewer, now=NOW)
    later = at(dt.date(2027, 3, 2))
    back = file(zhang, Kind.RESUME, dt.date(2027, 2, 20), now=later)
    services.approve(application=back, staff_user=reviewer, now=later)

    row = current(zhang)
    assert (row.start_date, row.end_date, row.status, row.end_reason) == (
        dt.date(2025, 5, 16),
        None,
        "active",
        "",
    )
    back.refresh_from_db()
    assert back.suspension_cancelled
    # From the departure month to the last billed one (February, billed in March).
    assert back.bills_added == ["2026-12-01", "2027-01-01", "2027-02-01"]
    assert bills(zhang, dt.date(2026, 12, 1)) == {
        dt.date(2026, 12, 1): REGIONAL_PREMIUM,
        dt.date(2027, 1, 1): REGIONAL_PREMIUM,
        dt.date(2027, 2, 1): REGIONAL_PREMIUM,
    }


def test_a_transfer_to_another_insurer_ends_the_period_and_withdraws_unpaid_bills(zhang, reviewer):
    PremiumPayment.objects.filter(person=zhang, bill__month=dt.date(2026, 10, 1)).delete()
    app = file(zhang, Kind.TRANSFER_OUT, dt.date(2026, 10, 15), transfer_reason="other_insurer")
    services.approve(application=app, staff_user=reviewer, now=NOW)
    row = current(zhang)
    assert (row.end_date, row.status, row.end_reason) == (
        dt.date(2026, 10, 14),
        "withdrawn",
        "transfer_out",
    )
    assert dt.date(2026, 10, 1) not in bills(zhang)
    assert dt.date(2026, 9, 1) in bills(zhang)


def test_enrolling_after_the_last_cover_ended_starts_a_period_and_bills_its_months(zhang, reviewer):
    row = current(zhang)
    Enrolment.objects.filter(pk=row.pk).update(
        end_date=dt.date(2026, 9, 30), status="withdrawn", end_reason="left"
    )
    PremiumBill.objects.filter(person=zhang, month__gte=dt.date(2026, 10, 1)).delete()
    app = file(zhang, Kind.ENROL, dt.date(2026, 10, 1))
    services.approve(application=app, staff_user=reviewer, now=NOW)
    new = current(zhang)
    assert (new.start_date, new.unit, new.category, new.start_reason, new.status) == (
        dt.date(2026, 10, 1),
        office_of(zhang),
        6,
        Enrolment.StartReason.TRANSFER_IN,
        "active",
    )
    assert bills(zhang, dt.date(2026, 10, 1)) == {dt.date(2026, 10, 1): REGIONAL_PREMIUM}


def test_rejecting_changes_nothing_but_the_application(
    zhang, reviewer, django_capture_on_commit_callbacks
):
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    before = snapshot(zhang)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(application=app, staff_user=reviewer, reason="日期與入出境紀錄不符")
    assert snapshot(zhang) == before
    app.refresh_from_db()
    assert (app.status, app.rejection_reason) == ("rejected", "日期與入出境紀錄不符")
    assert not AuditEvent.objects.filter(person=zhang, action="enrolment.changed").exists()
    assert DBTaskResult.objects.filter(task_path__endswith="mail_decision").count() == 1


def test_a_decided_application_is_not_decided_again(zhang, reviewer):
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    services.approve(application=app, staff_user=reviewer, now=NOW)
    after = snapshot(zhang)
    for decide in (
        lambda: services.approve(application=app, staff_user=reviewer, now=NOW),
        lambda: services.reject(application=app, staff_user=reviewer, reason="x"),
    ):
        with pytest.raises(ReviewRefused) as refused:
            decide()
        assert refused.value.code == "not_open"
    assert snapshot(zhang) == after


def test_an_application_the_cover_no_longer_fits_is_refused_and_rolled_back(zhang, reviewer):
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    Enrolment.objects.filter(pk=current(zhang).pk).update(
        end_date=dt.date(2026, 11, 1), status="withdrawn"
    )
    before = snapshot(zhang)
    with pytest.raises(Refused) as refused:
        services.approve(application=app, staff_user=reviewer, now=NOW)
    assert refused.value.code == "not_insured"
    app.refresh_from_db()
    assert app.status == ReviewStatus.PENDING
    assert snapshot(zhang) == before


# --- approval checks what filing checked, as on the filing day -------------------------------


def _october_unpaid(zhang):
    PremiumPayment.objects.filter(person=zhang, bill__month=dt.date(2026, 10, 1)).delete()
    return PremiumBill.objects.get(person=zhang, month=dt.date(2026, 10, 1))


def _message(refused, language):
    from django.utils import translation

    with translation.override(language):
        return refused.message


def test_a_month_paid_since_filing_refuses_the_approval_and_changes_nothing(zhang, reviewer):
    bill = _october_unpaid(zhang)
    app = file(zhang, Kind.TRANSFER_OUT, dt.date(2026, 10, 15), transfer_reason="other_insurer")
    PremiumPayment.objects.create(  # a store slip, paid while the application waited
        person=zhang, bill=bill, paid_on=TODAY, amount=bill.amount, method="store"
    )
    before = snapshot(zhang)
    with pytest.raises(Refused) as refused:
        services.approve(application=app, staff_user=reviewer, now=NOW)
    assert refused.value.code == "settled_since"
    assert "115/10" in _message(refused.value, "zh-hant")
    assert "2026-10" in _message(refused.value, "en")
    assert "no longer owed" in _message(refused.value, "en")
    app.refresh_from_db()
    assert app.status == ReviewStatus.PENDING and app.decided_by is None
    assert snapshot(zhang) == before


def test_a_bill_waiting_in_a_direct_debit_is_never_withdrawn(
    zhang, reviewer, django_capture_on_commit_callbacks
):
    from healthbank.billing import services as billing
    from healthbank.billing.models import DebitedBill

    bill = _october_unpaid(zhang)
    app = file(zhang, Kind.TRANSFER_OUT, dt.date(2026, 10, 15), transfer_reason="other_insurer")
    with django_capture_on_commit_callbacks(execute=False):  # the bank has not answered yet
        debit = billing.request_debit(
            person=zhang, bill_ids=[bill.pk], bank_code="004", account_number="1234567890"
        )
    before = snapshot(zhang)
    with pytest.raises(Refused) as refused:
        services.approve(application=app, staff_user=reviewer, now=NOW)
    assert refused.value.code == "settled_since"
    assert snapshot(zhang) == before
    assert DebitedBill.objects.filter(debit=debit, bill=bill, pending=True).exists()
    # Filing such a transfer now is refused at once, the debit named.
    app.status = ReviewStatus.REJECTED
    app.save()
    with pytest.raises(services.InvalidApplication) as invalid:
        file(zhang, Kind.TRANSFER_OUT, dt.date(2026, 10, 15), transfer_reason="other_insurer")
    assert (
        "direct debit" in invalid.value.errors["effective_date"]
        or "轉帳" in (invalid.value.errors["effective_date"])
    )


def test_a_suspension_s_departure_month_paid_since_filing_refuses_the_approval(zhang, reviewer):
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 12, 20), expected_return=dt.date(2027, 8, 1))
    row = current(zhang)
    bill = PremiumBill.objects.create(
        person=zhang,
        unit=row.unit,
        month=dt.date(2026, 12, 1),
        category=6,
        insured_amount=0,
        dependants=0,
        amount=REGIONAL_PREMIUM,
        due_date=dt.date(2027, 1, 31),
    )
    PremiumPayment.objects.create(
        person=zhang, bill=bill, paid_on=TODAY, amount=bill.amount, method="store"
    )
    before = snapshot(zhang)
    with pytest.raises(Refused) as refused:
        services.approve(application=app, staff_user=reviewer, now=NOW)
    assert refused.value.code == "settled_since"
    assert snapshot(zhang) == before


def test_dates_are_checked_again_as_on_the_filing_day(zhang, reviewer):
    from healthbank.township.models import TownshipApplication

    # Filed (by whatever way) after the departure: 停保 is filed before leaving.
    late = TownshipApplication.objects.create(
        person=zhang,
        kind=Kind.SUSPEND,
        unit=current(zhang).unit,
        effective_date=dt.date(2026, 11, 10),
        expected_return=dt.date(2027, 8, 1),
        submitted_at=NOW,
    )
    before = snapshot(zhang)
    with pytest.raises(Refused) as refused:
        services.approve(application=late, staff_user=reviewer, now=NOW)
    assert refused.value.code == "dates_as_filed"
    zh, en = _message(refused.value, "zh-hant"), _message(refused.value, "en")
    assert "115/11/23" in zh and "2026-11-23" in en and "before you leave" in en
    late.refresh_from_db()
    assert late.status == ReviewStatus.PENDING
    assert snapshot(zhang) == before


def test_a_suspension_filed_in_time_is_approved_after_the_departure(zhang, reviewer):
    """The rule is to file before leaving: a timely filing decided late still counts."""
    app = file(zhang, Kind.SUSPEND, dt.date(2026, 11, 25), expected_return=dt.date(2027, 8, 1))
    services.approve(application=app, staff_user=reviewer, now=at(dt.date(2026, 12, 2)))
    assert current(zhang).end_date == dt.date(2026, 11, 24)


# --- a change dated ahead: covered until the day ---------------------------------------------


def test_a_transfer_dated_ahead_keeps_the_cover_until_the_day_and_refuses_other_filings(
    zhang, reviewer
):
    from healthbank.township import selectors

    app = file(zhang, Kind.TRANSFER_OUT, dt.date(2026, 12, 10), transfer_reason="other_insurer")
    services.approve(application=app, staff_user=reviewer, now=NOW)
    row = current(zhang)
    assert (row.status, row.end_date, row.end_reason) == (
        "active",
        dt.date(2026, 12, 9),
        "transfer_out",
    )
    standing = selectors.standing(zhang, TODAY)
    assert standing.in_force and not standing.suspended and standing.ending
    with pytest.raises(Refused) as refused:
        file(zhang, Kind.SUSPEND, dt.date(2026, 12, 1), expected_return=dt.date(2027, 8, 1))
    assert refused.value.code == "ending"
    assert closing.close_due_periods(application_id=app.pk, today=dt.date(2026, 12, 10)) == 1
    assert current(zhang).status == "withdrawn"
    assert not selectors.standing(zhang, dt.date(2026, 12, 10)).in_force


def test_a_change_dated_in_the_past_takes_its_status_at_once(zhang, reviewer):
    PremiumPayment.objects.filter(person=zhang, bill__month=dt.date(2026, 11, 1)).delete()
    app = file(zhang, Kind.TRANSFER_OUT, dt.date(2026, 11, 10), transfer_reason="other_insurer")
    services.approve(application=app, staff_user=reviewer, now=NOW)
    assert current(zhang).status == "withdrawn"
