"""The card agent over real HTTP, as the site's pages call it, and `healthbank cardagent`."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from healthbank.external import cardagent, cardreader
from healthbank.identity import cards
from healthbank.identity.tests.cardhelpers import CHEN_CARD, CHEN_ID, PIN, seed_personas

SITE = "http://127.0.0.1:8000"


@pytest.fixture
def agent():
    server = cardagent.start_in_thread("127.0.0.1", 0, [SITE])
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def personas(db):
    seed_personas()


def call(url: str, body: dict | bytes | None = None, method: str | None = None, **headers):
    """(status, headers, JSON body) of one request to the agent."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data, headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - local
            raw = response.read()
            return response.status, response.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def test_status_says_the_agent_is_running(agent):
    status, _, body = call(f"{agent}/status")

    assert status == 200
    assert body == {"agent": "healthbank cardagent"}


def test_reading_without_a_card_says_no_card(agent, personas):
    status, _, body = call(f"{agent}/nhi")

    assert status == 404
    assert body["code"] == "no_card"


def test_an_inserted_card_is_read(agent, personas):
    cardreader.insert(card_number=CHEN_CARD)

    status, _, body = call(f"{agent}/nhi")

    assert status == 200
    assert body == {"card_number": CHEN_CARD, "name": "陳志明"}


def test_the_card_signs_a_challenge_the_server_accepts(agent, personas):
    cardreader.insert(card_number=CHEN_CARD)
    challenge = cards.new_challenge()

    status, _, signed = call(f"{agent}/nhi/sign", {"challenge": challenge}, Origin=SITE)

    assert status == 200
    proof = cards.verify_card(
        challenge=challenge, card_number=signed["card_number"], signature=signed["signature"]
    )
    assert proof.person.national_id == CHEN_ID


def test_the_certificate_card_signs_with_the_right_pin(agent, personas):
    cardreader.insert(certificate_of=CHEN_ID)
    challenge = cards.new_challenge()

    status, _, signed = call(f"{agent}/certificate/sign", {"challenge": challenge, "pin": PIN})

    assert status == 200
    proof = cards.verify_certificate(
        challenge=challenge, certificate=signed["certificate"], signature=signed["signature"]
    )
    assert proof.person.national_id == CHEN_ID


def test_a_wrong_pin_is_refused(agent, personas):
    cardreader.insert(certificate_of=CHEN_ID)

    status, _, body = call(f"{agent}/certificate/sign", {"challenge": "c", "pin": "000000"})

    assert status == 403
    assert body["code"] == "pin_incorrect"


def test_the_site_may_use_the_agent_from_its_pages(agent):
    status, headers, _ = call(f"{agent}/status", Origin=SITE)

    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == SITE


def test_another_site_may_not_use_the_card(agent, personas):
    cardreader.insert(card_number=CHEN_CARD)

    read = call(f"{agent}/nhi", Origin="https://evil.example")
    signed = call(f"{agent}/nhi/sign", {"challenge": "c"}, Origin="https://evil.example")

    for status, headers, body in (read, signed):
        assert status == 403
        assert body["code"] == "origin"
        assert "Access-Control-Allow-Origin" not in headers


def test_a_page_on_a_rebound_name_may_not_read_the_card(agent, personas):
    """DNS rebinding: evil.example resolves to 127.0.0.1, its page's GET is same-origin."""
    cardreader.insert(card_number=CHEN_CARD)

    status, _, body = call(f"{agent}/nhi", Host="evil.example")

    assert status == 403
    assert body["code"] == "host"


def test_the_preflight_allows_the_site_only(agent):
    allowed = call(f"{agent}/nhi/sign", method="OPTIONS", Origin=SITE)
    foreign = call(f"{agent}/nhi/sign", method="OPTIONS", Origin="https://evil.example")

    assert allowed[0] == 204
    assert allowed[1]["Access-Control-Allow-Origin"] == SITE
    assert "POST" in allowed[1]["Access-Control-Allow-Methods"]
    assert "Content-Type" in allowed[1]["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in foreign[1]


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"pin": "123456"}', b"[1, 2]", b'"just a string"']
)
def test_a_request_without_a_json_challenge_is_refused(agent, body):
    status, _, reply = call(f"{agent}/nhi/sign", body)

    assert status == 400
    assert reply["code"] == "bad_request"


def raw_post(agent: str, path: str, length: str, body: bytes = b"") -> tuple[int, dict]:
    host, port = agent.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", length)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_an_oversized_request_is_refused_unread(agent):
    status, reply = raw_post(agent, "/nhi/sign", str(cardagent.MAX_BODY + 1))

    assert status == 400
    assert reply["code"] == "bad_request"


@pytest.mark.parametrize("length", ["-1", "many"])
def test_a_nonsense_length_is_refused_at_once(agent, length):
    status, reply = raw_post(agent, "/nhi/sign", length)

    assert status == 400
    assert reply["code"] == "bad_request"


def test_an_unknown_path_is_not_found(agent):
    status, _, body = call(f"{agent}/keys")

    assert status == 404
    assert body["code"] == "not_found"


# --- `healthbank cardagent` ---------------------------------------------------------------


def test_insert_by_national_id_puts_the_card_in_the_reader(personas, capsys):
    call_command("cardagent", "insert", "a123456789")

    assert cardreader.inserted() == {"nhi": CHEN_CARD}
    inserted = json.loads((cardreader.reader_dir() / "inserted.json").read_text())
    assert inserted == {"nhi": CHEN_CARD}
    assert "inserted" in capsys.readouterr().out


def test_insert_by_card_number_and_certificate(personas):
    call_command("cardagent", "insert", CHEN_CARD)
    call_command("cardagent", "insert", CHEN_ID, "--certificate")

    assert cardreader.inserted() == {"nhi": CHEN_CARD, "certificate": CHEN_ID}

    call_command("cardagent", "eject")
    assert cardreader.inserted() == {"certificate": CHEN_ID}


@pytest.mark.parametrize("who", ["Z199999999", "000099999999"])
def test_insert_of_an_unknown_card_says_so(personas, who):
    with pytest.raises(CommandError, match="seed the database"):
        call_command("cardagent", "insert", who)


def test_insert_needs_to_know_whose_card(personas):
    with pytest.raises(CommandError, match="Say whose card"):
        call_command("cardagent", "insert")
