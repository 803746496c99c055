"""Developers' pages (/developers/): sign-up and sign-in with e-mail and password, their
apps, registering one (client id, and the secret once), changing its redirect URIs.

A developer's user has no personal Account (so the portal is a 404 to it, bank/portal.py);
a person's or staff sign-in is not a developer's, and is sent to the developers' sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from healthbank.audit.services import client_address
from healthbank.core.http import next_or, posted
from healthbank.fhir import forms, rules, selectors, services
from healthbank.fhir.models import Developer
from healthbank.identity import lockout

SHOWN_ONCE = "developers.client_credentials"  # the session's one-time copy of a new client secret
WRONG = gettext_lazy(
    "The e-mail or password is wrong. After %(limit)s wrong passwords in a row the sign-in "
    "is locked until NHIA unlocks it."
)
NEEDS_REVIEW_AGAIN = gettext_lazy(
    "Because the app is in production, changing its redirect URIs puts it back in NHIA's "
    "review: until NHIA approves it again, no one can give it access and its tokens read "
    "nothing."
)


class DeveloperRequest(HttpRequest):
    developer: Developer


def developer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @never_cache
    def wrapper(request: DeveloperRequest, *args, **kwargs) -> HttpResponse:
        developer = selectors.developer_of(request.user)
        if developer is None:
            return redirect_to_login(request.get_full_path(), reverse("developers:login"))
        request.developer = developer
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    developer = selectors.developer_of(request.user)
    if developer is None:
        return render(request, "fhir/developers/intro.html")
    listings = selectors.listings_of(developer)
    return render(
        request, "fhir/developers/home.html", {"developer": developer, "listings": listings}
    )


@never_cache
def sign_up(request: HttpRequest) -> HttpResponse:
    form = forms.DeveloperSignUpForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            developer = services.sign_up_developer(
                email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except services.DeveloperExists:
            form.add_error("email", forms.DeveloperSignUpForm.TAKEN)
        else:
            login(request, developer.user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect("developers:home")
    return render(request, "fhir/developers/sign_up.html", {"form": form})


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = forms.DeveloperLoginForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            developer = services.authenticate_developer(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                address=client_address(request),
            )
        except lockout.LoginRefused as refused:
            form.add_error(
                None,
                WRONG % {"limit": settings.LOGIN_FAILURE_LIMIT}
                if refused.code == "invalid"
                else refused.message,
            )
        else:
            login(request, developer.user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect(next_or(request, "developers:home"))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "fhir/developers/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("developers:home")


@developer_required
def app_new(request: DeveloperRequest) -> HttpResponse:
    form = forms.AppForm(posted(request))
    too_many = selectors.listings_of(request.developer).count() >= rules.DEVELOPER_APPS_MAX
    if request.method == "POST" and not too_many and form.is_valid():
        data = form.cleaned_data
        listing, secret = services.register_app(
            developer=request.developer,
            name=data["name"],
            publisher=data["publisher"],
            description=data["description"],
            privacy_policy=data["privacy_policy"],
            homepage=data["homepage"],
            redirect_uris=data["redirect_uris"],
            confidential=data["client_type"] == "confidential",
            sandbox=data["environment"] == "sandbox",
        )
        if secret:
            request.session[SHOWN_ONCE] = [listing.pk, secret]
        return redirect("developers:app", listing_id=listing.pk)
    context = {"form": form, "too_many": too_many, "limit": rules.DEVELOPER_APPS_MAX}
    return render(request, "fhir/developers/app_new.html", context)


@developer_required
def app_detail(request: DeveloperRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing_of(request.developer, listing_id)
    if listing is None:
        raise Http404
    application = listing.application
    form = forms.RedirectUrisForm(
        posted(request), initial={"redirect_uris": "\n".join(application.redirect_uris.split())}
    )
    if request.method == "POST" and form.is_valid():
        was = listing.status
        listing = services.change_redirect_uris(
            listing=listing, redirect_uris=form.cleaned_data["redirect_uris"]
        )
        messages.success(request, _("The redirect URIs were saved."))
        if listing.status != was:
            messages.warning(request, NEEDS_REVIEW_AGAIN)
        return redirect("developers:app", listing_id=listing.pk)
    secret = None
    kept = request.session.get(SHOWN_ONCE)
    if kept and kept[0] == listing.pk:
        secret = kept[1]
        del request.session[SHOWN_ONCE]  # shown once
    return render(
        request,
        "fhir/developers/app.html",
        {
            "listing": listing,
            "application": application,
            "form": form,
            "secret": secret,
            "needs_review_again": NEEDS_REVIEW_AGAIN,
            "fhir_base": request.build_absolute_uri("/fhir/r4"),
        },
    )
