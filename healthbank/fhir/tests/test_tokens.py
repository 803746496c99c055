"""The token endpoint and what a token gives (fhir/access.py): the code exchanged once with
its PKCE verifier, the token response's launch context, hour-long access tokens, one-time
refresh tokens (a replay revokes the grant), and nothing once the grant is revoked, expired
or its app suspended."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from jwcrypto import jwk, jwt

from healthbank.audit.models import AuditEvent
from healthbank.fhir import services
from healthbank.fhir.access import bearer_access
from healthbank.fhir.models import Grant, Listing
from healthbank.fhir.tests.conftest import allow, exchange, refresh, start
from healthbank.identity import services as identity
from healthbank.identity.models import Account
from tests.fixtures.personas import CHEN

pytestmark = pytest.mark.django_db


def access_of(token: str):
    request = RequestFactory().get("/fhir/r4/Patient", HTTP_AUTHORIZATION=f"Bearer {token}")
    return bearer_access(request)


def tokens(client, listing, categories=("outpatient", "labs"), secret="", **query) -> dict:
    url, verifier = start(listing, **query)
    code = allow(client, url, list(categories))["code"]
    response = exchange(client, listing, code, verifier, secret=secret)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_token_response_carries_patient_scope_and_an_hour(client, sign_in, app):
    chen = sign_in(client, CHEN)
    body = tokens(client, app)
    assert body["patient"] == str(chen.pk)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert "patient/Condition.rs" in body["scope"].split()
    assert "patient/Immunization.rs" not in body["scope"].split()  # not ticked
    assert "offline_access" in body["scope"].split()
    assert body["refresh_token"]


def test_the_id_token_names_the_patient_as_fhir_user_signed_rs256(client, sign_in, app):
    chen = sign_in(client, CHEN)
    body = tokens(client, app)
    keys = jwk.JWKSet.from_json(client.get(reverse("oauth2_provider:jwks-info")).content)
    claims = json.loads(jwt.JWT(jwt=body["id_token"], key=keys).claims)
    assert claims["fhirUser"] == f"Patient/{chen.pk}"
    assert claims["iss"] == "http://testserver/fhir/r4"
    assert claims["aud"] == app.application.client_id
    assert json.loads(jwt.JWT(jwt=body["id_token"], key=keys).header)["alg"] == "RS256"


def test_no_refresh_token_without_offline_access(client, sign_in, app):
    sign_in(client, CHEN)
    body = tokens(client, app, scope="launch/patient patient/*.rs")
    assert "refresh_token" not in body
    assert "id_token" not in body


def test_the_access_says_what_may_be_read(client, sign_in, app):
    chen = sign_in(client, CHEN)
    body = tokens(client, app, categories=("vaccinations",))
    access = access_of(body["access_token"])
    assert access.person == chen
    assert access.listing == app
    assert access.categories == frozenset({"vaccinations"})
    assert access.resource_types == frozenset({"Immunization"})
    assert access.demographics is False
    assert access.patient_id == str(chen.pk)
    assert access.grant.last_used_at is not None


def test_demographics_bring_the_patient_resource(client, sign_in, app):
    sign_in(client, CHEN)
    url, verifier = start(app)
    code = allow(client, url, ["allergies"], demographics="on")["code"]
    access = access_of(exchange(client, app, code, verifier).json()["access_token"])
    assert access.demographics is True
    assert access.resource_types == frozenset({"Patient", "AllergyIntolerance"})


def test_a_wrong_verifier_or_a_second_exchange_is_refused(client, sign_in, app):
    sign_in(client, CHEN)
    url, verifier = start(app)
    code = allow(client, url, ["labs"])["code"]
    assert exchange(client, app, code, "x" * 50).status_code == 400
    url, verifier = start(app)
    code = allow(client, url, ["labs"])["code"]
    assert exchange(client, app, code, verifier).status_code == 200
    assert exchange(client, app, code, verifier).status_code == 400


def test_a_confidential_app_must_send_its_secret(client, sign_in, make_app):
    sign_in(client, CHEN)
    listing, secret = make_app(confidential=True)
    assert secret and listing.application.client_secret != secret  # only the hash is kept
    url, verifier = start(listing)
    code = allow(client, url, ["labs"])["code"]
    assert exchange(client, listing, code, verifier).status_code == 401
    url, verifier = start(listing)
    code = allow(client, url, ["labs"])["code"]
    assert exchange(client, listing, code, verifier, secret=secret).status_code == 200


def test_a_refresh_token_works_once_and_its_replay_revokes_the_grant(client, sign_in, app):
    chen = sign_in(client, CHEN)
    first = tokens(client, app)
    second = refresh(client, app, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert second["patient"] == str(chen.pk)
    assert access_of(second["access_token"]) is not None

    replay = refresh(client, app, first["refresh_token"])

    assert replay.status_code == 400
    assert Grant.objects.get().revoked_at is not None
    assert access_of(second["access_token"]) is None
    assert refresh(client, app, second["refresh_token"]).status_code == 400
    event = AuditEvent.objects.get(person=chen, action=AuditEvent.Action.APP_REVOKED)
    assert event.actor == AuditEvent.Actor.APP
    assert event.detail["reason"] == "refresh_token_replayed"


def test_revoking_the_grant_stops_its_tokens_at_once(client, sign_in, app):
    chen = sign_in(client, CHEN)
    body = tokens(client, app)
    services.revoke_grant(person=chen, grant=Grant.objects.get())
    assert access_of(body["access_token"]) is None
    assert refresh(client, app, body["refresh_token"]).status_code == 400


def test_nothing_outlives_the_period_the_person_chose(client, sign_in, app, clock):
    sign_in(client, CHEN)
    url, verifier = start(app)
    code = allow(client, url, ["labs"], period="1d")["code"]
    body = exchange(client, app, code, verifier).json()
    clock.forward(hours=23, minutes=30)
    fresh = refresh(client, app, body["refresh_token"])
    assert fresh.status_code == 200
    assert access_of(fresh.json()["access_token"]) is not None
    clock.forward(minutes=31)  # past the day: the token's hour is not over, the grant is
    assert access_of(fresh.json()["access_token"]) is None
    assert refresh(client, app, fresh.json()["refresh_token"]).status_code == 400


def test_an_access_token_lasts_an_hour(client, sign_in, app, clock):
    sign_in(client, CHEN)
    body = tokens(client, app)
    clock.forward(minutes=59)
    assert access_of(body["access_token"]) is not None
    clock.forward(minutes=2)
    assert access_of(body["access_token"]) is None


def test_last_used_is_written_at_most_once_a_minute(client, sign_in, app, clock):
    sign_in(client, CHEN)
    body = tokens(client, app)
    first = access_of(body["access_token"]).grant.last_used_at
    clock.forward(seconds=30)
    assert Grant.objects.get().last_used_at == first
    access_of(body["access_token"])
    assert Grant.objects.get().last_used_at == first
    clock.forward(seconds=31)
    access_of(body["access_token"])
    assert Grant.objects.get().last_used_at > first


@pytest.mark.parametrize("status", [Listing.Status.SUSPENDED, Listing.Status.REJECTED])
def test_suspending_an_app_stops_every_token_it_holds(client, sign_in, app, status, admin_user):
    sign_in(client, CHEN)
    body = tokens(client, app)
    services.review_app(listing=app, staff_user=admin_user, status=status)
    assert access_of(body["access_token"]) is None
    assert refresh(client, app, body["refresh_token"]).status_code == 400


def test_a_refresh_after_nhia_suspends_the_app_is_refused_not_taken_for_a_replay(
    client, sign_in, app, admin_user
):
    """Suspension revoked the refresh token; presenting it is no theft: the person's grant
    stays (for when NHIA approves the app again) and nothing is audited as a replay."""
    sign_in(client, CHEN)
    body = tokens(client, app)
    services.review_app(listing=app, staff_user=admin_user, status=Listing.Status.SUSPENDED)
    assert refresh(client, app, body["refresh_token"]).status_code == 400
    services.review_app(listing=app, staff_user=admin_user, status=Listing.Status.APPROVED)
    assert refresh(client, app, body["refresh_token"]).status_code == 400  # revoked for good

    assert Grant.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.APP_REVOKED).exists()


def test_a_refresh_token_the_app_revoked_itself_is_refused_not_taken_for_a_replay(
    client, sign_in, app
):
    sign_in(client, CHEN)
    body = tokens(client, app)
    revoke = {"token": body["refresh_token"], "client_id": app.application.client_id}
    assert client.post(reverse("oauth2_provider:revoke-token"), revoke).status_code == 200
    assert refresh(client, app, body["refresh_token"]).status_code == 400
    assert Grant.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.APP_REVOKED).exists()


def test_a_replay_two_rotations_back_still_revokes_the_grant(client, sign_in, app):
    sign_in(client, CHEN)
    first = tokens(client, app)
    second = refresh(client, app, first["refresh_token"]).json()
    third = refresh(client, app, second["refresh_token"]).json()
    assert refresh(client, app, first["refresh_token"]).status_code == 400
    assert Grant.objects.get().revoked_at is not None
    assert access_of(third["access_token"]) is None


def test_a_suspended_account_stops_its_apps_and_reinstating_revives_no_token(client, sign_in, app):
    """NHIA suspends the person's online services (at the counter): the apps read nothing
    and refresh nothing; the grant stays for the person to see and revoke."""
    chen = sign_in(client, CHEN)
    body = tokens(client, app)
    identity.suspend(account=chen.account, reason="冒用", staff_id=None)
    assert access_of(body["access_token"]) is None
    assert refresh(client, app, body["refresh_token"]).status_code == 400
    identity.reinstate(account=Account.objects.get(pk=chen.account.pk), staff_id=None)
    assert access_of(body["access_token"]) is None
    assert refresh(client, app, body["refresh_token"]).status_code == 400
    assert Grant.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.APP_REVOKED).exists()


@pytest.mark.parametrize("state", ["locked", "suspended"])
def test_an_account_not_usable_gives_its_tokens_nothing_whatever_ended_them(
    client, sign_in, app, state
):
    """The gate itself, apart from end_sessions: the account's state is read with the token
    (a lock or suspension written by any path counts at once)."""
    chen = sign_in(client, CHEN)
    body = tokens(client, app)
    change = (
        {"locked_at": timezone.now()} if state == "locked" else {"status": Account.Status.SUSPENDED}
    )
    Account.objects.filter(pk=chen.account.pk).update(**change)
    assert access_of(body["access_token"]) is None
    # (The app's own client: the person's signed-in one would have their session ended.)
    assert refresh(Client(), app, body["refresh_token"]).status_code == 400
    Account.objects.filter(pk=chen.account.pk).update(locked_at=None, status=Account.Status.ACTIVE)
    assert access_of(body["access_token"]) is not None  # nothing else had ended them


def test_consenting_again_replaces_the_grant_and_its_tokens(client, sign_in, app):
    sign_in(client, CHEN)
    old = tokens(client, app, categories=("labs",))
    new = tokens(client, app, categories=("vaccinations",))
    assert access_of(old["access_token"]) is None
    assert access_of(new["access_token"]).categories == frozenset({"vaccinations"})
    assert Grant.objects.filter(revoked_at__isnull=True).count() == 1
    # The replaced grant's refresh token, presented again, does not end the new grant.
    assert refresh(client, app, old["refresh_token"]).status_code == 400
    assert access_of(new["access_token"]) is not None


def test_no_bearer_no_access(rf):
    assert bearer_access(rf.get("/fhir/r4/Patient")) is None
    assert bearer_access(rf.get("/", HTTP_AUTHORIZATION="Basic abc")) is None
    assert bearer_access(rf.get("/", HTTP_AUTHORIZATION="Bearer nonsense")) is None


def test_the_token_lifetime_is_in_the_settings():
    from oauth2_provider.settings import oauth2_settings

    assert oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS == dt.timedelta(hours=1).seconds
    assert oauth2_settings.REFRESH_TOKEN_REUSE_PROTECTION is True
