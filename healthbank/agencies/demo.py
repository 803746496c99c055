"""A demonstration relying party: "annual income query" (年度所得查詢（示範）), at
/demo/income-query/. It is NOT an agency's service and files nothing: it shows, end to end,
what an agency's website does to have a person prove who they are with their NHI card.

It is a standard OpenID Connect client (Authlib's Django client): it reads this server's
discovery document, sends the person to the authorisation endpoint with state, nonce and a
PKCE S256 challenge, exchanges the code over HTTP at the token endpoint (the same server,
which the demo's threaded server answers while this request waits), and checks the
id_token's signature against the published JWKS and its issuer, audience, expiry and nonce
before it shows the claims. Its registration (a public client, PKCE alone) is made by
`healthbank seed` (DEMO_CLIENT_ID), with redirect URIs on this machine's loopback address;
so it is served only where those work (settings.AGENCY_LOOPBACK_REDIRECTS: a demo, the
tests), and is a 404 in production.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from requests import RequestException

from healthbank.agencies import claims
from healthbank.agencies.selectors import agency_by_client_id

DEMO_CLIENT_ID = "demo-income-query"
DEMO_SCOPE = "openid nhi_id profile birthdate insured_status"
DISCOVERY_PATH = "/fhir/r4/.well-known/openid-configuration"
CALLBACK_NAME = "agencies_demo:callback"


def demo_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The demo exists where its loopback redirect URIs work (a demo or the tests,
    settings.AGENCY_LOOPBACK_REDIRECTS): in production it is a 404, so no visitor has this
    server fetch its own discovery document and token endpoint on their behalf."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.AGENCY_LOOPBACK_REDIRECTS:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _client(request: HttpRequest):
    oauth = OAuth()
    return oauth.register(
        name="income_query",
        client_id=DEMO_CLIENT_ID,
        server_metadata_url=request.build_absolute_uri(DISCOVERY_PATH),
        client_kwargs={
            "scope": DEMO_SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "none",
        },
    )


def _shown(claim: str, value: str) -> str:
    label = claims.INSURED_STATUS_LABELS.get(value) if claim == "insured_status" else None
    return f"{value} ({label})" if label else value


@require_GET
@never_cache
@demo_only
def start(request: HttpRequest) -> HttpResponse:
    agency = agency_by_client_id(DEMO_CLIENT_ID)
    return render(request, "agencies/demo/start.html", {"agency": agency})


@require_POST
@never_cache
@demo_only
def sign_in(request: HttpRequest) -> HttpResponse:
    redirect_uri = request.build_absolute_uri(reverse(CALLBACK_NAME))
    return _client(request).authorize_redirect(request, redirect_uri)


@require_GET
@never_cache
@demo_only
def callback(request: HttpRequest) -> HttpResponse:
    try:
        token = _client(request).authorize_access_token(request)
    except (OAuthError, RequestException, ValueError) as error:
        return render(
            request, "agencies/demo/result.html", {"error": str(error) or repr(error)}, status=400
        )
    verified = dict(token.get("userinfo") or {})
    shown = [(s.label, verified[s.claim]) for s in claims.SCOPES.values() if s.claim in verified]
    return render(
        request, "agencies/demo/result.html", {"claims": shown, "sub": verified.get("sub")}
    )
