"""Writes of NHI card applications (申辦健保卡作業): filing one (with the fee paid through the
bank), reporting a card lost, and NHIA staff's decision (approve issues the new card, reject
refunds the fee).

A card reported lost or replaced stops working everywhere at once: identity's sign-ins and
card checks accept only VALID cards, and the card agent's file of the card is marked so the
reader refuses it (external.cardreader.withdraw_nhi_card). The card agent's files are
written when the transaction commits (transaction.on_commit), never inside it.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from healthbank.audit.services import Action, Actor, record
from healthbank.billing.models import Notice
from healthbank.billing.notices import send_notice
from healthbank.cards import rules, tasks
from healthbank.cards.models import CardApplication
from healthbank.external import cardreader
from healthbank.external.bank import BankAnswer, bank
from healthbank.files import images
from healthbank.identity.review import OPEN, decide
from healthbank.people.addresses import postal_address
from healthbank.people.locks import lock_person
from healthbank.people.models import CardIssuance, NhiCard, Person

Reason = CardIssuance.Reason
STORAGE = "eservice"


class CardsRefused(Exception):
    """An application or report not taken; `message` says why and what to do."""

    MESSAGES = {
        "invalid_reason": _("Choose why you need a card."),
        "invalid_delivery": _("Choose how the card should reach you."),
        "invalid_office": _("Choose the NHIA office where you will pick up the card."),
        "not_first": _(
            "You have had an NHI card before, so this is not your first card. Choose why you "
            "need a new one."
        ),
        "has_valid_card": _(
            "Your current NHI card is still valid. If it is lost, report it lost first; if it "
            "is damaged or your data changed, choose that reason."
        ),
        "no_valid_card": _(
            "You have no valid NHI card to replace. If your card is lost, report it lost, then "
            "apply for a replacement for a lost card."
        ),
        "open_application": _(
            "You already have a card application under review. Wait for its decision before "
            "applying again."
        ),
        "no_address": _(
            "We have no postal address for you. Choose to pick the card up at an NHIA office, "
            "or set your mailing address first."
        ),
        "no_account": _("The fee is paid from a bank account: choose the bank and the account."),
        "nothing_to_report": _("You have no valid NHI card to report lost."),
        "nothing_to_refund": _("This application has no refused refund to make again."),
    }

    def __init__(self, code: str, message: Promise | str | None = None):
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else self.MESSAGES[code]


class _PaymentRefused(Exception):
    def __init__(self, answer: BankAnswer):
        super().__init__(answer.code)
        self.answer = answer


def masked(card: NhiCard) -> str:
    return str(card)  # the first four digits, the rest hidden


def _eligibility(person: Person, reason: str) -> NhiCard | None:
    """The card the application replaces (None for a first card or a lost one), or
    CardsRefused when the person's cards do not fit the reason."""
    cards = list(NhiCard.objects.filter(person=person).only("status"))
    valid = next((c for c in cards if c.status == NhiCard.Status.VALID), None)
    if reason == Reason.FIRST:
        if cards:
            raise CardsRefused("not_first")
        return None
    if reason == Reason.LOST:
        if valid is not None:
            raise CardsRefused("has_valid_card")
        if not any(c.status == NhiCard.Status.LOST for c in cards):
            raise CardsRefused("no_valid_card")
        return None
    if valid is None:  # damaged, data change: the current card is handed in for the new one
        raise CardsRefused("no_valid_card")
    return valid


def _has_open_application(person: Person) -> bool:
    return CardApplication.objects.filter(person=person, status__in=OPEN).exists()


def new_reference() -> str:
    """The payment's reference: unique to the application, so a retried debit never pays twice."""
    return f"CARD-{secrets.token_hex(10).upper()}"


def apply(
    *,
    person: Person,
    reason: str,
    photo: bytes,
    delivery: str,
    office: str = "",
    bank_code: str = "",
    account_number: str = "",
    address: str | None = None,
) -> CardApplication:
    """File an application: the photo is checked and re-encoded, the fee (where charged) is
    debited from the person's account, and staff review it. Refused by the rules or by the
    bank: CardsRefused (the bank's reason) and nothing is written."""
    if reason not in rules.ONLINE_REASONS:
        raise CardsRefused("invalid_reason")
    if delivery not in CardApplication.Delivery.values:
        raise CardsRefused("invalid_delivery")
    if delivery == CardApplication.Delivery.PICKUP and office not in rules.OFFICES:
        raise CardsRefused("invalid_office")
    _eligibility(person, reason)
    if _has_open_application(person):
        raise CardsRefused("open_application")
    fee = rules.fee_for(reason)
    if fee and not (bank_code and account_number):
        raise CardsRefused("no_account")
    postal = postal_address(person) if delivery == CardApplication.Delivery.POST else None
    if delivery == CardApplication.Delivery.POST and postal is None:
        raise CardsRefused("no_address")
    try:
        cleaned = images.clean_image(photo, max_side=rules.PHOTO_MAX_SIDE)
    except images.ImageRefused as refused:
        raise CardsRefused(refused.code, refused.message) from None
    reference = new_reference() if fee else None
    name = images.store(cleaned, storage_name=STORAGE)
    try:
        with transaction.atomic():
            lock_person(person.pk)  # one at a time
            replaces = _eligibility(person, reason)
            if _has_open_application(person):
                raise CardsRefused("open_application")
            if fee:
                # Inside the transaction: the embedded bank's ledger is in this database, so
                # a failure below undoes the debit too; a remote bank knows the reference.
                answer = bank().debit(
                    bank_code=bank_code,
                    account=account_number,
                    national_id=person.national_id,
                    amount=fee,
                    reference=str(reference),
                )
                if not answer.ok:
                    raise _PaymentRefused(answer)
            application = CardApplication.objects.create(
                person=person,
                reason=reason,
                photo=name,
                delivery=delivery,
                postal_code=postal.postal_code if postal else "",
                postal_address=postal.address if postal else "",
                office=office if delivery == CardApplication.Delivery.PICKUP else "",
                fee=fee,
                bank_code=bank_code if fee else "",
                account_number=account_number if fee else "",
                account_last4=account_number[-4:] if fee else "",
                payment_reference=reference,
                paid_at=timezone.now() if fee else None,
                replaces=replaces,
            )
            kind = application._meta.label_lower
            if fee:
                record(
                    action=Action.BANK_DEBITED,
                    person=person,
                    address=address,
                    kind=kind,
                    application=application.pk,
                    amount=fee,
                    reference=reference,
                )
            record(
                action=Action.APPLICATION_FILED,
                person=person,
                actor_id=person.pk,
                address=address,
                kind=kind,
                application=application.pk,
                reason=reason,
            )
    except BaseException as failed:  # nothing written: the stored photo goes too
        images.delete(name, storage_name=STORAGE)
        if isinstance(failed, _PaymentRefused):
            record(
                action=Action.BANK_REFUSED,
                person=person,
                address=address,
                success=False,
                kind=CardApplication._meta.label_lower,
                code=failed.answer.code,
                reference=reference,
            )
            raise CardsRefused(f"bank_{failed.answer.code}", failed.answer.reason) from None
        if isinstance(failed, IntegrityError):  # a second submission raced the first
            raise CardsRefused("open_application") from None
        raise
    return application


@transaction.atomic
def report_lost(*, person: Person, address: str | None = None) -> NhiCard:
    """掛失: the person's valid card stops working at once (sign-in, card checks, the card
    agent), a notice says so; a replacement is a separate application (for a lost card)."""
    card = NhiCard.objects.select_for_update().filter(person=person, status="valid").first()
    if card is None:
        raise CardsRefused("nothing_to_report")
    card.status = NhiCard.Status.LOST
    card.save(update_fields=["status"])
    record(
        action=Action.CARD_REPORTED_LOST,
        person=person,
        actor_id=person.pk,
        address=address,
        card=card.pk,
    )
    send_notice(
        person=person,
        kind=Notice.Kind.CARD_LOST,
        subject=masked(card),
        facts={"card": masked(card), "reported_on": timezone.localdate().isoformat()},
    )
    # The card agent refuses the card once the report is committed: a report rolled back
    # leaves the card working in the agent as it does in the database.
    number = card.number
    transaction.on_commit(lambda: cardreader.withdraw_nhi_card(number, "lost"))
    return card


def new_card_number() -> str:
    """A twelve-digit card number no card has."""
    while True:
        number = f"{secrets.randbelow(10**12):012d}"
        if not NhiCard.objects.filter(number=number).exists():
            return number


def approve(*, application: CardApplication, staff_user: User) -> NhiCard:
    """核准: the new card is issued (new number, new key pair; the key's public half on the
    card's row, the card's file for the card agent), the card it replaces stops working,
    the issuance is recorded, and the person gets a notice and an e-mail."""
    with transaction.atomic():
        application = decide(application, staff_user=staff_user, step="approve")
        person = application.person
        today = timezone.localdate()
        old = NhiCard.objects.select_for_update().filter(person=person, status="valid").first()
        if old is not None:  # a lost card is LOST already and stays so
            old.status = NhiCard.Status.REPLACED
            old.save(update_fields=["status"])
        key = cardreader.new_key()
        card = NhiCard.objects.create(
            person=person,
            number=new_card_number(),
            issued_on=today,
            status=NhiCard.Status.VALID,
            public_key=cardreader.public_pem(key),
        )
        CardIssuance.objects.create(
            person=person,
            card=card,
            reason=application.reason,
            channel=CardIssuance.Channel.ONLINE,
            applied_on=timezone.localdate(application.submitted_at),
            issued_on=today,
            fee=application.fee,
        )
        # Posted to where the person's post goes today (a mailing address set since filing
        # included: billing's address page says cards go there), kept on the application as
        # the address the card was posted to. Nowhere now (cannot happen for a person with a
        # household): the address given when filing stands.
        if application.delivery == CardApplication.Delivery.POST:
            if (postal := postal_address(person)) is not None:
                application.postal_code = postal.postal_code
                application.postal_address = postal.address
        application.card = card
        application.account_number = ""  # nothing to refund: only the last digits stay
        application.save(update_fields=["card", "postal_code", "postal_address", "account_number"])
        record(
            action=Action.CARD_ISSUED,
            person=person,
            actor=Actor.STAFF,
            actor_id=staff_user.pk,
            card=card.pk,
            application=application.pk,
            replaced=old.pk if old else None,
        )
        send_notice(
            person=person,
            kind=Notice.Kind.CARD,
            subject=masked(card),
            facts={"card": masked(card), "issued_on": today.isoformat()},
        )
        # The chip's data and key, as the card the person receives (the card agent's file),
        # and the old card withdrawn there: once the decision is committed, so a rollback
        # never leaves the agent with a card the database does not have, or an old card
        # withdrawn that the database still has valid.
        chip = cardreader.CardData(
            card.number, person.national_id, person.name, person.birth_date.isoformat(), person.sex
        )
        transaction.on_commit(lambda: cardreader.write_nhi_cards([(chip, key)]))
        if old is not None:
            old_number = old.number
            transaction.on_commit(lambda: cardreader.withdraw_nhi_card(old_number, "replaced"))
        transaction.on_commit(lambda: tasks.mail_decision.enqueue(application.pk))
    return card


def reject(*, application: CardApplication, staff_user: User, reason: str) -> CardApplication:
    """退件 with a reason the person reads; a fee paid is refunded to the account it came from
    (the person did nothing wrong by asking). A refund the bank refuses is audited and kept on
    the application for staff to settle; the rejection stands."""
    with transaction.atomic():
        application = decide(application, staff_user=staff_user, step="reject", reason=reason)
        if application.fee and application.paid_at and application.refunded_at is None:
            _refund(application, staff_user)
        elif application.account_number:  # nothing to refund
            application.account_number = ""
            application.save(update_fields=["account_number"])
        transaction.on_commit(lambda: tasks.mail_decision.enqueue(application.pk))
    return application


def refund_again(*, application: CardApplication, staff_user: User) -> CardApplication:
    """Pay back the fee of a rejected application whose refund the bank refused (the account
    was closed, say, and the person has had it reopened). With the refund's own reference, so
    the bank pays it once however often it is asked. Refused (CardsRefused) when there is no
    refused refund to retry; the bank refusing again is kept, as at the rejection."""
    with transaction.atomic():
        application = (
            CardApplication.objects.select_for_update()
            .select_related("person")
            .get(pk=application.pk)
        )
        if not application.refund_pending:
            raise CardsRefused("nothing_to_refund")
        answer = _refund(application, staff_user)
        if answer.ok:  # the person was told NHIA would pay it back: tell them it is done
            transaction.on_commit(lambda: tasks.mail_decision.enqueue(application.pk))
    return application


def _refund(application: CardApplication, staff_user: User) -> BankAnswer:
    """The fee back to the account it came from, audited; refused: the bank's code is kept."""
    reference = f"{application.payment_reference}-REFUND"
    answer = bank().credit(
        bank_code=application.bank_code,
        account=application.account_number,
        national_id=application.person.national_id,
        amount=application.fee,
        reference=reference,
    )
    if answer.ok:
        application.refunded_at = timezone.now()
        application.refund_refused = ""
        application.account_number = ""  # paid back: only the last digits stay
    else:  # kept in full, for staff to refund again
        application.refund_refused = answer.code
    application.save(update_fields=["refunded_at", "refund_refused", "account_number"])
    record(
        action=Action.BANK_CREDITED if answer.ok else Action.BANK_REFUSED,
        person=application.person,
        actor=Actor.STAFF,
        actor_id=staff_user.pk,
        success=answer.ok,
        kind=application._meta.label_lower,
        application=application.pk,
        amount=application.fee,
        code=answer.code,
        reference=reference,
    )
    return answer
