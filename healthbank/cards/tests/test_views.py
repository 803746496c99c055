"""The card pages under /eservice/cards/: the list, the application form (each bad field or
upload refused in both languages, nothing written), the lost-card report, and an
application's page (the owner's alone)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from healthbank.cards import services
from healthbank.cards.models import CardApplication
from healthbank.cards.tests.helpers import (
    ACCOUNT,
    BANK,
    CHEN,
    CHEN_CARD,
    WU,
    file_application,
    jpeg,
    signed_in,
)
from healthbank.external.models import BankAccount, BankEntry
from healthbank.identity.tests.cardhelpers import certificate_fields
from healthbank.people.models import NhiCard


def _upload(data: bytes, name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _again(national_id: str = CHEN) -> dict:
    """Asked again in a certificate session: the certificate read again (a fresh challenge)."""
    return {f"confirm-{name}": value for name, value in certificate_fields(national_id).items()}


def _form(**changes) -> dict:
    return (
        _again()
        | {
            "reason": "damaged",
            "photo": _upload(jpeg()),
            "delivery": "post",
            "office": "",
            "bank_code": BANK,
            "account_number": ACCOUNT,
        }
        | changes
    )


def test_the_page_needs_an_eservice_sign_in(client, personas):
    response = client.get("/eservice/cards/")
    assert response.status_code == 302 and "/eservice/login/" in response["Location"]


def test_the_owner_sees_the_cards_masked_and_the_applications(client, chen, chen_account):
    application = file_application(chen)
    signed_in(client, CHEN, "en")
    page = client.get("/eservice/cards/").content.decode()
    assert "0000********" in page and CHEN_CARD not in page
    assert f"/eservice/cards/{application.pk}/" in page and "Under review" in page


def test_an_application_is_filed_and_its_page_shows_the_payment(client, chen, chen_account):
    signed_in(client, CHEN, "en")
    response = client.post("/eservice/cards/apply/", _form())
    application = CardApplication.objects.get(person=chen)
    assert response.status_code == 302
    assert response["Location"] == f"/eservice/cards/{application.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Replacement for a damaged card" in page and "004-…9012" in page
    assert BankEntry.objects.get().amount == 200


def test_another_person_gets_404_for_the_owners_application(client, chen, chen_account):
    application = file_application(chen)
    owner = signed_in(client, CHEN)
    assert owner.get(f"/eservice/cards/{application.pk}/").status_code == 200
    outsider = signed_in(Client(), WU)
    assert outsider.get(f"/eservice/cards/{application.pk}/").status_code == 404
    assert (
        f"/eservice/cards/{application.pk}/"
        not in outsider.get("/eservice/cards/").content.decode()
    )


BAD_FIELDS = [
    ({"reason": ""}, "請選擇申請原因。", "Choose why you need a card."),
    ({"reason": "photo"}, "請選擇申請原因。", "Choose why you need a card."),
    ({"photo": ""}, "請上傳證件照片。", "Upload your ID photo."),
    (
        {"photo": _upload(b"%PDF-1.7 not a photo", "scan.pdf")},
        "此檔案不是照片",
        "This file is not a photo.",
    ),
    ({"photo": _upload(jpeg((120, 150)))}, "照片太小", "The photo is too small"),
    ({"delivery": ""}, "請選擇領卡方式。", "Choose how the card should reach you."),
    ({"delivery": "pickup"}, "請選擇領卡的健保署業務組。", "Choose the NHIA office where"),
    (
        {"delivery": "pickup", "office": "mars"},
        "請從清單選擇健保署業務組。",
        "Choose an NHIA office",
    ),
    ({"bank_code": ""}, "請選擇扣款的金融機構", "choose the bank it is paid from"),
    ({"bank_code": "999"}, "請從清單中選擇您的金融機構。", "Choose your bank from the list."),
    ({"account_number": ""}, "請輸入扣款帳號", "enter the account it is paid from"),
    ({"account_number": "12-34"}, "請依存摺輸入 10 至 16 位數字的帳號。", "10 to 16 digits"),
    (
        {"account_number": "１２３４５６７８９Ⅹ１２"},
        "請依存摺輸入 10 至 16 位數字的帳號。",
        "10 to 16 digits",
    ),
    ({"reason": "first"}, "不屬於首次申請", "this is not your first card"),
    ({"reason": "lost"}, "若已遺失，請先辦理掛失", "If it is lost, report it lost first"),
]


@pytest.mark.parametrize(("change", "zh", "en"), BAD_FIELDS)
def test_bad_input_is_refused_in_both_languages_and_nothing_is_written(
    client, chen, chen_account, change, zh, en
):
    for language, text in (("zh-hant", zh), ("en", en)):
        signed_in(client, CHEN, language)
        fields = _form(**change)
        if isinstance(fields["photo"], str) and not fields["photo"]:
            del fields["photo"]
        else:
            fields["photo"].seek(0)
        response = client.post("/eservice/cards/apply/", fields)
        assert response.status_code == 200
        assert text in response.content.decode(), (language, change)
    assert not CardApplication.objects.exists()
    assert not BankEntry.objects.exists()
    chen_account.refresh_from_db()
    assert chen_account.balance == 1000


def test_the_banks_refusal_is_shown_in_both_languages(client, chen, chen_account):
    BankAccount.objects.filter(pk=chen_account.pk).update(balance=50)
    for language, text in (
        ("zh-hant", "帳戶餘額不足"),
        ("en", "balance is not enough"),
    ):
        signed_in(client, CHEN, language)
        response = client.post("/eservice/cards/apply/", _form())
        assert response.status_code == 200
        assert text in response.content.decode()
    assert not CardApplication.objects.exists() and not BankEntry.objects.exists()


def test_reporting_the_card_lost_needs_the_tick_then_leads_to_the_replacement(client, chen):
    signed_in(client, CHEN, "en")
    response = client.post("/eservice/cards/lost/", {})
    assert "Tick the box to confirm that your card is lost." in response.content.decode()
    assert NhiCard.objects.get(number=CHEN_CARD).status == "valid"
    signed_in(client, CHEN, "zh-hant")
    assert (
        "請勾選確認您的健保卡已遺失。" in client.post("/eservice/cards/lost/", {}).content.decode()
    )

    response = client.post("/eservice/cards/lost/", {"confirm": "on"} | _again())
    assert response.status_code == 302
    assert response["Location"] == "/eservice/cards/apply/?reason=lost"
    assert NhiCard.objects.get(number=CHEN_CARD).status == "lost"
    page = client.get(response["Location"]).content.decode()
    assert "您的健保卡已掛失並停用" in page
    assert 'value="lost" checked' in page.replace("\n", " ") or "checked" in page


def test_the_list_takes_as_many_queries_however_many_applications(
    client, chen, chen_account, reviewer, django_assert_max_num_queries
):
    signed_in(client, CHEN)
    first = file_application(chen, reason="data_change", bank_code="", account_number="")
    with CaptureQueriesContext(connection) as one:
        client.get("/eservice/cards/")
    services.reject(application=first, staff_user=reviewer, reason="No change on file.")
    for _ in range(3):
        application = file_application(chen)
        services.reject(application=application, staff_user=reviewer, reason="Blurred.")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/eservice/cards/").content.decode()
    for application in CardApplication.objects.all():
        assert f'href="/eservice/cards/{application.pk}/"' in page
    assert CardApplication.objects.count() == 4


def test_the_form_says_when_an_application_is_under_review(client, chen, chen_account):
    application = file_application(chen)
    signed_in(client, CHEN, "en")
    page = client.get("/eservice/cards/apply/").content.decode()
    assert "You already have a card application under review." in page
    assert f'href="/eservice/cards/{application.pk}/"' in page and 'name="photo"' not in page
    response = client.post("/eservice/cards/apply/", _form())
    assert "You already have a card application under review." in response.content.decode()
    assert CardApplication.objects.count() == 1 and BankEntry.objects.count() == 1


def test_the_report_keeps_its_own_session_and_ends_the_others_signed_in_with_the_card(
    chen, chen_account
):
    """The holder reporting the loss stays signed in to apply for the replacement, though
    signed in with the lost card (without a certificate there is no other way in); every
    other session signed in with that card ends on its next request."""
    from healthbank.identity.sessions import SIGNED_IN_CARD
    from healthbank.identity.tests.cardhelpers import PASSWORD, eservice_sign_in, registered

    registered(CHEN)
    reporting, elsewhere = Client(), Client()
    eservice_sign_in(reporting, CHEN, password=PASSWORD)  # both with the NHI card
    eservice_sign_in(elsewhere, CHEN, password=PASSWORD)

    again = {"confirm-password": PASSWORD}
    response = reporting.post("/eservice/cards/lost/", {"confirm": "on"} | again)
    assert response["Location"] == "/eservice/cards/apply/?reason=lost"
    assert SIGNED_IN_CARD not in reporting.session
    assert reporting.get(response["Location"]).status_code == 200
    applied = reporting.post("/eservice/cards/apply/", _form(reason="lost") | again)
    assert applied.status_code == 302
    assert CardApplication.objects.get(person=chen).reason == "lost"

    ended = elsewhere.get("/eservice/cards/", follow=True)
    assert ended.redirect_chain[0] == ("/eservice/login/", 302)
    assert "您登入時使用的健保卡已掛失或換發" in ended.content.decode()


# --- sensitive actions ask again ---------------------------------------------------------------


def test_a_card_session_retypes_the_password_to_report_the_loss(client, chen):
    from healthbank.audit.models import AuditEvent
    from healthbank.identity.tests.cardhelpers import PASSWORD, eservice_sign_in, registered

    registered(CHEN)
    client.cookies["django_language"] = "en"
    eservice_sign_in(client, CHEN, password=PASSWORD)  # NHI card + password
    page = client.get("/eservice/cards/lost/").content.decode()
    assert 'name="confirm-password"' in page and "data-cardreader" not in page

    for again, message in (
        ({}, "Enter your registration password to confirm."),
        ({"confirm-password": "not-it"}, "The registration password is wrong."),
    ):
        response = client.post("/eservice/cards/lost/", {"confirm": "on"} | again)
        assert response.status_code == 200 and message in response.content.decode()
        assert NhiCard.objects.get(number=CHEN_CARD).status == "valid"
    assert AuditEvent.objects.filter(
        person=chen, action="reauth.failed", detail__purpose="card_lost"
    ).exists()
    client.cookies["django_language"] = "zh-hant"
    response = client.post("/eservice/cards/lost/", {"confirm": "on", "confirm-password": "x"})
    assert "註冊密碼錯誤" in response.content.decode()

    response = client.post("/eservice/cards/lost/", {"confirm": "on", "confirm-password": PASSWORD})
    assert response.status_code == 302
    assert NhiCard.objects.get(number=CHEN_CARD).status == "lost"


def test_a_certificate_session_reads_its_own_certificate_again(client, chen, personas):
    signed_in(client, CHEN, "en")
    page = client.get("/eservice/cards/lost/").content.decode()
    assert 'data-kind="certificate"' in page and 'name="confirm-password"' not in page

    response = client.post("/eservice/cards/lost/", {"confirm": "on"})
    assert "Insert your citizen digital certificate card" in response.content.decode()
    response = client.post("/eservice/cards/lost/", {"confirm": "on"} | _again("A223456781"))
    assert "Read your own citizen digital certificate card." in response.content.decode()
    assert NhiCard.objects.get(number=CHEN_CARD).status == "valid"
    signed_in(client, CHEN, "zh-hant")
    response = client.post("/eservice/cards/lost/", {"confirm": "on"} | _again("A223456781"))
    assert "請讀取您本人的自然人憑證" in response.content.decode()

    response = client.post("/eservice/cards/lost/", {"confirm": "on"} | _again())
    assert response.status_code == 302
    assert NhiCard.objects.get(number=CHEN_CARD).status == "lost"


def test_only_an_application_with_a_fee_asks_again(client, chen, chen_account):
    signed_in(client, CHEN, "en")
    no_again = {k: v for k, v in _form().items() if not k.startswith("confirm-")}
    response = client.post("/eservice/cards/apply/", no_again)
    assert response.status_code == 200
    assert "Insert your citizen digital certificate card" in response.content.decode()
    assert not CardApplication.objects.exists() and not BankEntry.objects.exists()

    free = no_again | {"reason": "data_change", "bank_code": "", "account_number": ""}
    free["photo"] = _upload(jpeg())
    assert client.post("/eservice/cards/apply/", free).status_code == 302
    assert CardApplication.objects.get(person=chen).fee == 0
