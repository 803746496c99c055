"""Signing keys rotated: a new key signs new id_tokens (its `kid` in the header), the old
one stays published at the JWKS until its tokens have expired, then it goes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet
from jwcrypto.jwk import JWK
from oauth2_provider.settings import oauth2_settings

from healthbank.agencies.tests.test_oidc_client import sign_in_flow
from healthbank.fhir import keys
from tests.fixtures.personas import CHEN


def kid_of(pem: str) -> str:
    return JWK.from_pem(pem.encode()).thumbprint()


def header_kid(id_token: str) -> str:
    return jws.extract_compact(id_token.encode()).protected["kid"]


def test_rotating_retires_the_key_and_keeps_it_published_for_a_while(tmp_path):
    first = keys.embedded_key(tmp_path)

    published, deleted = keys.rotate(tmp_path, keep_seconds=3600, now=1_000_000)

    second = keys.embedded_key(tmp_path)
    assert second != first and (published, deleted) == (1, 0)
    assert keys.retired_keys(tmp_path, 3600, now=1_000_000 + 3599) == [first]
    assert keys.retired_keys(tmp_path, 3600, now=1_000_000 + 3600) == []

    keys.rotate(tmp_path, keep_seconds=3600, now=1_000_000 + 7200)  # the first is deleted

    assert keys.retired_keys(tmp_path, 10**9, now=1_000_000 + 7200) == [second]
    assert oct((tmp_path / "retired").stat().st_mode)[-3:] == "700"


def test_the_command_rotates_the_embedded_key(tmp_path, settings):
    settings.OIDC_KEY_DIR = tmp_path
    settings.OIDC_RSA_PRIVATE_KEY_FILE = ""
    first = keys.embedded_key(tmp_path)

    call_command("rotate_oidc_key")

    assert keys.embedded_key(tmp_path) != first
    assert keys.retired_keys(tmp_path, settings.OIDC_RETIRED_KEY_SECONDS) == [first]


@pytest.mark.django_db(transaction=True)
def test_a_token_signed_before_rotation_still_verifies_and_new_ones_use_the_new_key(
    live_server, card_sign_in, agency, settings, tmp_path
):
    person_client = Client()
    card_sign_in(person_client, CHEN)
    old_pem = oauth2_settings.OIDC_RSA_PRIVATE_KEY
    _config, _rp, before, _nonce, _cb = sign_in_flow(live_server, person_client, agency)
    assert header_kid(before["id_token"]) == kid_of(old_pem)

    keys.rotate(tmp_path, keep_seconds=3600)  # a new key, the old kept published
    new_pem = keys.embedded_key(tmp_path)
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": new_pem,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old_pem],
    }

    config, _rp, after, _nonce, _cb = sign_in_flow(live_server, person_client, agency)
    jwks = person_client.get("/fhir/oauth/jwks/").json()
    assert {key["kid"] for key in jwks["keys"]} == {kid_of(old_pem), kid_of(new_pem)}
    published = KeySet.import_key_set(jwks)
    assert header_kid(after["id_token"]) == kid_of(new_pem)
    for token in (before, after):  # each found in the JWKS by its kid, and verified
        claims = jwt.decode(token["id_token"], published).claims
        assert claims["national_id"] == CHEN and claims["iss"] == config["issuer"]

    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [],
    }  # past OIDC_RETIRED_KEY_SECONDS: the old key is gone, and so are its tokens
    gone = KeySet.import_key_set(person_client.get("/fhir/oauth/jwks/").json())
    with pytest.raises(InvalidKeyIdError):
        jwt.decode(before["id_token"], gone)
    assert jwt.decode(after["id_token"], gone).claims["sub"]
