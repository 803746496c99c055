"""Discovery: SMART's configuration and OpenID Connect's, under the FHIR base."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BASE = "http://testserver/fhir/r4"


def test_smart_configuration(client):
    response = client.get("/fhir/r4/.well-known/smart-configuration")
    assert response.status_code == 200
    config = response.json()
    assert config["issuer"] == BASE
    assert config["authorization_endpoint"] == "http://testserver/fhir/oauth/authorize/"
    assert config["token_endpoint"] == "http://testserver/fhir/oauth/token/"
    assert config["revocation_endpoint"] == "http://testserver/fhir/oauth/revoke/"
    assert config["jwks_uri"] == "http://testserver/fhir/oauth/jwks/"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["response_types_supported"] == ["code"]
    assert {"launch/patient", "openid", "fhirUser", "offline_access", "patient/*.rs"} <= set(
        config["scopes_supported"]
    )
    assert set(config["capabilities"]) == {
        "launch-standalone",
        "client-public",
        "client-confidential-symmetric",
        "context-standalone-patient",
        "permission-offline",
        "permission-patient",
        "permission-v2",
        "sso-openid-connect",
    }
    assert response["Access-Control-Allow-Origin"] == "*"


def test_openid_configuration_agrees(client):
    config = client.get("/fhir/r4/.well-known/openid-configuration").json()
    assert config["issuer"] == BASE
    assert config["jwks_uri"] == "http://testserver/fhir/oauth/jwks/"
    assert config["userinfo_endpoint"] == "http://testserver/fhir/oauth/userinfo/"
    assert "RS256" in config["id_token_signing_alg_values_supported"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert "fhirUser" in config["claims_supported"]


def test_jwks_publishes_one_rsa_key(client):
    keys = client.get("/fhir/oauth/jwks/").json()["keys"]
    assert [key["kty"] for key in keys] == ["RSA"]
    assert "d" not in keys[0]  # the public half only


def test_the_embedded_key_is_made_once_and_kept(tmp_path):
    from healthbank.fhir.keys import embedded_key

    first = embedded_key(tmp_path / "oidc")
    assert "PRIVATE KEY" in first
    assert embedded_key(tmp_path / "oidc") == first
    assert ((tmp_path / "oidc" / "oidc-rsa-key.pem").stat().st_mode & 0o077) == 0
