"""The NHI Express (健保快易通) web app: its shell page, manifest and service worker.

Everything personal comes from /api/v1/ in the browser; these views serve only what is the
same for everyone, so the service worker may keep it for offline starts.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

# The static files of the shell; the service worker caches exactly these and the pages below.
SHELL_STATIC = (
    "express/app.js",
    "express/app.css",
    "express/icon-192.png",
    "express/icon-512.png",
    "vendor/jsqr-1.4.0/jsQR.js",
)
# Raise to make every installed app drop its cached shell even if no file changed.
SHELL_VERSION = "1"


@cache
def _shell_digest() -> str:
    """A digest of the shell's files: a new app.js gives a new cache name, so phones fetch it
    (in development static URLs carry no content hash of their own)."""
    digest = hashlib.sha256(SHELL_VERSION.encode())
    for name in SHELL_STATIC:
        path = finders.find(name)
        with open(path, "rb") as file:  # noqa: PTH123 - a finder's path string
            digest.update(file.read())
    template = get_template("express/app.html").origin.name
    with open(template, "rb") as file:  # noqa: PTH123
        digest.update(file.read())
    return digest.hexdigest()[:12]


def shell_urls() -> list[str]:
    return [
        reverse("express:shell"),
        reverse("express:manifest"),
        *(static(name) for name in SHELL_STATIC),
    ]


# What app.js says to the person, translated here (json_script) so the script holds no text.
STRINGS = {
    "wait": gettext_lazy("Please wait…"),
    "network": gettext_lazy("Cannot reach the server. Check the network and try again."),
    "failed": gettext_lazy("The server could not answer. Try again later."),
    "not_applied": gettext_lazy("Not applied for yet. Press Apply above."),
    "processing": gettext_lazy(
        "Your data is being prepared. Press Refresh in 10 minutes to see the result."
    ),
    "try_again": gettext_lazy("Press Apply to ask for today's data again."),
    "browse": gettext_lazy("Browse"),
    "no_data": gettext_lazy("No data"),
    "no_records": gettext_lazy("There are no records in this category."),
    "date": gettext_lazy("Date"),
    "provider": gettext_lazy("Provider"),
    "verified": gettext_lazy(
        "The device is verified. Sign in with your national ID and registration password."
    ),
    "verified_phone": gettext_lazy(
        "Your phone is verified and you are signed in. Apply for today's data below."
    ),
    "not_verified": gettext_lazy(
        "This device is not verified for this national ID yet. Verify the device first."
    ),
    "code_format": gettext_lazy(
        "Enter the 8-character device verification code, for example ABCD-EFGH."
    ),
    "qr_none": gettext_lazy(
        "No device verification QR code was found. Try again, or type the code."
    ),
    "camera_none": gettext_lazy(
        "The camera cannot be used here. Choose a photo of the QR code or type the code."
    ),
    "scanning": gettext_lazy("Point the camera at the QR code."),
    "need_last4": gettext_lazy("Enter the last 4 digits of your NHI card number."),
    "need_mobile": gettext_lazy("Enter your mobile number, 10 digits starting with 09."),
    "need_id": gettext_lazy("Enter your national ID."),
    "need_password": gettext_lazy("Enter your registration password."),
    "signed_out": gettext_lazy("You have signed out."),
    "session_ended": gettext_lazy("Your sign-in has ended. Sign in again."),
}


@cache_control(no_cache=True)
def shell(request: HttpRequest) -> HttpResponse:
    """健保快易通: every screen of the app, hidden until app.js shows one. Nothing personal:
    the service worker keeps this page for offline starts."""
    strings = {key: str(text) for key, text in STRINGS.items()}
    return render(request, "express/app.html", {"strings": strings})


@cache_control(no_cache=True)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: what a phone needs to install the app on its home screen."""
    body = {
        "name": _("NHI Express"),
        "short_name": _("NHI Express"),
        "description": _("My Health Bank on your phone"),
        "lang": "zh-Hant-TW" if get_language() == "zh-hant" else get_language(),
        "start_url": reverse("express:shell"),
        "scope": reverse("express:shell"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#2b7a4b",
        "icons": [
            {
                "src": static(f"express/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """sw.js, served from /app/ so that its scope is the app. no-cache: the browser checks for
    a new version each time the app opens."""
    context = {
        "cache_name": f"express-shell-{_shell_digest()}",
        "shell_json": json.dumps(shell_urls()),
        "fresh_json": json.dumps([reverse("express:shell"), reverse("express:manifest")]),
    }
    # The "text" engine does not HTML-escape: the JSON must stay JSON.
    body = get_template("express/sw.js", using="text").render(context)
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")
