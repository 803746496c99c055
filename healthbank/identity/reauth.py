"""The password asked again inside a website session: the session's reference that wrong
tries are counted under (identity.services.confirm_password), and ending the session when
there were too many."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from healthbank.audit.services import client_address
from healthbank.identity import services
from healthbank.identity.models import Account

SESSION_KEY = "reauth_session"

# Where each site's sign-in is, by the URL namespace of the page that asked again.
SIGN_IN = {"eservice": "eservice:login", "identity": "identity:register"}


def session_ref(request: HttpRequest) -> str:
    """This session's reference: random, kept in the session, not its key (which changes
    when the password does, and is a secret the audit trail must not hold)."""
    return request.session.setdefault(SESSION_KEY, secrets.token_hex(8))


def confirm_password(request: HttpRequest, account: Account, password: str, purpose: str) -> None:
    """identity.services.confirm_password for this session; SessionEnded passes up to
    EndSessionMiddleware."""
    services.confirm_password(
        account=account,
        password=password,
        session=session_ref(request),
        purpose=purpose,
        method=request.session.get("login_method", ""),
        address=client_address(request),
    )


class EndSessionMiddleware:
    """A view that asked for the password again raised SessionEnded: sign out (the session
    is flushed), say why, and go to the sign-in of the site the person was on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, services.SessionEnded):
            return None
        account = getattr(request.user, "account", None)
        if account is not None:
            services.record_logout(account, client_address(request))
        logout(request)
        messages.error(request, exception.message)
        match = request.resolver_match
        return redirect(SIGN_IN.get(match.namespace if match else "", "identity:login"))
