"""Every signed-in web request passes here, whoever signed in (a person on the portal, the
registration site or the e-services, a staff member, an insured unit) and however: the
session ends when its account may no longer be used (suspended, or locked by wrong
passwords) or its user was made inactive, SESSION_IDLE_SECONDS after its last request and
SESSION_ABSOLUTE_SECONDS after its sign-in (the clocks are kept by identity/sessions.py),
and when the NHI card it was signed in with is no longer valid (reported lost, replaced by a
new card): a lost card "no longer signs in, reads or verifies anywhere" (issue 24), so the
sessions it opened end on their next request, wherever they are.

The only query here is that card check, one primary-key read, and only for a session
signed in with a card: the account comes with the user (backends.AccountBackend) and the
times are in the session.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from healthbank.audit.services import client_address
from healthbank.core.http import API_PREFIXES
from healthbank.identity import services
from healthbank.identity.models import Account
from healthbank.identity.sessions import LAST_SEEN, SIGNED_IN_AT, SIGNED_IN_CARD, now
from healthbank.people.models import NhiCard

LAST_SEEN_STEP = 15  # seconds; the idle sign-out may come this much early


def _messages() -> dict[str, str]:
    hours = settings.SESSION_ABSOLUTE_SECONDS / 3600
    return {
        "idle": _("You were signed out after a period of inactivity. Sign in again."),
        "absolute": _(
            "You were signed out because a sign-in lasts at most %(hours)s hours. Sign in again."
        )
        % {"hours": f"{hours:g}"},
        "ended": _("Your session has ended. Sign in again."),
        "locked": str(services.IdentityError.MESSAGES["locked"]),
        "suspended": str(services.IdentityError.MESSAGES["suspended"]),
        "card": _(
            "You were signed out because the NHI card you signed in with was reported lost or "
            "replaced, and no longer works. Sign in again with your new NHI card or with the "
            "citizen digital certificate."
        ),
    }


@functools.cache
def _sign_in_pages() -> list[tuple[str, str]]:
    """(path prefix, sign-in page) of each site that has its own sign-in."""
    pages = [
        ("admin:index", "admin:login"),
        ("employers:home", "employers:login"),
        ("developers:home", "developers:login"),
        ("eservice:home", "eservice:login"),
        ("identity:register", "identity:register"),
    ]
    return [(reverse(site), reverse(sign_in)) for site, sign_in in pages]


def sign_in_page(path: str) -> str:
    """The sign-in page of the site this path belongs to; My Health Bank's by default."""
    pages = _sign_in_pages()
    return next(
        (page for prefix, page in pages if path.startswith(prefix)), reverse("identity:login")
    )


def _refusal(user) -> str | None:
    """Why a signed-in user's session may not go on, whatever its age (None: it may)."""
    account: Account | None = getattr(user, "account", None)  # staff and units have none
    if account is None:
        return None
    if account.is_locked:
        return "locked"
    if account.status == Account.Status.SUSPENDED:
        return "suspended"
    # Pending is no refusal: only a certificate sign-in (allowed for it) opens a session of
    # a pending account.
    return None


def _card_withdrawn(session: SessionBase) -> str | None:
    """ "card" when the session was signed in with an NHI card that is no longer valid."""
    card = session.get(SIGNED_IN_CARD)
    if card is None or NhiCard.objects.filter(pk=card, status=NhiCard.Status.VALID).exists():
        return None
    return "card"


def _expiry(session: SessionBase) -> str | None:
    at = now()
    if at - session.get(SIGNED_IN_AT, at) >= settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    if at - session.get(LAST_SEEN, at) >= settings.SESSION_IDLE_SECONDS:
        return "idle"
    return None


def _signed_out(request: HttpRequest, reason: str) -> HttpResponse:
    """End the session (its row leaves the session store) and say why on the sign-in page
    of the site the request was for."""
    logout(request)
    messages.warning(request, _messages()[reason])
    return redirect(sign_in_page(request.path))


class SessionControlMiddleware:
    """Each request of a signed-in user counts as activity, except the idle-warning script's
    own status checks (`?idle-check`), so a page left open still times out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIXES):  # token-authenticated, no web session
            return self.get_response(request)
        user, session = request.user, request.session
        if user.is_authenticated:
            if reason := _refusal(user) or _expiry(session) or _card_withdrawn(session):
                return _signed_out(request, reason)
            at = now()
            # Written at most every LAST_SEEN_STEP seconds: not a session UPDATE per request.
            if "idle-check" not in request.GET and at - session.get(LAST_SEEN, 0) >= LAST_SEEN_STEP:
                session[LAST_SEEN] = at
        elif SESSION_KEY in session:
            return _signed_out(request, "ended")  # its user was deactivated or deleted

        with services.noting_ended_sessions() as ended:
            response = self.get_response(request)
        # This very request ended its own session (the limit-th wrong password, say).
        if (key := request.session.session_key) in ended:
            return _signed_out(request, ended[key])
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A view asked for the password again and got it wrong REAUTH_FAILURE_LIMIT times in
        this session (services.SessionEnded): sign out and say why."""
        if not isinstance(exception, services.SessionEnded):
            return None
        if (account := getattr(request.user, "account", None)) is not None:
            services.record_logout(account, client_address(request))
        logout(request)
        messages.error(request, exception.message)
        return redirect(sign_in_page(request.path))
