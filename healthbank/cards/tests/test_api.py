"""申辦健保卡作業 in the app (/api/v1/counter/cards/): the owner (陳志明) reports his card lost
and applies for a replacement with the website's rules and audit; 黃冠宇's token sees none of
it (404 for an id); bad input gets a clear error in both languages and writes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthbank.api.tests.apphelpers import app_sign_in, get, post, post_form
from healthbank.audit.models import AuditEvent
from healthbank.cards.models import CardApplication
from healthbank.cards.tests.helpers import ACCOUNT, BANK, CHEN, CHEN_CARD, HUANG, jpeg
from healthbank.files import images
from healthbank.identity import cards as card_checks
from healthbank.identity.tests.cardhelpers import PASSWORD, sign_with_card
from healthbank.people.models import NhiCard

Action = AuditEvent.Action


@pytest.fixture
def chen_token(chen) -> str:
    return app_sign_in(CHEN)


@pytest.fixture
def huang_token(huang) -> str:
    return app_sign_in(HUANG)


def photo(content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("me.jpg", content or jpeg(), content_type="image/jpeg")


def lost(client, token, **body):
    return post(
        client, "/counter/cards/lost", {"confirm": True, "password": PASSWORD} | body, token
    )


def test_cards_lists_the_persons_cards_and_what_an_application_offers(client, chen, chen_token):
    answer = get(client, "/counter/cards", chen_token)
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid_card"]["number"].startswith("0000") and "*" in body["valid_card"]["number"]
    assert CHEN_CARD not in answer.content.decode()  # never the whole number
    assert {r["value"]: r["fee"] for r in body["reasons"]}["lost"] == 200
    assert body["asks_again"] == ["lost", "damaged"]
    assert body["applications"] == [] and body["open_application"] is None
    # Read as the website's page is: audited under the person, naming the service's page.
    read = AuditEvent.objects.filter(person=chen, action=Action.RECORDS_READ).latest("pk")
    assert read.detail["page"] == "app:cards:card"


def test_a_card_reported_lost_in_the_app_stops_signing_in_and_is_audited_once(
    client, chen, chen_token
):
    answer = lost(client, chen_token)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["card"]["status"] == "lost"
    assert "已掛失" in answer.json()["message"]
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.LOST
    # The website's service did it: one CARD_REPORTED_LOST, as from the web page.
    assert AuditEvent.objects.filter(person=chen, action=Action.CARD_REPORTED_LOST).count() == 1
    # The card no longer proves who holds it: web card sign-in and card checks refuse it.
    with pytest.raises(card_checks.CardRefused):
        card_checks.verify_card(**_signed(CHEN_CARD))
    # A second report: nothing left to report.
    again = lost(client, chen_token)
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_report"


def _signed(card_number: str) -> dict:
    signed = sign_with_card(card_number)
    return {k: signed[k] for k in ("challenge", "card_number", "signature")}


def test_the_lost_report_needs_the_box_ticked_and_the_password_again(client, chen, chen_token):
    unticked = lost(client, chen_token, confirm=False)
    assert unticked.status_code == 422
    assert unticked.json() == {"code": "invalid_confirm", "message": "請勾選確認您的健保卡已遺失。"}
    english = post(client, "/counter/cards/lost", {"password": PASSWORD}, chen_token, "en")
    assert english.json()["message"] == "Tick the box to confirm that your card is lost."
    wrong = lost(client, chen_token, password="not my password")
    assert wrong.status_code == 403 and wrong.json()["code"] == "password_again"
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.VALID  # nothing lost
    assert (
        AuditEvent.objects.filter(person=chen, action=Action.REAUTH_FAILED).get().detail["purpose"]
        == "card_lost"
    )


def test_a_replacement_is_applied_for_with_the_websites_rules(
    client, chen, chen_token, chen_account
):
    fields = {"reason": "lost", "delivery": "post", "bank_code": BANK, "account_number": ACCOUNT}
    # Before the report the card is valid: the service's rule says so, in words.
    early = post_form(
        client,
        "/counter/cards/applications",
        fields | {"photo": photo(), "password": PASSWORD},
        chen_token,
    )
    assert early.status_code == 422 and early.json()["code"] == "has_valid_card"
    assert lost(client, chen_token).status_code == 200
    # The fee is charged: the password is asked again before anything is paid.
    no_password = post_form(
        client, "/counter/cards/applications", fields | {"photo": photo()}, chen_token
    )
    assert no_password.status_code == 403 and no_password.json()["code"] == "password_again"
    chen_account.refresh_from_db()
    assert chen_account.balance == 1000 and not CardApplication.objects.exists()
    filed = post_form(
        client,
        "/counter/cards/applications",
        fields | {"photo": photo(), "password": PASSWORD},
        chen_token,
    )
    assert filed.status_code == 201, filed.json()
    assert filed.json()["fee"] == 200 and filed.json()["status"] == "pending"
    chen_account.refresh_from_db()
    assert chen_account.balance == 800
    assert AuditEvent.objects.filter(person=chen, action=Action.APPLICATION_FILED).count() == 1
    pk = filed.json()["id"]
    assert get(client, f"/counter/cards/applications/{pk}", chen_token).json()["id"] == pk
    listed = get(client, "/counter/cards", chen_token).json()
    assert listed["open_application"] == pk
    # A second one while the first is under review: refused, nothing paid twice.
    second = post_form(
        client,
        "/counter/cards/applications",
        fields | {"photo": photo(), "password": PASSWORD},
        chen_token,
    )
    assert second.status_code == 409 and second.json()["code"] == "open_application"


def test_another_persons_token_gets_404_for_an_application(
    client, chen, chen_token, huang_token, chen_account
):
    lost(client, chen_token)
    fields = {"reason": "lost", "delivery": "pickup", "office": "taipei", "bank_code": BANK}
    filed = post_form(
        client,
        "/counter/cards/applications",
        fields | {"account_number": ACCOUNT, "photo": photo(), "password": PASSWORD},
        chen_token,
    )
    pk = filed.json()["id"]
    other = get(client, f"/counter/cards/applications/{pk}", huang_token)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert get(client, "/counter/cards", huang_token).json()["applications"] == []
    assert get(client, f"/counter/cards/applications/{pk}", None).status_code == 401


def test_bad_input_is_refused_in_both_languages_and_nothing_is_written(client, chen, chen_token):
    missing = post_form(client, "/counter/cards/applications", {"reason": "damaged"}, chen_token)
    assert missing.status_code == 422
    assert missing.json() == {"code": "invalid_photo", "message": "請上傳證件照片。"}
    not_a_photo = post_form(
        client,
        "/counter/cards/applications",
        {"reason": "data_change", "delivery": "post", "photo": photo(b"not a picture")},
        chen_token,
        "en",
    )
    assert not_a_photo.status_code == 422
    assert not_a_photo.json()["code"] in images.MESSAGES
    assert not_a_photo.json()["message"] == str(images.MESSAGES[not_a_photo.json()["code"]])
    pickup = post_form(
        client,
        "/counter/cards/applications",
        {"reason": "damaged", "delivery": "pickup", "photo": photo()},
        chen_token,
        "en",
    )
    assert pickup.json() == {
        "code": "invalid_office",
        "message": "Choose the NHIA office where you will pick up the card.",
    }
    assert not CardApplication.objects.exists()
    assert NhiCard.objects.get(number=CHEN_CARD).status == NhiCard.Status.VALID
