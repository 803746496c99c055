"""/providers/api/v1/vcard/: a clinic verifies a scanned QR code (identity, photo, cover),
the photo is for that clinic only, a second scan is refused; clinics' requests over HTTP.
And on PostgreSQL: two simultaneous scans of one code, exactly one succeeds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from healthbank.audit.models import AuditEvent
from healthbank.vcard import services
from healthbank.vcard.models import Authorisation, QrToken

VERIFY = "/providers/api/v1/vcard/verify"


def post(client, path: str, token: str, body: dict, language: str = "zh-hant"):
    client.cookies["django_language"] = language  # the site's language choice
    return client.post(
        path, body, content_type="application/json", headers={"authorization": f"Bearer {token}"}
    )


def test_verify_answers_who_the_photo_and_the_cover_then_refuses_a_rescan(client, family, card_for):
    card_for(family.parent)
    token, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)

    answer = post(client, VERIFY, family.clinic_token, {"token": token})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["national_id"], body["name"], body["presented_by"]) == (
        family.parent.national_id,
        "林雅婷",
        "self",
    )
    assert body["eligibility"]["insured"] is True and body["eligibility"]["category"] == 1
    photo = client.get(
        body["photo_url"], headers={"authorization": f"Bearer {family.clinic_token}"}
    )
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo.getvalue()[:3] == b"\xff\xd8\xff" and "no-store" in photo["Cache-Control"]
    other = client.get(body["photo_url"], headers={"authorization": f"Bearer {family.other_token}"})
    assert other.status_code == 403  # not an accepting clinic
    assert client.get(body["photo_url"]).status_code == 401

    again = post(client, VERIFY, family.clinic_token, {"token": token}, language="en")
    assert again.status_code == 409
    assert again.json() == {
        "code": "qr_used",
        "message": "This QR code has already been used. Ask the person to show a new QR code.",
    }
    zh = post(client, VERIFY, family.clinic_token, {"token": token}).json()["message"]
    assert "已使用" in zh


def test_refusals_over_http(client, family, card_for, clock):
    card_for(family.parent)
    token, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)

    assert post(client, VERIFY, "hbk_nope.nope", {"token": token}).status_code == 401
    refused = post(client, VERIFY, family.other_token, {"token": token})
    assert (refused.status_code, refused.json()["code"]) == (403, "not_accepting")
    garbled = post(client, VERIFY, family.clinic_token, {"token": "not a code"})
    assert (garbled.status_code, garbled.json()["code"]) == (404, "qr_invalid")
    clock.forward(minutes=5)
    late = post(client, VERIFY, family.clinic_token, {"token": token})
    assert (late.status_code, late.json()["code"]) == (410, "qr_expired")
    assert QrToken.objects.get().used_at is None
    assert not AuditEvent.objects.filter(action="vcard.verified").exists()


def test_a_clinic_request_over_http(client, family, card_for, clock):
    card_for(family.parent)
    asked = post(
        client,
        "/providers/api/v1/vcard/requests",
        family.clinic_token,
        {"national_id": family.parent.national_id},
    )
    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    assert asked.json()["card"] is None
    path = f"/providers/api/v1/vcard/requests/{asked.json()['id']}"
    bearer = {"authorization": f"Bearer {family.clinic_token}"}

    services.agree(person=family.parent, authorisation_id=asked.json()["id"])
    followed = client.get(path, headers=bearer).json()
    assert followed["state"] == "active" and followed["card"]["name"] == "林雅婷"

    clock.forward(hours=1)
    ended = client.get(path, headers=bearer).json()
    assert ended["state"] == "ended" and ended["card"] is None
    assert (
        client.get(path, headers={"authorization": f"Bearer {family.other_token}"}).status_code
        == 403
    )


NOBODY_ID = "A100000001"  # passes the check digit; nobody has it


def test_a_clinic_request_answers_the_same_whether_or_not_the_id_holds_a_card(
    client, family, card_for, clock
):
    """No enumeration of who has a virtual card: the same status, body, statements and rows
    for the card holder, a person without a card and an ID nobody has; each request waits,
    then lapses unanswered."""
    card_for(family.parent)
    bearer = {"authorization": f"Bearer {family.clinic_token}"}
    seen = {}
    asked_about = {
        "holder": family.parent.national_id,
        "no card": family.spouse.national_id,
        "nobody": NOBODY_ID,
    }
    for who, national_id in asked_about.items():
        rows = Authorisation.objects.count(), AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as statements:
            asked = post(
                client,
                "/providers/api/v1/vcard/requests",
                family.clinic_token,
                {"national_id": national_id.lower()},
            )
        body = asked.json()
        request_id = body.pop("id")
        again = post(
            client,
            "/providers/api/v1/vcard/requests",
            family.clinic_token,
            {"national_id": national_id},
        )
        followed = client.get(f"/providers/api/v1/vcard/requests/{request_id}", headers=bearer)
        seen[who] = (
            asked.status_code,
            body,
            len(statements),
            (Authorisation.objects.count() - rows[0], AuditEvent.objects.count() - rows[1]),
            again.json()["id"] == request_id,
            followed.status_code,
            {k: v for k, v in followed.json().items() if k != "id"},
        )
        seen[who + " id"] = request_id
    assert seen["holder"][0] == 201 and seen["holder"][1]["state"] == "pending"
    assert seen["holder"][3] == (1, 1) and seen["holder"][4] is True
    assert seen["holder"] == seen["no card"] == seen["nobody"]

    clock.forward(minutes=10)
    for who in asked_about:
        followed = client.get(
            f"/providers/api/v1/vcard/requests/{seen[who + ' id']}", headers=bearer
        )
        assert followed.json()["state"] == "lapsed", who


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_scans_of_one_code_exactly_one_succeeds(family, card_for):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises every write anyway")
    card_for(family.parent)
    scanners = 8
    for _round in range(5):
        token, _ = services.issue_qr(presenter=family.parent, owner_id=family.parent.pk)
        outcomes: list[str] = []
        start = threading.Barrier(scanners)

        def scan(token=token, outcomes=outcomes, start=start) -> None:
            start.wait()
            try:
                services.verify_qr(provider=family.clinic, token=token)
                outcomes.append("ok")
            except services.VcardError as refused:
                outcomes.append(refused.code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=scan) for _ in range(scanners)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["ok"] + ["qr_used"] * (scanners - 1)
    assert AuditEvent.objects.filter(action="vcard.verified").count() == 5
