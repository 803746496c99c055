"""The session around the portal: the idle timer, and whose records are open."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from healthbank.bank.portal import switch_subject, viewer_of
from healthbank.identity.sessions import LAST_SEEN, now, seconds_left


@never_cache
@login_required
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the session ends, idle or at its absolute limit (the page's
    warning asks with ?idle-check, which does not count as activity)."""
    viewer_of(request)
    return JsonResponse({"seconds_left": seconds_left(request.session)})


@require_POST
@login_required
def keepalive(request: HttpRequest) -> JsonResponse:
    """The "continue" button of the idle warning: this request counts as activity."""
    viewer_of(request)
    request.session[LAST_SEEN] = now()  # whenever the middleware last wrote it
    return JsonResponse({"seconds_left": seconds_left(request.session)})


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    """The child switcher: open one's own records or a child's (under 15, insured under one)."""
    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        person_id = 0
    switch_subject(request, person_id)
    return redirect("bank:home")
