"""The NHI Express (健保快易通) web app: its shell page, manifest and service worker.

Everything personal comes from /api/v1/ in the browser; these views serve only what is the
same for everyone, so the service worker may keep it for offline starts.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django_permissions_policy.decorators import permissions_policy_override

from healthbank.express.counter import COUNTER_STRINGS

# The static files of the shell; the service worker caches exactly these and the pages below.
SHELL_STATIC = (
    "express/app.js",
    "express/vcard.js",
    "express/counter.js",
    "express/providers.js",
    "express/app.css",
    "express/providers.css",
    "express/icon-192.png",
    "express/icon-512.png",
    "vendor/jsqr-1.4.0/jsQR.js",
)
# The shell page and the screens it includes.
SHELL_TEMPLATES = ("express/app.html", "express/counter.html", "express/providers.html")
# Raise to make every installed app drop its cached shell even if no file changed.
SHELL_VERSION = "1"


@cache
def _shell_digest() -> str:
    """A digest of the shell's files: a new app.js gives a new cache name, so phones fetch it
    (in development static URLs carry no content hash of their own)."""
    digest = hashlib.sha256(SHELL_VERSION.encode())
    for name in SHELL_STATIC:
        path = finders.find(name)
        if not isinstance(path, str):
            raise ImproperlyConfigured(f"The shell's static file {name} is missing.")
        with open(path, "rb") as file:  # noqa: PTH123 - a finder's path string
            digest.update(file.read())
    # A Django-engine template knows its file; the stubs' template protocol does not say so.
    for name in SHELL_TEMPLATES:
        template = get_template(name).origin.name  # type: ignore[attr-defined]
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
    # The virtual NHI card (虛擬健保卡, vcard.js); %(name)s and the like are filled there.
    "vcard_uploading": gettext_lazy("Uploading…"),
    "vcard_applied": gettext_lazy(
        "Your application has been sent. You will be told the result here and by e-mail."
    ),
    "vcard_applied_for": gettext_lazy(
        "The application for %(name)s has been sent. You will be told the result by e-mail."
    ),
    "vcard_need_terms": gettext_lazy(
        "Tick to agree to the privacy terms and service policy first."
    ),
    "vcard_need_photos": gettext_lazy(
        "Take or choose both photos: the identity document and the half-body photo."
    ),
    "vcard_need_phone": gettext_lazy("Enter a contact phone number."),
    "vcard_need_email": gettext_lazy("Enter an e-mail address."),
    "vcard_on_behalf": gettext_lazy("Apply on their behalf"),
    "vcard_has_card": gettext_lazy("Has a virtual NHI card"),
    "vcard_not_applied": gettext_lazy("Not applied for"),
    "vcard_reason": gettext_lazy("Reason: %(reason)s"),
    "vcard_no_household": gettext_lazy("No other members are registered in your household."),
    "vcard_qr_expired": gettext_lazy(
        "The QR code has expired. Press Generate again for a new one."
    ),
    "vcard_not_usable": gettext_lazy("You may not use this card now."),
    "vcard_until": gettext_lazy("Until %(date)s"),
    "vcard_period": gettext_lazy("%(from)s to %(to)s"),
    "vcard_time_left": gettext_lazy("Time left to answer: %(time)s"),
    "vcard_lapsed": gettext_lazy("Not agreed in time"),
    "vcard_agree": gettext_lazy("Agree"),
    "vcard_decline": gettext_lazy("Decline"),
    "vcard_agreed": gettext_lazy("You agreed: the card is now in Cards I may use."),
    "vcard_agreed_clinic": gettext_lazy(
        "You agreed: the clinic may use your virtual NHI card for the next hour."
    ),
    "vcard_declined": gettext_lazy("You declined."),
    "vcard_revoke": gettext_lazy("Revoke authorisation"),
    "vcard_confirm_revoke": gettext_lazy(
        "Revoke this authorisation? %(name)s will no longer be able to use your card."
    ),
    "vcard_confirm_give_up": gettext_lazy(
        "Give up the use of %(name)s's card? %(name)s would have to authorise you again."
    ),
    "vcard_revoked": gettext_lazy("The authorisation has been revoked."),
    "vcard_none_granted": gettext_lazy("You have not authorised anyone."),
    "vcard_none_usable": gettext_lazy("There is no card you may use."),
    "vcard_none_waiting": gettext_lazy("Nothing is waiting for your agreement."),
    "vcard_need_card": gettext_lazy(
        "You need a virtual NHI card of your own to authorise others. Apply for one first."
    ),
    "vcard_need_grantee": gettext_lazy("Enter the person's national ID and name."),
    "vcard_need_member": gettext_lazy("Choose a member of your household."),
    "vcard_need_dates": gettext_lazy("Choose the start and end dates."),
    "vcard_authorised_household": gettext_lazy(
        "Authorisation sent: %(name)s must press Agree in their app within 10 minutes."
    ),
    "vcard_authorised_specific": gettext_lazy(
        "Authorised. Let the person scan the QR code or type the code now."
    ),
    "vcard_code_format": gettext_lazy(
        "Enter the 8-character authorisation code, for example ABCD-EFGH."
    ),
    "vcard_claim_qr_none": gettext_lazy(
        "No authorisation QR code was found. Try again, or type the code."
    ),
    "vcard_claimed": gettext_lazy("Authorisation received: show this QR code at the clinic."),
    "vcard_claimed_later": gettext_lazy(
        "Authorisation received. The card can be used from its start date: see Cards I may use."
    ),
    "vcard_sites_count": gettext_lazy("%(count)s providers found."),
    "vcard_sites_more": gettext_lazy(
        "The first %(shown)s are shown: narrow the search to see the others."
    ),
    "vcard_sites_none": gettext_lazy(
        "No provider matches. Try another county or city, service or name."
    ),
}


# The one page that scans codes: the camera for itself (device and authorisation QR codes),
# and data: and blob: images (a virtual card's QR code, previews of the photos chosen).
# The phone's location for 院所查詢 and 急症處理's "near me", asked only when tapped.
@permissions_policy_override(
    {**settings.PERMISSIONS_POLICY, "camera": ["self"], "geolocation": ["self"]}
)
@csp_update({"img-src": ["data:", "blob:"]})
@cache_control(no_cache=True)
def shell(request: HttpRequest) -> HttpResponse:
    """健保快易通: every screen of the app, hidden until app.js shows one. Nothing personal:
    the service worker keeps this page for offline starts."""
    strings = {key: str(text) for key, text in {**STRINGS, **COUNTER_STRINGS}.items()}
    context = {"strings": strings, "time_zone": settings.TIME_ZONE}
    return render(request, "express/app.html", context)


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
