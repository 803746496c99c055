"""Behind reverse proxies (core/proxies.py): the address the per-address sign-in limit counts
and the audit trail records is the client's, read from X-Forwarded-For only past the proxies
settings.TRUSTED_PROXIES names. Shown through the app's sign-in, which audits every failure
with its address and refuses an address after too many."""

from __future__ import annotations

import pytest

from healthbank.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CLIENT = "198.51.100.7"
OTHER_CLIENT = "198.51.100.8"
FORGED = "203.0.113.66"


def fail_sign_in(client, remote: str, forwarded: str | None = None) -> int:
    """One app sign-in from an unverified device; its refusal is audited with the address."""
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    body = {
        "national_id": "A123456789",
        "password": "Wrong#1",
        "identifier": "phone-1",
        "device_credential": "none",
    }
    return client.post(
        "/api/v1/auth/login", body, content_type="application/json", **headers
    ).status_code


def audited_address() -> str:
    return AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("id").address


def test_a_forwarded_for_from_an_untrusted_peer_is_ignored(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.LOGIN_ADDRESS_LIMIT = 3

    for forged in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        assert fail_sign_in(client, CLIENT, forged) != 429
        assert audited_address() == CLIENT

    # A new forged address each time does not escape the per-address limit.
    assert fail_sign_in(client, CLIENT, "203.0.113.4") == 429


def test_without_trusted_proxies_forwarded_for_is_never_read(client, settings):
    settings.TRUSTED_PROXIES = []
    fail_sign_in(client, "10.0.0.1", CLIENT)
    assert audited_address() == "10.0.0.1"


def test_the_client_behind_two_trusted_proxies_is_the_one_counted(client, settings):
    """A load balancer (10.0.0.1) in front of a TLS proxy (192.168.4.2): the client's own
    X-Forwarded-For entries (left of what the proxies appended) are not believed."""
    settings.TRUSTED_PROXIES = ["10.0.0.1", "192.168.0.0/16"]
    settings.LOGIN_ADDRESS_LIMIT = 2

    fail_sign_in(client, "10.0.0.1", f"{FORGED}, {CLIENT}, 192.168.4.2")
    assert audited_address() == CLIENT
    fail_sign_in(client, "10.0.0.1", f"{OTHER_CLIENT}, 192.168.4.2")
    assert audited_address() == OTHER_CLIENT

    # One more failure each: both clients reach the limit, each on their own count.
    fail_sign_in(client, "10.0.0.1", f"{CLIENT}, 192.168.4.2")
    assert fail_sign_in(client, "10.0.0.1", f"{OTHER_CLIENT}, 192.168.4.2") != 429
    assert fail_sign_in(client, "10.0.0.1", f"{CLIENT}, 192.168.4.2") == 429
    assert fail_sign_in(client, "10.0.0.1", f"{OTHER_CLIENT}, 192.168.4.2") == 429
    assert fail_sign_in(client, "10.0.0.1", "198.51.100.9, 192.168.4.2") != 429


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        # Garbage left of the client's address was written by the client: never reached.
        (f"unknown, <script>, {CLIENT}", CLIENT),
        (f"{CLIENT}:4711", CLIENT),  # with a port
        ("[2001:db8::7]:443", "2001:db8::7"),
        (f"::ffff:{CLIENT}", CLIENT),  # an IPv4 client as a dual-stack proxy writes it
        (f" {CLIENT} ,192.168.4.2", CLIENT),
        # Malformed where a trusted proxy should have written: nothing beyond is believed,
        # the nearest address that is known stands for the client.
        (f"{FORGED}, unknown", "10.0.0.1"),
        (f"{FORGED}, not-an-address, 192.168.4.2", "192.168.4.2"),
        (f"{FORGED},, 192.168.4.2", "192.168.4.2"),
        ("", "10.0.0.1"),
    ],
)
def test_malformed_forwarded_for_entries(client, settings, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.1", "192.168.0.0/16"]
    fail_sign_in(client, "10.0.0.1", forwarded)
    assert audited_address() == expected
