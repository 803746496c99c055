"""Filing and deciding township office applications. Approval changes the master data in
the decision's transaction: the person's (and their dependants') enrolment rows, and the
premium bills, which follow the rules' month of change (rules.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy

from healthbank.audit.services import Action, Actor, record
from healthbank.billing.models import Notice
from healthbank.billing.notices import send_notice
from healthbank.core.months import add_months, month_end
from healthbank.core.rocdate import to_roc
from healthbank.identity.review import decide
from healthbank.people.locks import lock_person
from healthbank.people.models import Enrolment, InsuredUnit, Person, PremiumBill
from healthbank.people.premiums import MAX_DEPENDANTS_COUNTED, monthly_premium
from healthbank.township import closing, rules, selectors, tasks
from healthbank.township.models import TownshipApplication
from healthbank.township.rules import Kind, Refused, TransferReason


class InvalidApplication(Exception):
    """Fields the rules refuse: field name -> translated message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


@transaction.atomic
def apply(
    *,
    person: Person,
    kind: str,
    effective_date: dt.date,
    expected_return: dt.date | None = None,
    transfer_reason: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
) -> TownshipApplication:
    """File an application, if the person may file this kind today and its dates fit."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lock_person(person.pk)  # one filing at once
    standing = selectors.standing(person, today)
    if (refused := rules.refusal(kind, standing)) is not None:
        raise refused
    errors = rules.date_errors(
        kind, standing, effective=effective_date, expected_return=expected_return
    )
    new_unit = None
    if kind == Kind.TRANSFER_OUT and transfer_reason == TransferReason.MOVED:
        new_unit = standing.home_office
        if new_unit is None or standing.latest is None or new_unit == standing.latest.unit:
            township = standing.latest.unit.township if standing.latest else None
            errors["transfer_reason"] = rules.date_error("same_township", township=township)
    if errors:
        raise InvalidApplication(errors)
    unit = standing.home_office if kind == Kind.ENROL else standing.latest.unit  # type: ignore[union-attr]
    assert unit is not None  # noqa: S101 - refusal() refused enrolling without an office
    application = TownshipApplication.objects.create(
        person=person,
        kind=kind,
        unit=unit,
        effective_date=effective_date,
        expected_return=expected_return if kind == Kind.SUSPEND else None,
        transfer_reason=transfer_reason if kind == Kind.TRANSFER_OUT else "",
        new_unit=new_unit,
        notes=notes.strip(),
        submitted_at=now,
    )
    record(
        action=Action.APPLICATION_FILED,
        person=person,
        kind=TownshipApplication._meta.label_lower,
        application=application.pk,
    )
    return application


def _last_billed_month(today: dt.date) -> dt.date:
    """Bills are issued for past months (a month is billed in the next)."""
    return add_months(today.replace(day=1), -1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _bill(
    person: Person, unit: InsuredUnit, first: dt.date, today: dt.date, dependants: int
) -> list[str]:
    """Bill the months from `first` to the last billed one that have no bill, by
    people.premiums; returns them as ISO months."""
    have = set(
        PremiumBill.objects.filter(person=person, month__gte=first.replace(day=1)).values_list(
            "month", flat=True
        )
    )
    months = [m for m in _months(first, _last_billed_month(today)) if m not in have]
    PremiumBill.objects.bulk_create(
        PremiumBill(
            person=person,
            unit=unit,
            month=month,
            category=rules.CATEGORY,
            insured_amount=rules.REGIONAL_INSURED_AMOUNT,
            dependants=min(dependants, MAX_DEPENDANTS_COUNTED),
            amount=monthly_premium(rules.CATEGORY, rules.REGIONAL_INSURED_AMOUNT, dependants),
            due_date=month_end(add_months(month, 1)),
        )
        for month in months
    )
    return [month.isoformat() for month in months]


def _unbill(person: Person, first: dt.date) -> list[str]:
    """Delete the unsettled bills of the months from `first` (unpaid, in no instalment plan,
    waiting in no direct debit): those months are no longer owed here. A void flag would
    keep a bill nobody owes on every list of bills; deleting keeps the lists true, and the
    application records the months. Approval refuses first when a month from `first` is
    settled (_check_as_filed), so none is left behind here."""
    bills = (
        PremiumBill.objects.select_for_update(of=("self",))
        .filter(person=person, month__gte=first.replace(day=1))
        .filter(payments__isnull=True, planned__isnull=True)
        .exclude(debits__pending=True)
    )
    rows = {b.pk: b.month for b in bills}
    PremiumBill.objects.filter(pk__in=rows).delete()
    return sorted(m.isoformat() for m in rows.values())


def _copy(e: Enrolment, **changes: Any) -> Enrolment:
    fields = {
        "person_id": e.person_id,
        "role": e.role,
        "insured_person_id": e.insured_person_id,
        "relation": e.relation,
        "unit_id": e.unit_id,
        "category": e.category,
        "insured_amount": e.insured_amount,
        "end_date": None,
        "status": Enrolment.Status.ACTIVE,
        "end_reason": "",
    }
    return Enrolment.objects.create(**(fields | changes))


def _end(e: Enrolment, *, last_day: dt.date, reason: str, today: dt.date) -> Enrolment:
    """End the period on `last_day`. The cover goes on until then: a period that ends in
    the future stays active (with its end date and reason, which say what is coming) and
    takes its closing status on the day after its end (closing.close_due_periods, run then)."""
    e.end_date, e.end_reason = last_day, reason
    if last_day < today:
        e.status = closing.CLOSING_STATUS[reason]
    e.save(update_fields=["end_date", "status", "end_reason"])
    return e


def _close_when_due(app: TownshipApplication, today: dt.date) -> None:
    """Give the ended periods their closing status on the effective date, in the background."""
    if app.effective_date <= today:
        return
    when = timezone.make_aware(dt.datetime.combine(app.effective_date, dt.time.min))
    transaction.on_commit(lambda: tasks.close_periods.using(run_after=when).enqueue(app.pk))


def _suspend(app: TownshipApplication, own: Enrolment, today: dt.date) -> None:
    last_day = app.effective_date - dt.timedelta(days=1)
    dependants = list(selectors.dependants_in_force(app.person, app.effective_date))
    for e in [own, *dependants]:
        _end(e, last_day=last_day, reason=Enrolment.EndReason.ABROAD, today=today)
    app.ended.add(own, *dependants)
    _close_when_due(app, today)
    app.bills_removed = _unbill(app.person, app.effective_date)


def _resume(app: TownshipApplication, own: Enrolment, today: dt.date) -> None:
    returned = app.effective_date
    together = list(
        Enrolment.objects.filter(
            insured_person=app.person,
            end_date=own.end_date,
            start_date__lte=own.end_date or returned,
        ).filter(
            Q(status=Enrolment.Status.SUSPENDED)
            | Q(status=Enrolment.Status.ACTIVE, end_reason=Enrolment.EndReason.ABROAD)
        )
    )
    departure = own.end_date + dt.timedelta(days=1) if own.end_date else None
    if departure is not None and rules.returned_early(departure, returned):
        # 註銷停保: as if never suspended; the months away are billed after all.
        for e in [own, *together]:
            e.end_date, e.status, e.end_reason = None, Enrolment.Status.ACTIVE, ""
            e.save(update_fields=["end_date", "status", "end_reason"])
        app.suspension_cancelled = True
        app.started.add(own, *together)
        app.bills_added = _bill(app.person, own.unit, departure, today, len(together))
        return
    if own.end_date is None:  # suspended without a date on record: closed on the return
        for e in [own, *together]:
            e.end_date = returned - dt.timedelta(days=1)
            e.save(update_fields=["end_date"])
    for e in [own, *together]:  # closed now if the worker has not closed it yet
        if e.status == Enrolment.Status.ACTIVE:
            e.status = Enrolment.Status.SUSPENDED
            e.save(update_fields=["status"])
    reason = Enrolment.StartReason.RESUMED
    started = [_copy(e, start_date=returned, start_reason=reason) for e in [own, *together]]
    app.started.add(*started)
    app.bills_added = _bill(app.person, own.unit, returned, today, len(together))


def _transfer_out(app: TownshipApplication, own: Enrolment, today: dt.date) -> None:
    day = app.effective_date
    last_day = day - dt.timedelta(days=1)
    dependants = list(selectors.dependants_in_force(app.person, last_day))
    _end(own, last_day=last_day, reason=Enrolment.EndReason.TRANSFER_OUT, today=today)
    for e in dependants:
        _end(e, last_day=last_day, reason=Enrolment.EndReason.WITH_INSURED, today=today)
    app.ended.add(own, *dependants)
    _close_when_due(app, today)
    app.bills_removed = _unbill(app.person, day)
    if app.new_unit is not None:  # 轉入 the new township's office, dependants with them
        started = [_copy(own, unit=app.new_unit, start_date=day, start_reason="transfer_in")]
        started += [
            _copy(e, unit=app.new_unit, start_date=day, start_reason="with_insured")
            for e in dependants
        ]
        app.started.add(*started)
        app.bills_added = _bill(app.person, app.new_unit, day, today, len(dependants))


def _enrol(app: TownshipApplication, own: Enrolment | None, today: dt.date) -> None:
    row = Enrolment.objects.create(
        person=app.person,
        role=Enrolment.Role.INSURED,
        relation=Enrolment.Relation.SELF,
        unit=app.unit,
        category=rules.CATEGORY,
        insured_amount=rules.REGIONAL_INSURED_AMOUNT,
        start_date=app.effective_date,
        status=Enrolment.Status.ACTIVE,
        # From another cover to the office is a transfer in; else cover by residence.
        start_reason=Enrolment.StartReason.TRANSFER_IN
        if own is not None
        else Enrolment.StartReason.RESIDENCE,
    )
    app.started.add(row)
    app.bills_added = _bill(app.person, app.unit, app.effective_date, today, 0)


EFFECTS: dict[str, Any] = {
    Kind.SUSPEND: _suspend,
    Kind.RESUME: _resume,
    Kind.TRANSFER_OUT: _transfer_out,
    Kind.ENROL: _enrol,
}


def _check_as_filed(app: TownshipApplication, standing: rules.Standing) -> None:
    """Refuse what filing would refuse now: the dates, by the rules as on the filing day
    (a departure not before it, a return not after it, how far back or ahead), and months
    from the effective date settled since (paid, planned or being debited), which the
    change would otherwise leave paid for months no longer owed."""
    if app.kind in (Kind.SUSPEND, Kind.TRANSFER_OUT):
        # Lock the bills the change may delete: no payment, plan or debit joins them now.
        month = app.effective_date.replace(day=1)
        list(
            PremiumBill.objects.select_for_update()
            .filter(person=app.person, month__gte=month)
            .values_list("pk", flat=True)
        )
        settled = sorted(selectors.settled_months(app.person, app.effective_date))
        if settled:
            raise Refused("settled_since", month=lazy(rules.month_text, str)(settled[0]))
    filed = timezone.localdate(app.submitted_at)
    as_filed = dataclasses.replace(standing, today=filed, paid_months=frozenset())

    def errors() -> str:  # in the language of whoever reads it
        found = rules.date_errors(
            app.kind, as_filed, effective=app.effective_date, expected_return=app.expected_return
        )
        return " ".join(found.values())

    if errors():
        raise Refused(
            "dates_as_filed", filed=lazy(rules.day_text, str)(filed), errors=lazy(errors, str)()
        )


@transaction.atomic
def approve(
    *, application: TownshipApplication, staff_user: User, now: dt.datetime | None = None
) -> TownshipApplication:
    """Approve and change the enrolment and the bills; Refused (rolled back) when the
    person's cover changed since filing so that the application no longer fits."""
    today = timezone.localdate(now)
    app = decide(application, staff_user=staff_user, step="approve")
    # One change at once: filing, instalments and debits lock the person too.
    lock_person(app.person_id)
    standing = selectors.standing(app.person, today)
    standing.pending = False  # this one
    if (refused := rules.refusal(app.kind, standing)) is not None:
        raise refused
    own = standing.latest
    if app.kind != Kind.ENROL and own is None:
        raise Refused("not_insured")
    _check_as_filed(app, standing)
    EFFECTS[app.kind](app, own, today)
    app.save(update_fields=["suspension_cancelled", "bills_removed", "bills_added"])
    changed = {e.person_id for e in [*app.ended.all(), *app.started.all()]}
    for person_id in sorted(changed):
        record(
            action=Action.ENROLMENT_CHANGED,
            person=Person.objects.get(pk=person_id),
            actor=Actor.STAFF,
            actor_id=staff_user.pk,
            kind=app.kind,
            application=app.pk,
        )
    send_notice(
        person=app.person,
        kind=Notice.Kind.ENROLMENT,
        subject=f"{to_roc(app.effective_date)}",
        facts={
            "application": app.pk,
            "kind": app.kind,
            "effective_date": app.effective_date.isoformat(),
            "unit": app.unit.name,
            "new_unit": app.new_unit.name if app.new_unit else "",
            "suspension_cancelled": app.suspension_cancelled,
            "bills_removed": app.bills_removed,
            "bills_added": app.bills_added,
        },
        now=now,
    )
    transaction.on_commit(lambda: tasks.mail_decision.enqueue(app.pk))
    return app


@transaction.atomic
def reject(
    *, application: TownshipApplication, staff_user: User, reason: str
) -> TownshipApplication:
    """退件 with the reason the person reads; nothing else changes."""
    app = decide(application, staff_user=staff_user, step="reject", reason=reason)
    transaction.on_commit(lambda: tasks.mail_decision.enqueue(app.pk))
    return app
