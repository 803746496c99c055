"""Family access (identity.delegation): the rules of offering, accepting, renewing and ending
it, the audit under the owner, the e-mail to both sides, and recording it at the counter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from healthbank.audit.models import AuditEvent
from healthbank.identity import delegation
from healthbank.identity.models import Delegation
from healthbank.identity.tests.family import family_access, registered
from healthbank.people.models import Person
from tests.fixtures.personas import CHEN, CHEN_WIFE, HUANG, LIN_DAUGHTER, seed_personas
from tests.fixtures.portal import give_reason

Action, Actor = AuditEvent.Action, AuditEvent.Actor


def run_worker() -> None:
    from django.core.management import call_command

    call_command("worker", "--batch", "--interval", "0.01")


@pytest.fixture
def people(db) -> dict[str, Person]:
    seed_personas(today=dt.date(2026, 11, 23))
    return {person.national_id: person for person in Person.objects.all()}


@pytest.fixture
def owner(people) -> Person:
    return registered(people[CHEN])


@pytest.fixture
def wife(people) -> Person:
    return registered(people[CHEN_WIFE])


def _offer(owner: Person, to: Person, **extra) -> Delegation | None:
    fields = {
        "owner": owner,
        "national_id": to.national_id,
        "birth_date": to.birth_date,
        "categories": ["reports", "labs"],
        "days": 91,
        **extra,
    }
    return delegation.offer(**fields)


def test_offer_accept_end_are_audited_under_the_owner_and_mailed_to_both(
    owner, wife, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _offer(owner, wife)
    assert row is not None and row.categories == ["labs", "reports"]  # the seed's order
    with django_capture_on_commit_callbacks(execute=True):
        delegation.accept(delegate=wife, pk=row.pk)
    with django_capture_on_commit_callbacks(execute=True):
        delegation.end(by=wife, pk=row.pk)
    assert mailoutbox == []  # in the background, never within the request
    run_worker()

    events = AuditEvent.objects.filter(person=owner, action__startswith="delegation.")
    assert [(e.action, e.actor, e.actor_id) for e in events.order_by("id")] == [
        (Action.DELEGATION_OFFERED, Actor.PERSON, owner.pk),
        (Action.DELEGATION_ACCEPTED, Actor.PERSON, wife.pk),
        (Action.DELEGATION_ENDED, Actor.PERSON, wife.pk),
    ]
    assert all(e.detail["delegate"] == wife.pk for e in events)
    # Offer: the owner (without her name) and the wife; acceptance and end: both.
    assert len(mailoutbox) == 6
    subjects = [m.subject for m in mailoutbox]
    assert sum("授權邀請" in s for s in subjects) == 2
    assert sum("授權生效" in s for s in subjects) == 2
    assert sum("授權結束" in s for s in subjects) == 2
    assert all("English" in m.body for m in mailoutbox)
    assert "檢驗(查)結果資料" in mailoutbox[0].body + mailoutbox[1].body


@pytest.mark.parametrize("who", ["child", "unregistered", "wrong_birth_date", "oneself"], ids=str)
def test_nobody_eligible_is_answered_as_if_sent(owner, people, who):
    target = {
        "child": registered(people[LIN_DAUGHTER]),
        "unregistered": people[HUANG],
        "wrong_birth_date": registered(people[CHEN_WIFE]),
        "oneself": owner,
    }[who]
    birth = target.birth_date + dt.timedelta(days=1 if who == "wrong_birth_date" else 0)
    assert _offer(owner, target, birth_date=birth) is None
    assert not Delegation.objects.exists()
    event = AuditEvent.objects.get(action=Action.DELEGATION_OFFERED)
    assert event.success and event.detail["delegate"] is None


def test_a_confirmed_open_access_is_renewed_not_offered_again(owner, wife):
    row = family_access(owner, wife, ["labs"])
    with pytest.raises(delegation.DelegationRefused) as refused:
        _offer(owner, wife)
    assert refused.value.code == "already"
    renewed = delegation.renew(owner=owner, pk=row.pk, days=365)
    assert renewed.expires_at - timezone.now() <= dt.timedelta(days=365)


def test_an_unaccepted_offer_is_replaced_by_a_new_one(owner, wife):
    first = family_access(owner, wife, ["labs"], confirmed=False)
    second = _offer(owner, wife)
    first.refresh_from_db()
    assert first.ended_at is not None and second is not None and second.ended_at is None


def test_one_open_delegation_per_pair_in_the_database(owner, wife):
    family_access(owner, wife, ["labs"])
    with pytest.raises(IntegrityError):
        Delegation.objects.create(
            owner=owner,
            delegate=wife,
            categories=["labs"],
            expires_at=timezone.now() + dt.timedelta(days=1),
            offered_by=Delegation.Side.OWNER,
        )


@pytest.mark.parametrize(
    ("categories", "days", "code"),
    [([], 30, "no_categories"), (["nonsense"], 30, "no_categories"), (["labs"], 400, "bad_period")],
)
def test_bad_choices_are_refused(owner, wife, categories, days, code):
    with pytest.raises(delegation.DelegationRefused) as refused:
        _offer(owner, wife, categories=categories, days=days)
    assert refused.value.code == code


def test_active_for_delegate_leaves_out_pending_ended_and_expired(owner, wife, people):
    other = registered(people[HUANG])
    family_access(owner, wife, ["labs"], confirmed=False)
    ended = family_access(other, wife, ["labs"])
    delegation.end(by=other, pk=ended.pk)
    assert delegation.active_for_delegate(wife, timezone.now()) == []
    live = family_access(owner, registered(people[HUANG]), ["labs"])
    assert delegation.active_for_delegate(other, timezone.now()) == [live]
    assert delegation.active_for_delegate(other, live.expires_at) == []


# --- at the counter ------------------------------------------------------------------------


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("counter", password=None)


@pytest.fixture
def staff_client(client, staff, staff_login, owner):
    return give_reason(staff_login(client, staff), owner)


def _counter(owner: Person, to: Person, **fields) -> dict:
    return {
        "national_id": owner.national_id,
        "document_checked": "on",
        "delegate_id": to.national_id,
        "delegate_birth_date": to.birth_date.isoformat(),
        "categories": ["labs"],
        "days": "365",
        **fields,
    }


def test_counter_staff_record_it_for_the_owner_present_and_the_delegate_accepts_online(
    staff_client, staff, owner, wife
):
    url = reverse("admin:identity_delegation_add")
    assert 'name="document_checked"' in staff_client.get(url).content.decode()
    response = staff_client.post(url, _counter(owner, wife))
    assert response.status_code == 302
    row = Delegation.objects.get()
    assert (row.offered_by, row.offered_by_staff, row.confirmed_at) == ("staff", staff, None)
    event = AuditEvent.objects.get(action=Action.DELEGATION_OFFERED)
    assert (event.person, event.actor, event.actor_id) == (owner, Actor.STAFF, staff.pk)
    delegation.accept(delegate=wife, pk=row.pk)


def test_the_counter_needs_the_document_check_and_an_eligible_delegate(staff_client, owner, people):
    url = reverse("admin:identity_delegation_add")
    unchecked = staff_client.post(
        url, _counter(owner, registered(people[CHEN_WIFE]), document_checked="")
    )
    assert unchecked.status_code == 200 and "document_checked" in unchecked.context["form"].errors
    child = staff_client.post(url, _counter(owner, people[LIN_DAUGHTER]))
    assert child.status_code == 200
    assert "18" in child.content.decode()
    assert not Delegation.objects.exists()


def test_counter_staff_without_the_permission_are_refused(client, staff_login, owner, db):
    clerk = User.objects.create_user("clerk", password=None, is_staff=True)
    response = staff_login(client, clerk).get(reverse("admin:identity_delegation_add"))
    assert response.status_code == 403


def test_staff_end_it_with_the_list_action(staff_client, staff, owner, wife):
    row = family_access(owner, wife, ["labs"])
    response = staff_client.post(
        reverse("admin:identity_delegation_changelist"),
        {"action": "end_selected", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.ended_by == Delegation.Side.STAFF
    ended = AuditEvent.objects.get(action=Action.DELEGATION_ENDED)
    assert (ended.actor, ended.actor_id) == (Actor.STAFF, staff.pk)


@pytest.mark.django_db(transaction=True)
def test_two_offers_to_the_same_person_at_once_are_made_one_after_the_other():
    """The owner's two tabs (or the owner online and a counter) offer at the same moment,
    each in its own connection: the second waits for the first and replaces its offer,
    instead of tripping the one-open-per-pair constraint (a 500)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent connections are PostgreSQL's")
    seed_personas(today=dt.date(2026, 11, 23))
    owner = registered(Person.objects.get(national_id=CHEN))
    wife = registered(Person.objects.get(national_id=CHEN_WIFE))
    first_made = threading.Event()

    def first() -> str:
        try:
            with transaction.atomic():
                _offer(owner, wife)
                first_made.set()
                time.sleep(1)  # the second offer arrives while this one is not committed
            return "offered"
        finally:
            connection.close()

    def second() -> str:
        try:
            first_made.wait(10)
            try:
                _offer(owner, wife, days=30)
            except IntegrityError:
                return "integrity error"
            return "offered"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        answers = [f.result() for f in [pool.submit(first), pool.submit(second)]]
    assert answers == ["offered", "offered"]
    open_rows = Delegation.objects.filter(owner=owner, delegate=wife, ended_at__isnull=True)
    assert open_rows.count() == 1
    assert open_rows.get().expires_at < timezone.now() + dt.timedelta(days=31)  # the second's
