"""Family access for adults (家人健康存摺): an adult lets another registered adult read some
categories of their health bank, read-only, for up to a year; the family member confirms;
either side ends it at once. Offered online (password asked again) or at an NHIA counter.

Every change is audited under the owner (DELEGATION_OFFERED / _ACCEPTED / _ENDED, the actor
who did it) and e-mailed to both sides once committed. An offer never tells the owner whether
the ID they typed belongs to a registered adult: the answer is the same either way, and the
owner sees the family member only once they accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from healthbank.audit.models import AuditEvent
from healthbank.audit.services import record
from healthbank.external.mail import send_bilingual
from healthbank.identity import rules
from healthbank.identity.contacts import mail_recipients
from healthbank.identity.models import Account, Delegation
from healthbank.people.identifiers import normalise
from healthbank.people.models import Person
from healthbank.records.categories import BY_CODE, CATEGORIES

Action, Actor = AuditEvent.Action, AuditEvent.Actor
Side = Delegation.Side


class DelegationRefused(Exception):
    MESSAGES = {
        "no_categories": _("Choose at least one kind of record the family member may see."),
        "bad_period": _("Choose how long the family member may see your records."),
        "already": _(
            "This family member can already see your records. Renew or end that access "
            "in the list instead."
        ),
        "not_open": _("This family access has ended or expired. Offer it again if you wish."),
        "owner_minor": _(
            "Family access is for adults (18 or over). A parent sees the records of a child "
            "under 15 insured under them without it."
        ),
        "not_eligible": _(
            "The family member must be an adult (18 or over) registered for the NHI card "
            "online services, and not yourself. Check the ID number and date of birth."
        ),
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = self.MESSAGES[code]


# --- Reads -----------------------------------------------------------------------------


def active_for_delegate(delegate: Person, now: dt.datetime) -> list[Delegation]:
    """The delegations the person may use now (confirmed, open, unexpired), with their owner:
    read on every portal request, so an ended one drops out at once.

    Not while NHIA has suspended the owner's account: a suspension stops all online use of
    the person's records (misuse, a stolen password that may have given the access, their
    own request), the family's too, until it is reinstated."""
    return list(
        Delegation.objects.filter(
            delegate=delegate,
            ended_at__isnull=True,
            confirmed_at__isnull=False,
            starts_at__lte=now,
            expires_at__gt=now,
        )
        .exclude(owner__account__status=Account.Status.SUSPENDED)
        .select_related("owner")
        .order_by("owner__name", "owner_id")
    )


def given_by(owner: Person) -> QuerySet[Delegation]:
    """What the owner lets others see: confirmed and open (expired ones until renewed or
    ended); offers not yet accepted are not listed (see the module docstring)."""
    return (
        Delegation.objects.filter(owner=owner, ended_at__isnull=True, confirmed_at__isnull=False)
        .select_related("delegate")
        .order_by("expires_at", "id")
    )


def received_by(delegate: Person) -> QuerySet[Delegation]:
    """The family member's invitations and access, open ones (pending or confirmed)."""
    return (
        Delegation.objects.filter(delegate=delegate, ended_at__isnull=True)
        .select_related("owner")
        .order_by("confirmed_at", "expires_at", "id")
    )


def of_owner(owner: Person, pk: int) -> Delegation:
    return given_by(owner).get(pk=pk)


def of_delegate(delegate: Person, pk: int) -> Delegation:
    return received_by(delegate).get(pk=pk)


# --- Changes ---------------------------------------------------------------------------


def _checked(categories: Iterable[str], days: int) -> list[str]:
    chosen = [c.code for c in CATEGORIES if c.code in set(categories)]  # the seed's order
    if not chosen or len(chosen) != len(set(categories)):
        raise DelegationRefused("no_categories")
    if days not in rules.DELEGATION_PERIODS:
        raise DelegationRefused("bad_period")
    return chosen


def eligible_delegate(national_id: str, birth_date: dt.date, owner: Person) -> Person | None:
    """The registered adult with this ID and birth date, other than the owner, or None."""
    person = (
        Person.objects.filter(
            national_id=normalise(national_id),
            birth_date=birth_date,
            account__status=Account.Status.ACTIVE,
        )
        .exclude(pk=owner.pk)
        .first()
    )
    if person is None or person.age_on(timezone.localdate()) < rules.DELEGATE_MIN_AGE:
        return None
    return person


@transaction.atomic
def offer(
    *,
    owner: Person,
    national_id: str,
    birth_date: dt.date,
    categories: Iterable[str],
    days: int,
    staff_id: int | None = None,
    address: str | None = None,
) -> Delegation | None:
    """Offer family access to the registered adult with this ID and birth date.

    Online (staff_id None) the caller has asked the owner's password again; at a counter the
    staff checked the owner's identity document. None when nobody eligible matches: an online
    caller must answer as if it had been sent. An unconfirmed earlier offer to the same person
    is replaced; an open confirmed one is refused (renew it instead)."""
    chosen = _checked(categories, days)
    if owner.age_on(timezone.localdate()) < rules.DELEGATE_MIN_AGE:
        raise DelegationRefused("owner_minor")
    delegate = eligible_delegate(national_id, birth_date, owner)
    until = timezone.now() + min(dt.timedelta(days=days), rules.DELEGATION_MAX)
    masked = normalise(national_id)[:6] + "****"
    transaction.on_commit(
        lambda: mail_owner_offer_task.enqueue(owner.pk, masked, chosen, until.isoformat()),
        robust=True,
    )
    at_counter = staff_id is not None
    actor = Actor.STAFF if at_counter else Actor.PERSON
    actor_id = staff_id if at_counter else owner.pk
    if delegate is None:
        record(
            action=Action.DELEGATION_OFFERED,
            person=owner,
            actor_id=actor_id,
            address=address,
            delegate=None,  # the owner's access record reads the same as when one matched
            categories=chosen,
            actor=actor,
        )
        return None
    # The owner's row lock: two offers at once (two tabs, online and at a counter) are made
    # one after the other, the second replacing the first, never both inserted (the
    # one-open-per-pair constraint would fail the second with a 500).
    Person.objects.select_for_update().values_list("pk", flat=True).get(pk=owner.pk)
    now = timezone.now()
    earlier = (
        Delegation.objects.select_for_update()
        .filter(owner=owner, delegate=delegate, ended_at__isnull=True)
        .first()
    )
    if earlier is not None:
        if earlier.confirmed_at is not None and earlier.expires_at > now:
            raise DelegationRefused("already")
        earlier.ended_at, earlier.ended_by = now, Side.STAFF if at_counter else Side.OWNER
        earlier.save(update_fields=["ended_at", "ended_by", "updated_at"])
    delegation = Delegation.objects.create(
        owner=owner,
        delegate=delegate,
        categories=chosen,
        starts_at=now,
        expires_at=until,
        offered_by=Side.STAFF if at_counter else Side.OWNER,
        offered_by_staff_id=staff_id,
    )
    record(
        action=Action.DELEGATION_OFFERED,
        person=owner,
        actor_id=actor_id,
        address=address,
        delegation=delegation.pk,
        delegate=delegate.pk,
        categories=chosen,
        until=delegation.expires_at.isoformat(),
        actor=actor,
    )
    _mail_on_commit("offered", delegation)
    return delegation


@transaction.atomic
def accept(*, delegate: Person, pk: int, address: str | None = None) -> Delegation:
    delegation = _locked(delegate=delegate, pk=pk)
    if delegation.confirmed_at is not None or delegation.expires_at <= timezone.now():
        raise DelegationRefused("not_open")
    delegation.confirmed_at = timezone.now()
    delegation.save(update_fields=["confirmed_at", "updated_at"])
    record(
        action=Action.DELEGATION_ACCEPTED,
        person=delegation.owner,
        actor_id=delegate.pk,
        address=address,
        delegation=delegation.pk,
        delegate=delegate.pk,
        categories=delegation.categories,
    )
    _mail_on_commit("accepted", delegation)
    return delegation


@transaction.atomic
def end(
    *,
    by: Person | None,
    pk: int,
    staff_id: int | None = None,
    address: str | None = None,
) -> Delegation:
    """Ended at once by the owner, the family member (also declining an invitation) or, with
    `by` None, NHIA staff. Anyone else gets Delegation.DoesNotExist."""
    rows = Delegation.objects.select_for_update().select_related("owner", "delegate")
    if by is None:
        delegation = rows.get(pk=pk, ended_at__isnull=True)
        side = Side.STAFF
    else:
        delegation = rows.get(Q(owner=by) | Q(delegate=by), pk=pk, ended_at__isnull=True)
        side = Side.OWNER if delegation.owner_id == by.pk else Side.DELEGATE
    delegation.ended_at, delegation.ended_by = timezone.now(), side
    delegation.save(update_fields=["ended_at", "ended_by", "updated_at"])
    record(
        action=Action.DELEGATION_ENDED,
        person=delegation.owner,
        actor=Actor.STAFF if by is None else Actor.PERSON,
        actor_id=staff_id if by is None else by.pk,
        address=address,
        delegation=delegation.pk,
        delegate=delegation.delegate_id,
        side=side,
        declined=delegation.confirmed_at is None,
    )
    _mail_on_commit("ended", delegation)
    return delegation


@transaction.atomic
def renew(*, owner: Person, pk: int, days: int, address: str | None = None) -> Delegation:
    """Extend an open, confirmed delegation from now by one of the periods (never more than a
    year from now); the caller asked the password again."""
    if days not in rules.DELEGATION_PERIODS:
        raise DelegationRefused("bad_period")
    delegation = _locked(owner=owner, pk=pk)
    if delegation.confirmed_at is None:
        raise DelegationRefused("not_open")
    now = timezone.now()
    delegation.expires_at = now + min(dt.timedelta(days=days), rules.DELEGATION_MAX)
    delegation.save(update_fields=["expires_at", "updated_at"])
    record(
        action=Action.DELEGATION_OFFERED,
        person=owner,
        actor_id=owner.pk,
        address=address,
        delegation=delegation.pk,
        delegate=delegation.delegate_id,
        categories=delegation.categories,
        until=delegation.expires_at.isoformat(),
        renewed=True,
    )
    _mail_on_commit("renewed", delegation)
    return delegation


def _locked(*, pk: int, owner: Person | None = None, delegate: Person | None = None) -> Delegation:
    rows = Delegation.objects.select_for_update().select_related("owner", "delegate")
    rows = rows.filter(pk=pk, ended_at__isnull=True)
    if owner is not None:
        rows = rows.filter(owner=owner)
    if delegate is not None:
        rows = rows.filter(delegate=delegate)
    return rows.get()


# --- Mail ------------------------------------------------------------------------------


# Mailed in the background (`healthbank worker`), never within the request: an offer to a
# registered adult would otherwise answer later than one to nobody (the family member's
# invitation sent while the owner waits), telling the owner whom the ID belongs to; and a
# mail server's hiccup never holds up a change.


def _mail_on_commit(event: str, delegation: Delegation) -> None:
    transaction.on_commit(lambda: mail_task.enqueue(event, delegation.pk), robust=True)


@task()
def mail_task(event: str, delegation_id: int) -> None:
    mail(event, delegation_id)


@task()
def mail_owner_offer_task(owner_id: int, masked_id: str, categories: list[str], until: str) -> None:
    mail_owner_offer(owner_id, masked_id, categories, dt.datetime.fromisoformat(until))


def _labels(categories: list[str]) -> dict[str, str]:
    labels = {}
    for language, comma in (("zh-hant", "、"), ("en", ", ")):
        with translation.override(language):
            labels[language] = comma.join(
                str(BY_CODE[code].label) for code in categories if code in BY_CODE
            )
    return labels


def mail_owner_offer(owner_id: int, masked_id: str, categories: list[str], until) -> None:
    """The owner's copy of an offer: the same whether or not the ID matched anyone."""
    owner = Person.objects.get(pk=owner_id)
    to = mail_recipients(owner)
    if not to:
        return
    labels = _labels(categories)
    send_bilingual(
        "identity/mail/delegation_offered",
        to=to,
        context={
            "role": "owner",
            "name": owner.name,
            "delegate_masked": masked_id,
            "until": timezone.localtime(until).date(),
            "labels_zh": labels["zh-hant"],
            "labels_en": labels["en"],
        },
    )


def mail(event: str, delegation_id: int) -> None:
    """Tell both sides (accepted, renewed, ended; the delegate of an offer), Chinese with
    English below."""
    delegation = Delegation.objects.select_related("owner", "delegate").get(pk=delegation_id)
    labels = _labels(delegation.categories)
    sides = (("owner", delegation.owner), ("delegate", delegation.delegate))
    for role, person in sides[1:] if event == "offered" else sides:  # see mail_owner_offer
        to = mail_recipients(person)
        if not to:
            continue
        send_bilingual(
            f"identity/mail/delegation_{event}",
            to=to,
            context={
                "role": role,
                "name": person.name,
                "owner": delegation.owner.name,
                "delegate": delegation.delegate.name,
                "delegation": delegation,
                "until": timezone.localtime(delegation.expires_at).date(),
                "labels_zh": labels["zh-hant"],
                "labels_en": labels["en"],
            },
        )
