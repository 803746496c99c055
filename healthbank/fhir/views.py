"""The authorisation server's pages: the consent screen (/fhir/oauth/authorize/) and the
SMART configuration (/fhir/r4/.well-known/smart-configuration).

The consent screen is django-oauth-toolkit's authorisation endpoint with SMART's rules on
top. It never redirects to an address the app did not register (an unknown app or redirect
URI, an app not approved or suspended, a sandbox app and a real person: an error page
instead); it refuses PKCE other than S256 and an `aud` that is missing or other than this
server's FHIR base (an error redirect, with the app's state). The person, signed in to My
Health Bank as usual, sees the app's name, publisher, privacy policy and what it asks for
as categories of the seed's table, each ticked to untick; demographics unticked; and a
period. Allowing records a grant and issues a code for the scopes of what they left
ticked; denying redirects with error=access_denied.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.base import BaseAuthorizationView
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from healthbank.agencies import views as agency_views
from healthbank.agencies.claims import is_identity_scope
from healthbank.agencies.selectors import agency_by_client_id
from healthbank.audit.services import client_address
from healthbank.fhir import scopes as smart
from healthbank.fhir import selectors, services
from healthbank.fhir.authserver import SmartScopes
from healthbank.fhir.forms import ConsentForm
from healthbank.fhir.models import Listing
from healthbank.identity import reauth
from healthbank.identity.services import IdentityError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SMART_CAPABILITIES = [
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "context-standalone-patient",
    "permission-offline",
    "permission-patient",
    "permission-v2",
    "sso-openid-connect",
]


# Characters that would end a CSP source expression (or the header): never in an origin added.
_CSP_UNSAFE = re.compile(r"[\s;,'@\x00-\x1f\x7f]")


def fhir_base(request: HttpRequest) -> str:
    """The FHIR base URL apps name as `aud`, which is also the issuer."""
    return oauth2_settings.oidc_issuer(request).rstrip("/")


def _refusal(request: HttpRequest, message: StrOrPromise, status: int = 400) -> HttpResponse:
    return render(request, "fhir/refused.html", {"message": message}, status=status)


def _let_form_go_to(response: HttpResponse, redirect_uri: str) -> None:
    """Allow and Deny answer with a redirect to the app, and browsers apply the page's
    `form-action` to the redirects after a form is sent too (Chromium does): the consent
    page alone adds the origin of the redirect URI it checked (one the app registered:
    https, a host, no userinfo) to the site's `form-action 'self'`."""
    parts = urlsplit(redirect_uri)
    if parts.scheme == "https" and parts.hostname and not _CSP_UNSAFE.search(parts.netloc):
        response._csp_update = {"form-action": [f"https://{parts.netloc}"]}  # type: ignore[attr-defined]


class AuthorizeView(BaseAuthorizationView):
    """SMART standalone launch: the consent screen (GET shows it, POST decides)."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self._consent(request)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self._consent(request)

    def error_response(self, error, application, **kwargs) -> HttpResponse:
        redirect, response = super(BaseAuthorizationView, self).error_response(error, **kwargs)
        if redirect:
            return self.redirect(response["url"], application)
        return _refusal(
            self.request,
            _(
                "The app's request is not valid (%(error)s): it named an unknown app or an "
                "address it has not registered. Nothing was shared. Close this page and tell "
                "the app's publisher."
            )
            % {"error": response["error"].error},
        )

    def _consent(self, request: HttpRequest) -> HttpResponse:
        account = getattr(request.user, "account", None)
        if account is None:  # a developer's or staff sign-in
            return _refusal(
                request,
                _(
                    "Only a person signed in to My Health Bank can let an app read their "
                    "records. Sign out, then sign in with your own NHI-card account."
                ),
                status=403,
            )
        person = account.person
        # An app not approved gets an error page before its request is even checked: a
        # request the server refuses would otherwise be an error redirect to its address,
        # and a suspended app could use the consent as a redirector.
        named = selectors.listing_by_client_id(agency_views.client_id_of(request))
        if named is not None and named.status != Listing.Status.APPROVED:
            return _refusal(request, services.GrantRefused.MESSAGES["not_approved"], 403)
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        listing = selectors.listing_by_client_id(credentials["client_id"])
        if listing is None:  # an OAuth application no developer registered here
            return _refusal(request, _("This app is not registered with My Health Bank."))
        application = listing.application
        if listing.status != Listing.Status.APPROVED:
            return _refusal(request, services.GrantRefused.MESSAGES["not_approved"], 403)
        if listing.environment == Listing.Environment.SANDBOX and not selectors.in_sandbox(person):
            return _refusal(request, services.GrantRefused.MESSAGES["sandbox"], 403)
        problem = self._smart_problem(request, credentials)
        if problem:
            invalid = oauth_errors.InvalidRequestError(
                description=problem, state=credentials.get("state")
            )
            return self.error_response(
                OAuthToolkitError(invalid, redirect_uri=credentials["redirect_uri"]), application
            )
        asked = smart.asked_categories(scopes)
        asks_demographics = smart.asks_demographics(scopes)
        form = ConsentForm(
            request.POST if request.method == "POST" else None,
            asked=asked,
            asks_demographics=asks_demographics,
        )
        if request.method == "POST":
            if "deny" in request.POST:
                return self._answer(request, application, scopes=[], credentials=credentials)
            if form.is_valid():
                response = self._allow(request, person, listing, scopes, credentials, form)
                if response is not None:
                    return response
        context = {
            "listing": listing,
            "application": application,
            "form": form,
            "asked": asked,
            "context_scopes": [s for s in smart.CONTEXT_SCOPES if s in scopes],
            "action": request.get_full_path(),
        }
        response = render(request, "fhir/consent.html", context)
        _let_form_go_to(response, credentials["redirect_uri"])
        return response

    def _smart_problem(self, request: HttpRequest, credentials: dict) -> str:
        if credentials.get("code_challenge_method") != "S256":
            return "PKCE with code_challenge_method=S256 is required."
        aud = request.GET.get("aud", "")  # required (SMART App Launch 2): none is refused too
        if aud.rstrip("/") != fhir_base(request):
            return f"aud must be this server's FHIR base URL, {fhir_base(request)}."
        return ""

    def _allow(self, request, person, listing, scopes, credentials, form) -> HttpResponse | None:
        data = form.cleaned_data
        demographics = bool(data.get("demographics"))
        granted = smart.granted_scopes(scopes, data["categories"], demographics)
        try:
            reauth.confirm_password(request, request.user.account, data["password"], "app")
            with transaction.atomic():
                services.grant_access(
                    person=person,
                    listing=listing,
                    categories=data["categories"],
                    demographics=demographics,
                    period=data["period"],
                    scope=" ".join(granted),
                    address=client_address(request),
                    identity_only=not form.fields["categories"].choices
                    and "demographics" not in form.fields,
                )
                return self._answer(request, listing.application, granted, credentials)
        except IdentityError as refused:
            form.add_error("password", refused.message)
        except services.GrantRefused as refused:
            form.add_error(None, refused.message)
        return None

    def _answer(self, request, application, scopes: list[str], credentials) -> HttpResponse:
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request,
                scopes=" ".join(scopes),
                credentials=credentials,
                allow=bool(scopes),
            )
        except OAuthToolkitError as error:
            if scopes:  # the grant is not kept without its code
                transaction.set_rollback(True)
            return self.error_response(error, application)
        return self.redirect(uri, application)


_smart_authorize = never_cache(AuthorizeView.as_view())


def authorize(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The one authorisation endpoint: an agency's request (its client is an Agency, not an
    app's Listing) goes to the agencies' identity consent, every other to SMART's."""
    if agency_by_client_id(request.GET.get("client_id", "")) is not None:
        return agency_views.authorize(request, *args, **kwargs)
    return _smart_authorize(request, *args, **kwargs)


@never_cache
def smart_configuration(request: HttpRequest) -> JsonResponse:
    """SMART App Launch 2's discovery document (/.well-known/smart-configuration)."""

    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(f"oauth2_provider:{name}"))

    data = {
        "issuer": oauth2_settings.oidc_issuer(request),
        "jwks_uri": url("jwks-info"),
        "authorization_endpoint": url("authorize"),
        "token_endpoint": url("token"),
        "revocation_endpoint": url("revoke-token"),
        "userinfo_endpoint": url("user-info"),
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "scopes_supported": [
            scope
            for scope in SmartScopes().get_available_scopes()
            if not is_identity_scope(scope)  # agencies' (OpenID discovery lists them)
        ],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": SMART_CAPABILITIES,
    }
    response = JsonResponse(data)
    response["Access-Control-Allow-Origin"] = "*"
    return response
