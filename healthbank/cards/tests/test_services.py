"""The card application's services: the fee rules, paying (and a refused payment writing
nothing), a lost card refused everywhere at once, and approval making a card that works."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.db import transaction

from healthbank.audit.models import AuditEvent
from healthbank.billing.models import Notice
from healthbank.cards import rules, services
from healthbank.cards.models import CardApplication
from healthbank.cards.services import CardsRefused
from healthbank.cards.tests.helpers import (
    ACCOUNT,
    BANK,
    CHEN,
    CHEN_CARD,
    file_application,
    run_tasks,
)
from healthbank.external import cardagent, cardreader
from healthbank.external.bank import REASONS
from healthbank.external.models import BankAccount, BankEntry
from healthbank.identity import cards, devices
from healthbank.identity.cards import CardRefused
from healthbank.identity.review import ReviewRefused
from healthbank.identity.services import IdentityError, sign_in
from healthbank.identity.tests.cardhelpers import PASSWORD, registered, sign_with_card
from healthbank.people.models import CardIssuance, NhiCard
from tests.fixtures.portal import give_reason

IPHONE = {"platform": "ios", "model": "iPhone", "identifier": "D8CF0CBF-A62A-40F5-A118-A5B6DF"}


def _stored_photos() -> list[str]:
    return storages["eservice"].listdir("")[1] if storages["eservice"].exists("") else []


# --- the fee --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "fee"), [("first", 0), ("lost", 200), ("damaged", 200), ("data_change", 0)]
)
def test_the_fee_is_charged_for_lost_and_damaged_cards_only(reason, fee):
    assert rules.fee_for(reason) == fee


def test_a_damaged_card_application_pays_the_fee_from_the_account(chen, chen_account):
    application = file_application(chen)

    assert (application.fee, application.status, application.replaces.number) == (
        200,
        "pending",
        CHEN_CARD,
    )
    entry = BankEntry.objects.get()
    assert (entry.kind, entry.amount, entry.reference) == (
        "debit",
        200,
        application.payment_reference,
    )
    chen_account.refresh_from_db()
    assert chen_account.balance == 800
    assert application.postal_address  # the address the card is posted to, kept at filing
    assert _stored_photos() == [application.photo]
    actions = set(AuditEvent.objects.filter(person=chen).values_list("action", flat=True))
    assert {"bank.debited", "application.filed"} <= actions


def test_each_application_has_its_own_payment_reference(chen, chen_account, reviewer):
    first = file_application(chen)
    services.reject(application=first, staff_user=reviewer, reason="Blurred.")
    second = file_application(chen)
    assert first.payment_reference != second.payment_reference
    assert BankEntry.objects.filter(kind="debit").count() == 2


def test_a_change_of_data_is_free_and_needs_no_account(chen):
    application = file_application(chen, reason="data_change", bank_code="", account_number="")
    assert (application.fee, application.payment_reference) == (0, None)
    assert not BankEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"balance": 100}, "insufficient_funds"),
        ({"holder_national_id": "B123456780"}, "not_holder"),
        ({"status": "frozen"}, "frozen"),
        ({"number": "999999999999"}, "no_account"),
    ],
)
def test_a_refused_payment_shows_the_banks_reason_and_writes_nothing(
    chen, chen_account, change, code
):
    BankAccount.objects.filter(pk=chen_account.pk).update(**change)
    with pytest.raises(CardsRefused) as refused:
        file_application(chen)

    assert refused.value.code == f"bank_{code}"
    assert refused.value.message == REASONS[code]
    assert not CardApplication.objects.exists()
    assert not BankEntry.objects.exists()
    assert _stored_photos() == []
    assert BankAccount.objects.get(pk=chen_account.pk).balance == (
        100 if "balance" in change else 1000
    )
    event = AuditEvent.objects.get(person=chen, action="bank.refused")
    assert event.detail["code"] == code
    assert not AuditEvent.objects.filter(person=chen, action="application.filed").exists()


def test_a_charged_application_without_an_account_is_refused(chen):
    with pytest.raises(CardsRefused) as refused:
        file_application(chen, bank_code="", account_number="")
    assert refused.value.code == "no_account"
    assert not CardApplication.objects.exists()


# --- who may apply for what -----------------------------------------------------------------


def test_the_reasons_must_fit_the_persons_cards(chen, chen_account):
    with pytest.raises(CardsRefused) as refused:
        file_application(chen, reason="first")
    assert refused.value.code == "not_first"
    with pytest.raises(CardsRefused) as refused:
        file_application(chen, reason="lost")
    assert refused.value.code == "has_valid_card"
    services.report_lost(person=chen)
    with pytest.raises(CardsRefused) as refused:
        file_application(chen, reason="damaged")
    assert refused.value.code == "no_valid_card"
    assert not CardApplication.objects.exists()
    assert file_application(chen, reason="lost").fee == 200


def test_someone_without_a_card_applies_for_the_first_card_free(chen):
    NhiCard.objects.filter(person=chen).delete()
    application = file_application(chen, reason="first", bank_code="", account_number="")
    assert (application.fee, application.replaces) == (0, None)


def test_one_application_at_a_time(chen, chen_account):
    file_application(chen)
    with pytest.raises(CardsRefused) as refused:
        file_application(chen)
    assert refused.value.code == "open_application"
    assert CardApplication.objects.count() == 1
    assert BankEntry.objects.count() == 1  # the fee is not taken twice


def test_a_photo_that_is_no_image_is_refused_before_paying(chen, chen_account):
    with pytest.raises(CardsRefused) as refused:
        file_application(chen, photo=b"%PDF-1.7 not a photo")
    assert refused.value.code == "not_image"
    assert not BankEntry.objects.exists() and _stored_photos() == []


def test_pickup_needs_an_office_of_the_list(chen, chen_account):
    with pytest.raises(CardsRefused) as refused:
        file_application(chen, delivery="pickup", office="mars")
    assert refused.value.code == "invalid_office"
    application = file_application(chen, delivery="pickup", office="south")
    assert (application.office, application.office_phone, application.postal_address) == (
        "south",
        "(06)224-5678",
        "",
    )


# --- a card reported lost stops working everywhere -------------------------------------------


def _agent_answer(server, method: str, path: str, body: dict | None = None):
    port = server.server_port
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_lost_card_is_refused_at_sign_in_by_card_checks_and_by_the_card_agent(
    chen, django_capture_on_commit_callbacks
):
    account = registered(CHEN)
    assert (
        sign_in(method="password", national_id=CHEN, card_number=CHEN_CARD, password=PASSWORD)
        == account
    )
    signed_before = sign_with_card(CHEN_CARD)  # a reading made before the report

    with django_capture_on_commit_callbacks(execute=True):
        card = services.report_lost(person=chen)

    assert card.status == NhiCard.Status.LOST
    assert AuditEvent.objects.filter(person=chen, action="card.lost", detail__card=card.pk).exists()
    notice = Notice.objects.get(person=chen, kind=Notice.Kind.CARD_LOST)
    assert notice.facts["card"] == "0000********"
    # identity's card check: a signature the card made before the report is worth nothing now
    with pytest.raises(CardRefused) as refused:
        cards.verify_card(**signed_before)
    assert refused.value.code == "card_invalid"
    # 一般登入 (ID + card number + password)
    with pytest.raises(IdentityError) as refused_login:
        sign_in(method="password", national_id=CHEN, card_number=CHEN_CARD, password=PASSWORD)
    assert refused_login.value.code == "invalid_login"
    # the app's phone verification with the card's last four digits
    with pytest.raises(IdentityError):
        devices.verify_by_phone(
            card_last4=CHEN_CARD[-4:],
            mobile="0912000001",
            national_id=CHEN,
            password=PASSWORD,
            **IPHONE,
        )
    # the card reader component: reading and signing answer card_lost
    cardreader.insert(card_number=CHEN_CARD)
    for action in (cardreader.read_nhi_card, lambda: cardreader.sign_with_nhi_card("x")):
        with pytest.raises(cardreader.CardError) as refused_card:
            action()
        assert refused_card.value.code == "card_lost"
    server = cardagent.start_in_thread("127.0.0.1", 0, [])
    try:
        assert _agent_answer(server, "GET", "/nhi")[0] == 410
        status, body = _agent_answer(server, "POST", "/nhi/sign", {"challenge": "x"})
        assert (status, body["code"]) == (410, "card_lost")
    finally:
        server.shutdown()
        server.server_close()


def test_reporting_twice_is_refused(chen):
    services.report_lost(person=chen)
    with pytest.raises(CardsRefused) as refused:
        services.report_lost(person=chen)
    assert refused.value.code == "nothing_to_report"
    assert AuditEvent.objects.filter(person=chen, action="card.lost").count() == 1


# --- the decision -----------------------------------------------------------------------------


def test_approving_a_lost_cards_replacement_issues_a_card_that_signs_in(
    chen, chen_account, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_lost(person=chen)
    application = file_application(chen, reason="lost")
    with django_capture_on_commit_callbacks(execute=True):
        card = services.approve(application=application, staff_user=reviewer)

    old = NhiCard.objects.get(number=CHEN_CARD)
    assert old.status == NhiCard.Status.LOST  # stays lost, not "replaced"
    assert (card.status, len(card.number), card.person) == ("valid", 12, chen)
    assert card.number != CHEN_CARD and card.public_key.startswith("-----BEGIN PUBLIC KEY")
    issuance = CardIssuance.objects.get(card=card)
    assert (issuance.reason, issuance.channel, issuance.fee) == ("lost", "online", 200)
    application.refresh_from_db()
    assert (application.status, application.card) == ("approved", card)
    assert Notice.objects.filter(person=chen, kind=Notice.Kind.CARD).exists()
    assert AuditEvent.objects.filter(person=chen, action="card.issued").exists()
    # The card agent now serves the new card: it signs with the new key and identity accepts it.
    assert cardreader.card_number_for(CHEN) == card.number
    proof = cards.verify_card(**sign_with_card(card.number))
    assert (proof.person, proof.card) == (chen, card)
    run_tasks()
    sent = [m for m in mail.outbox if "健保卡申請核准" in m.subject]
    assert len(sent) == 1
    assert card.number[:4] in sent[0].body and "no longer works" in sent[0].body


def test_approving_a_damaged_cards_replacement_retires_the_old_card(
    chen, chen_account, reviewer, django_capture_on_commit_callbacks
):
    application = file_application(chen, reason="damaged")
    with django_capture_on_commit_callbacks(execute=True):
        card = services.approve(application=application, staff_user=reviewer)

    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.REPLACED
    assert NhiCard.objects.get(person=chen, status="valid") == card
    cardreader.insert(card_number=CHEN_CARD)
    with pytest.raises(cardreader.CardError) as refused:
        cardreader.read_nhi_card()
    assert refused.value.code == "card_replaced"
    with pytest.raises(CardRefused):
        cards.verify_card(**_signed_with_file_key(CHEN_CARD))


class _Boom(Exception):
    pass


def test_a_report_rolled_back_leaves_the_card_working_in_the_card_agent(
    chen, django_capture_on_commit_callbacks
):
    """Something failing after the report, in the same transaction: the database keeps the
    card valid, and so does the card agent."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(_Boom), transaction.atomic():
            services.report_lost(person=chen)
            raise _Boom
    assert callbacks == []
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.VALID
    cardreader.insert(card_number=CHEN_CARD)
    assert cardreader.read_nhi_card()["card_number"] == CHEN_CARD
    cards.verify_card(**sign_with_card(CHEN_CARD))  # still signs in


def test_an_approval_rolled_back_writes_no_card_and_keeps_the_old_one_in_the_card_agent(
    chen, chen_account, reviewer, django_capture_on_commit_callbacks
):
    application = file_application(chen, reason="damaged")
    before = {p.name for p in cardreader.reader_dir().iterdir()}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(_Boom), transaction.atomic():
            services.approve(application=application, staff_user=reviewer)
            raise _Boom
    assert callbacks == []
    assert {p.name for p in cardreader.reader_dir().iterdir()} == before  # no new card's file
    assert list(NhiCard.objects.filter(person=chen).values_list("number", "status")) == [
        (CHEN_CARD, "valid")
    ]
    cardreader.insert(card_number=CHEN_CARD)
    assert cardreader.read_nhi_card()["card_number"] == CHEN_CARD  # not withdrawn


def _signed_with_file_key(number: str) -> dict:
    """A challenge signed with the card's key as its file holds it (past the agent's check)."""
    data = json.loads(cardreader._card_path(number).read_text())
    key = cardreader.ec_private_key(data["private_key"].encode(), None)
    challenge = cards.new_challenge()
    signature = base64.b64encode(key.sign(challenge.encode(), cardreader.SIGNATURE)).decode()
    return {"challenge": challenge, "card_number": number, "signature": signature}


def test_rejecting_a_paid_application_refunds_the_fee(
    chen, chen_account, reviewer, django_capture_on_commit_callbacks
):
    application = file_application(chen)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(application=application, staff_user=reviewer, reason="Blurred photo.")

    application.refresh_from_db()
    assert application.status == "rejected" and application.refunded_at is not None
    chen_account.refresh_from_db()
    assert chen_account.balance == 1000
    assert BankEntry.objects.filter(kind="credit", amount=200).count() == 1
    assert NhiCard.objects.get(number=CHEN_CARD).status == "valid"  # nothing changed
    assert AuditEvent.objects.filter(person=chen, action="bank.credited").exists()
    run_tasks()
    sent = [m for m in mail.outbox if "退件" in m.subject]
    assert len(sent) == 1 and "Blurred photo." in sent[0].body
    assert "NT$200 you paid has been paid back" in sent[0].body
    assert "工本費新臺幣 200 元已退還" in sent[0].body


def test_a_refund_the_bank_refuses_is_kept_for_staff(chen, chen_account, reviewer):
    application = file_application(chen)
    BankAccount.objects.filter(pk=chen_account.pk).update(status="closed")
    services.reject(application=application, staff_user=reviewer, reason="Blurred photo.")
    application.refresh_from_db()
    assert (application.status, application.refunded_at, application.refund_refused) == (
        "rejected",
        None,
        "closed",
    )


def test_a_decided_application_cannot_be_decided_again(chen, chen_account, reviewer):
    application = file_application(chen)
    services.approve(application=application, staff_user=reviewer)
    with pytest.raises(ReviewRefused):
        services.approve(application=application, staff_user=reviewer)
    with pytest.raises(ReviewRefused):
        services.reject(application=application, staff_user=reviewer, reason="x")
    assert NhiCard.objects.filter(person=chen).count() == 2
    assert not BankEntry.objects.filter(kind="credit").exists()


def test_a_data_change_keeps_the_bank_out_of_it(chen, reviewer):
    application = file_application(chen, reason="data_change", bank_code="", account_number="")
    services.reject(application=application, staff_user=reviewer, reason="No change on file.")
    assert not BankEntry.objects.exists()


def test_the_card_is_posted_to_the_address_of_the_day_it_is_issued(
    client, chen, chen_account, reviewer, staff_login, django_capture_on_commit_callbacks
):
    """Filed with post to the registered address; the person then sets a mailing address
    (which, the address page says, cards go to from that day): the card goes there, and
    the person, the staff and the e-mail say so."""
    from django.test import Client

    from healthbank.billing.services import change_mailing_address
    from healthbank.cards.tests.helpers import signed_in
    from healthbank.people.addresses import postal_address
    from healthbank.people.models import Village

    application = file_application(chen, delivery="post")
    filed = application.postal_address
    village = Village.objects.exclude(pk=chen.household.village_id).first()
    change_mailing_address(
        person=chen, village=village, neighbourhood=None, street_address="中山路1號"
    )
    new = postal_address(chen)
    assert new.is_mailing and new.address != filed

    staff_page = give_reason(staff_login(Client(), reviewer), chen).get(
        f"/staff/cards/cardapplication/{application.pk}/change/"
    )
    assert new.address in staff_page.content.decode()
    signed_in(client, CHEN, "en")
    own_page = client.get(f"/eservice/cards/{application.pk}/").content.decode()
    assert new.address in own_page and filed not in own_page

    with django_capture_on_commit_callbacks(execute=True):
        services.approve(application=application, staff_user=reviewer)
    application.refresh_from_db()
    assert (application.postal_code, application.postal_address) == (
        new.postal_code,
        new.address,
    )
    own_page = client.get(f"/eservice/cards/{application.pk}/").content.decode()
    assert f"Posted to {new.postal_code} {new.address}" in own_page
    run_tasks()
    approved = [m for m in mail.outbox if "健保卡申請核准" in m.subject]
    assert len(approved) == 1 and new.address in approved[0].body and filed not in approved[0].body

    # Moving again after the card was posted does not move it.
    change_mailing_address(
        person=chen, village=village, neighbourhood=None, street_address="中山路2號"
    )
    application.refresh_from_db()
    assert application.postal_address == new.address


# --- the fee's account: the full number only while a refund may be needed -------------------


def _pages(application: CardApplication, client, staff) -> str:
    own = client.get(f"/eservice/cards/{application.pk}/").content.decode()
    listed = client.get("/eservice/cards/").content.decode()
    desk = staff.get(f"/staff/cards/cardapplication/{application.pk}/change/").content.decode()
    return own + listed + desk


@pytest.fixture
def pages(client, chen, reviewer, staff_login):
    from django.test import Client

    from healthbank.cards.tests.helpers import signed_in

    signed_in(client, CHEN, "en")
    staff = staff_login(Client(), reviewer)
    return lambda application: _pages(application, client, staff)


def test_pages_show_only_the_last_digits_and_an_approval_forgets_the_rest(
    chen, chen_account, reviewer, pages
):
    application = file_application(chen)
    assert application.account_number == ACCOUNT  # a refund may be needed until the decision
    page = pages(application)
    assert f"{BANK}-…{ACCOUNT[-4:]}" in page and ACCOUNT not in page

    services.approve(application=application, staff_user=reviewer)
    application.refresh_from_db()
    assert (application.account_number, application.account_last4) == ("", ACCOUNT[-4:])
    assert not CardApplication.objects.filter(account_number__contains=ACCOUNT[:6]).exists()
    page = pages(application)
    assert f"{BANK}-…{ACCOUNT[-4:]}" in page and ACCOUNT not in page


def test_a_rejection_forgets_the_number_once_the_fee_is_paid_back(chen, chen_account, reviewer):
    application = file_application(chen)
    services.reject(application=application, staff_user=reviewer, reason="Blurred photo.")
    application.refresh_from_db()
    assert application.refunded_at is not None
    assert (application.account_number, application.account_last4) == ("", ACCOUNT[-4:])


def test_a_refused_refund_keeps_the_number_until_it_is_made_again(
    chen, chen_account, reviewer, pages
):
    application = file_application(chen)
    BankAccount.objects.filter(pk=chen_account.pk).update(status="closed")
    services.reject(application=application, staff_user=reviewer, reason="Blurred photo.")
    application.refresh_from_db()
    assert application.account_number == ACCOUNT  # needed to pay it back
    assert ACCOUNT not in pages(application)

    BankAccount.objects.filter(pk=chen_account.pk).update(status="open")
    services.refund_again(application=application, staff_user=reviewer)
    application.refresh_from_db()
    assert application.refunded_at is not None
    assert (application.account_number, application.account_last4) == ("", ACCOUNT[-4:])
    assert f"{BANK}-…{ACCOUNT[-4:]}" in pages(application)


def test_the_migration_keeps_the_full_number_only_where_a_refund_waits(
    chen, huang, chen_account, reviewer
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("healthbank.cards.migrations.0002_account_last_digits")
    waiting = file_application(chen)
    BankAccount.objects.filter(pk=chen_account.pk).update(status="closed")
    services.reject(application=waiting, staff_user=reviewer, reason="Blurred photo.")
    BankAccount.objects.filter(pk=chen_account.pk).update(status="open")
    pending = file_application(chen)
    decided = file_application(huang, reason="data_change", bank_code="", account_number="")
    services.reject(application=decided, staff_user=reviewer, reason="No change on file.")
    # As rows were before the migration: the full number everywhere, no last digits.
    CardApplication.objects.update(account_number=ACCOUNT, account_last4="")

    migration.keep_last_digits(apps, None)

    rows = dict(CardApplication.objects.values_list("pk", "account_number"))
    assert rows == {waiting.pk: ACCOUNT, pending.pk: ACCOUNT, decided.pk: ""}
    assert set(CardApplication.objects.values_list("account_last4", flat=True)) == {ACCOUNT[-4:]}
