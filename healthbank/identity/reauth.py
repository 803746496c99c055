"""The password asked again inside a website session: the session's reference that wrong
tries are counted under (identity.services.confirm_password)."""

from __future__ import annotations

import secrets

from django.http import HttpRequest

from healthbank.audit.services import client_address
from healthbank.identity import services
from healthbank.identity.models import Account

SESSION_KEY = "reauth_session"


def session_ref(request: HttpRequest) -> str:
    """This session's reference: random, kept in the session, not its key (which changes
    when the password does, and is a secret the audit trail must not hold)."""
    return request.session.setdefault(SESSION_KEY, secrets.token_hex(8))


def confirm_password(request: HttpRequest, account: Account, password: str, purpose: str) -> None:
    """identity.services.confirm_password for this session; SessionEnded passes up to
    identity.middleware.SessionControlMiddleware, which signs out."""
    services.confirm_password(
        account=account,
        password=password,
        session=session_ref(request),
        purpose=purpose,
        method=request.session.get("login_method", ""),
        address=client_address(request),
    )
