"""The My Health Bank portal. Issue 4 builds its pages; here: home, and the idle timer."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from healthbank.audit.selectors import previous_login
from healthbank.identity.models import Account


def _account(request: HttpRequest) -> Account:
    account = getattr(request.user, "account", None)
    if account is None:  # staff users have no personal portal
        raise Http404
    return account


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    context = {
        "person": account.person,
        "previous_login": previous_login(account.person),
        "IDLE_WARNING_SECONDS": settings.SESSION_IDLE_WARNING_SECONDS,
    }
    return render(request, "bank/home.html", context)


@never_cache
@login_required
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the idle sign-out (the page's warning asks with ?idle-check)."""
    _account(request)
    idle = time.time() - request.session.get("last_seen", time.time())
    return JsonResponse({"seconds_left": max(0, math.ceil(settings.SESSION_IDLE_SECONDS - idle))})


@require_POST
@login_required
def keepalive(request: HttpRequest) -> JsonResponse:
    """The "continue" button of the idle warning: this request counts as activity."""
    _account(request)
    return JsonResponse({"seconds_left": settings.SESSION_IDLE_SECONDS})
