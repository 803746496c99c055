"""Schemathesis against the providers' OpenAPI document (/providers/api/v1/openapi.json),
every check on, signed in with a real upload credential of a provider that accepts the
virtual card: generated requests, valid and invalid, never get a server error, and every
answer is what the document says (status, content type, {code, message}); what the
document calls valid is taken, what it calls invalid is refused."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.core.transforms import to_wire_text
from schemathesis.specs.openapi import checks

from healthbank.ingest import services
from healthbank.ingest.models import Credential
from healthbank.vcard.models import AcceptingSite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wsgi_keeps_the_tests_connection")]

# An upload is text on the wire whatever was generated, as schemathesis sends text/plain:
# send NDJSON the same way, and judge both as it judges text/plain (a value that is not a
# string becomes one when sent, so "accepting" it is no failure).
TEXT_BODIES = ("text/csv", "application/x-ndjson")
_stringifies = checks._is_stringifying_media_type
checks._is_stringifying_media_type = lambda media: _stringifies(media) or media in TEXT_BODIES


@schemathesis.serializer("application/x-ndjson")
def _ndjson(context, value) -> bytes:
    return value if isinstance(value, bytes) else to_wire_text(value).encode()


schema = schemathesis.openapi.from_wsgi("/providers/api/v1/openapi.json", get_wsgi_application())
# The hospital's credential, given this token: schemathesis prepares its coverage cases
# when the tests are collected, before any credential exists, so the token is known ahead.
TOKEN = "hbk_5c4e3a7a0b1d2e3f.schemathesis-" + "s" * 30


@schema.auth(refresh_interval=None)
class UploadCredential:
    """Every case is sent with the credential (schemathesis also tries without)."""

    def get(self, case, context) -> str:
        return TOKEN

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def credential(world, ingest_dir) -> None:
    key_id, secret_hash = services.token_parts(TOKEN)
    Credential.objects.filter(provider=world.hospital).update(
        key_id=key_id, secret_hash=secret_hash
    )
    assert services.authenticate(TOKEN).provider == world.hospital
    AcceptingSite.objects.create(provider=world.hospital, outpatient=True)


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_providers_api_answers_as_its_document_says(case, credential):
    case.call_and_validate()
