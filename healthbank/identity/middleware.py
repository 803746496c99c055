"""Sign out people whose session has been idle too long (SESSION_IDLE_SECONDS)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_SEEN_STEP = 15  # seconds; the idle sign-out may come this much early


class IdleTimeoutMiddleware:
    """Each request of a signed-in person counts as activity, except the idle-warning
    script's own status checks (`?idle-check`), so a page left open still times out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(user, "account"):
            now = time.time()
            last_seen = request.session.get("last_seen", now)
            if now - last_seen >= settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.warning(
                    request, _("You were signed out after a period of inactivity. Sign in again.")
                )
                # Back to the sign-in of the site they were on.
                eservice = request.path.startswith(reverse("eservice:home"))
                return redirect("eservice:login" if eservice else "identity:login")
            # Written at most every LAST_SEEN_STEP seconds: not a session UPDATE per request.
            if "idle-check" not in request.GET and (
                "last_seen" not in request.session or now - last_seen >= LAST_SEEN_STEP
            ):
                request.session["last_seen"] = now
        return self.get_response(request)
