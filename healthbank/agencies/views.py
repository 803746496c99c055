"""The consent screen an agency's sign-in request lands on (健保卡身分查證).

The authorisation endpoint is the one SMART apps use (/fhir/oauth/authorize/): fhir/views
hands a request whose client is an agency to this view. It never redirects to an address
the agency did not register (an unknown client or redirect URI, an agency not approved or
suspended: an error page); it refuses PKCE other than S256 (an error redirect, with the
agency's state). The person must have signed in with the NHI card and registration
password or with the citizen digital certificate: a session signed in otherwise is sent to
sign in again with one of them, and comes back here. They see the agency, what it is for
and each claim it asks for, and agree or decline; agreeing issues a code for exactly what
was asked (each claim the agency may ask for, no other: fhir/authserver.validate_scopes).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.views.base import BaseAuthorizationView
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from healthbank.agencies import claims
from healthbank.agencies.selectors import agency_by_client_id

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# Characters that would end a CSP source expression (or the header), as fhir/views.py.
_CSP_UNSAFE = re.compile(r"[\s;,'@\x00-\x1f\x7f]")


def refusal(request: HttpRequest, message: StrOrPromise, status: int = 400) -> HttpResponse:
    return render(request, "agencies/refused.html", {"message": message}, status=status)


def not_approved(request: HttpRequest) -> HttpResponse:
    return refusal(
        request,
        _(
            "This agency may not confirm people's identity with My Health Bank now "
            "(it is not approved, or NHIA suspended it). Nothing was shared."
        ),
        status=403,
    )


def client_id_of(request: HttpRequest) -> str:
    """The client an authorisation request names, where oauthlib reads it (the query, or a
    form body)."""
    return request.GET.get("client_id") or request.POST.get("client_id") or ""


def signed_in_by_card(request: HttpRequest) -> bool:
    return request.session.get("login_method") in settings.AGENCY_SIGN_IN_METHODS


def redirect_schemes(uri: str) -> list[str]:
    """https; and http to this machine's loopback address in a demo or the tests."""
    if settings.AGENCY_LOOPBACK_REDIRECTS and urlsplit(uri).hostname in LOOPBACK_HOSTS:
        return ["https", "http"]
    return ["https"]


class AuthorizeView(BaseAuthorizationView):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Signing in is this view's own step (after the request is checked), not the
        # toolkit's LoginRequiredMixin: the card or certificate, never just a password.
        return super(LoginRequiredMixin, self).dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self._consent(request)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self._consent(request)

    def redirect(self, redirect_to, application) -> HttpResponse:
        return OAuth2ResponseRedirect(redirect_to, redirect_schemes(redirect_to))

    def error_response(self, error, application, **kwargs) -> HttpResponse:
        redirect_, response = super(BaseAuthorizationView, self).error_response(error, **kwargs)
        if redirect_:
            return self.redirect(response["url"], application)
        return refusal(
            self.request,
            _(
                "The agency's request is not valid (%(error)s): it named an unknown client or "
                "an address it has not registered. Nothing was shared. Close this page and "
                "go back to the agency's website."
            )
            % {"error": response["error"].error},
        )

    def _consent(self, request: HttpRequest) -> HttpResponse:
        # An agency not approved gets an error page before its request is even checked: a
        # request the server refuses would otherwise be an error redirect to its address,
        # and a suspended agency could use the sign-in as a redirector.
        named = agency_by_client_id(client_id_of(request))
        if named is not None and not named.is_approved:
            return not_approved(request)
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        agency = agency_by_client_id(credentials["client_id"])
        if agency is None:
            return refusal(request, _("This agency is not registered with My Health Bank."))
        if not agency.is_approved:
            return not_approved(request)
        application = agency.application
        if credentials.get("code_challenge_method") != "S256":
            invalid = oauth_errors.InvalidRequestError(
                description="PKCE with code_challenge_method=S256 is required.",
                state=credentials.get("state"),
            )
            return self.error_response(
                OAuthToolkitError(invalid, redirect_uri=credentials["redirect_uri"]), application
            )
        if not request.user.is_authenticated or not signed_in_by_card(request):
            if request.user.is_authenticated:
                messages.info(
                    request,
                    _(
                        "%(agency)s asks you to prove who you are: sign in again with your NHI "
                        "card and registration password, or with your citizen digital "
                        "certificate."
                    )
                    % {"agency": agency.display_name},
                )
            query = urlencode({"tab": "card", "next": request.get_full_path()})
            return redirect(f"{reverse('identity:login')}?{query}")
        account = getattr(request.user, "account", None)
        if account is None:  # a developer's or staff sign-in
            return refusal(
                request,
                _(
                    "Only a person signed in to My Health Bank can prove who they are to an "
                    "agency. Sign out, then sign in with your own NHI card."
                ),
                status=403,
            )
        if request.method == "POST":
            if "agree" in request.POST:
                return self._answer(request, application, scopes, credentials, allow=True)
            return self._answer(request, application, scopes, credentials, allow=False)
        asked = claims.labels(scopes)
        response = render(
            request,
            "agencies/consent.html",
            {
                "agency": agency,
                "asked": asked,
                "person": account.person,
                "returns_to": credentials["redirect_uri"],  # one it registered: checked above
                "action": request.get_full_path(),
            },
        )
        _let_form_go_to(response, credentials["redirect_uri"])
        return response

    def _answer(self, request, application, scopes, credentials, *, allow: bool) -> HttpResponse:
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request,
                scopes=" ".join(scopes),
                credentials=credentials,
                allow=allow,
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)


def _let_form_go_to(response: HttpResponse, redirect_uri: str) -> None:
    """The consent form's answer is a redirect to the agency, which browsers check against
    the page's `form-action` too: the agency's registered origin is added to it (as on the
    apps' consent page, fhir/views.py)."""
    parts = urlsplit(redirect_uri)
    safe = parts.hostname and not _CSP_UNSAFE.search(parts.netloc)
    if parts.scheme in redirect_schemes(redirect_uri) and safe:
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]


authorize = never_cache(AuthorizeView.as_view())
