"""django-oauth-toolkit taught SMART App Launch: its scopes, the grant behind every token,
and the token response's launch context.

- Scopes: any well-formed SMART scope the server understands (scopes.is_known_scope); what
  a token carries was narrowed to the person's choice on the consent screen (views.py).
- A code is exchanged, and a token refreshed, only while its app is approved, the grant it
  was issued under is open (not revoked, not past the end the person chose) and the
  person's account is usable (not suspended by NHIA, not locked for wrong passwords).
- Refresh tokens are issued only with `offline_access`, and used once: the toolkit rotates
  them and, on a replay, revokes the token family; a replay also revokes the person's whole
  grant to that app (a stolen refresh token is never worth a second try). A replay is a
  refresh token presented again after rotation replaced it (a later one of its family
  exists) while the app is approved. A token that was revoked, not replaced (NHIA
  suspended the app, the app revoked it itself, the person's sessions were ended) is just
  refused: nobody else need hold it, and the person's grant stays.
- The token response carries `patient` (the person's FHIR Patient id) besides `scope`; the
  id_token carries `fhirUser` (Patient/<id>) when `fhirUser` was granted.

Agencies (healthbank/agencies: NHI-card identity for other agencies) are relying parties of
the same server: one issuer, one JWKS, one set of endpoints. What decides is the client: an
application with an `Agency` asks for `openid` and the identity scopes it was registered for
(agencies/claims.py), never a SMART scope, and its tokens carry only the identity claims
granted (never `fhirUser`); an application with a `Listing` asks for SMART scopes only and
never gets an identity claim such as the national ID. Every id_token and userinfo answer to
an agency is audited (IDENTITY_RELEASED).
"""

from __future__ import annotations

import hashlib
from typing import Any

from oauth2_provider.models import get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from healthbank.agencies import claims as identity
from healthbank.agencies import services as agency_services
from healthbank.agencies.selectors import agency_of
from healthbank.fhir import scopes as smart
from healthbank.fhir import selectors, services
from healthbank.fhir.models import Listing


class SmartScopes(BaseScopes):
    """The scopes discovery advertises; validation accepts any SMART form (see below)."""

    def get_all_scopes(self) -> dict[str, str]:
        return {scope: scope for scope in self.get_available_scopes()}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        agency = agency_of(application)
        if agency is not None:
            return [identity.OPENID, *agency.scopes]
        available = [
            *smart.CONTEXT_SCOPES,
            "patient/*.rs",
            *(f"patient/{t}.rs" for t in smart.RESOURCE_TYPES),
        ]
        if application is None:  # the OpenID discovery document: agencies' scopes too
            available += list(identity.SCOPES)
        return available

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return [smart.LAUNCH_PATIENT]


def _person_pk(user) -> int | None:
    account = getattr(user, "account", None)
    return account.person_id if account is not None else None


def _identity_claim(scope: identity.IdentityScope):
    return lambda request: scope.value(request.user.account.person)


class SmartValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "fhirUser": smart.FHIR_USER,
        **identity.CLAIM_SCOPE,
    }

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs) -> bool:
        agency = agency_of(client)
        if agency is not None:  # openid, and only the identity scopes it was registered for
            allowed = {identity.OPENID, *agency.scopes}
            return identity.OPENID in scopes and all(scope in allowed for scope in scopes)
        return all(smart.is_known_scope(scope) for scope in scopes)

    def get_additional_claims(self) -> dict[str, Any]:
        return {
            "fhirUser": lambda request: f"Patient/{_person_pk(request.user)}",
            **{s.claim: _identity_claim(s) for s in identity.SCOPES.values()},
        }

    def get_oidc_claims(self, token, token_handler, request) -> dict[str, Any]:
        """An agency's claims are identity claims only; an app's never are (whatever scope
        string reached here: validate_scopes already keeps each to its own)."""
        agency = agency_of(request.client)
        wanted = {
            claim
            for claim, scope in self.oidc_claim_scope.items()
            if scope in (request.scopes or [])
            and (claim in identity.CLAIMS if agency is not None else claim not in identity.CLAIMS)
            and (claim != "fhirUser" or agency is None)
        }
        # Only the claims wanted are computed (an agency's national ID is never looked up
        # for an app).
        if agency is None:
            claims = {"sub": str(request.user.pk)}
        else:
            claims = {"sub": identity.pairwise_subject(request.client.client_id, request.user.pk)}
        for claim, value in self.get_claim_dict(request).items():
            if claim in wanted:
                claims[claim] = value(request) if callable(value) else value
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request) -> str:
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        self._audit_release(request, "id_token")
        return signed

    def get_userinfo_claims(self, request) -> dict[str, Any]:
        claims = super().get_userinfo_claims(request)
        self._audit_release(request, "userinfo")
        return claims

    def _audit_release(self, request, via: str) -> None:
        agency = agency_of(request.client)
        account = getattr(request.user, "account", None)
        if agency is None or account is None:
            return
        released = [s.claim for name, s in identity.SCOPES.items() if name in request.scopes]
        agency_services.record_release(
            person=account.person, agency=agency, released=released, via=via
        )

    def validate_code(self, client_id, code, client, request, *args, **kwargs) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            if agency_of(client) is not None:  # a replayed code ends what it was exchanged for
                agency_services.code_replayed(application=client, code=code)
            return False
        agency = agency_of(request.client)
        if agency is not None:
            account = getattr(request.user, "account", None)
            return agency.is_approved and account is not None and account.is_usable
        return self._grant_open(request)

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs) -> None:
        super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        if agency_of(request.client) is not None:
            agency_services.code_spent(application=request.client, user=request.user, code=code)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs) -> bool:
        if super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return self._grant_open(request)
        tokens = get_refresh_token_model().objects
        replayed = (
            tokens.filter(
                token_checksum=hashlib.sha256(refresh_token.encode("utf-8")).hexdigest(),
                application=client,
                revoked__isnull=False,
                token_family__isnull=False,
            )
            .select_related("user__account")
            .first()
        )
        if (
            replayed is not None
            and _person_pk(replayed.user) is not None
            and getattr(client, "listing", None) is not None
            and client.listing.status == Listing.Status.APPROVED
            and tokens.filter(token_family=replayed.token_family, pk__gt=replayed.pk).exists()
        ):
            services.revoke_after_replay(
                person_id=replayed.user.account.person_id,
                application=client,
                issued_at=replayed.created,
            )
        return False

    def _grant_open(self, request) -> bool:
        listing = getattr(request.client, "listing", None)
        account = getattr(request.user, "account", None)
        if listing is None or account is None or listing.status != Listing.Status.APPROVED:
            return False
        if not account.is_usable:  # suspended by NHIA, or locked for wrong passwords
            return False
        person_pk = account.person_id
        return selectors.open_grant_of_app(person_pk, listing) is not None

    def save_bearer_token(self, token, request, *args, **kwargs) -> None:
        if smart.OFFLINE_ACCESS not in (request.scopes or []):
            token.pop("refresh_token", None)
        super().save_bearer_token(token, request, *args, **kwargs)
        token["patient"] = str(_person_pk(request.user))
