"""Who is looking at whose data: every portal page goes through `portal_page`.

The signed-in person (the viewer) reads their own records, or a child's under 15 chosen in
the switcher; the choice is kept in the session and checked again on every request, so a
child who turns 15 drops out of the parent's portal at once. Each page read, and each saved
change to the person's own entries (measurements, calendar), is audited under the person
whose data it is, with the viewer as the actor.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.cache import never_cache

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.bank.menu import breadcrumbs
from healthbank.core import replicas
from healthbank.people.models import Person
from healthbank.records.selectors.family import children_in_care

SUBJECT_KEY = "bank.subject"


@dataclass(frozen=True)
class Portal:
    viewer: Person
    subject: Person
    children: list[Person]
    today: dt.date

    @property
    def for_child(self) -> bool:
        return self.subject.pk != self.viewer.pk


def viewer_of(request: HttpRequest) -> Person:
    account = getattr(request.user, "account", None)
    if account is None:  # staff users have no personal portal
        raise Http404
    return account.person


def open_portal(request: HttpRequest) -> Portal:
    viewer = viewer_of(request)
    today = timezone.localdate()
    children = children_in_care(viewer, today)
    wanted = request.session.get(SUBJECT_KEY)
    subject = next((child for child in children if child.pk == wanted), viewer)
    if wanted is not None and subject is viewer:
        request.session.pop(SUBJECT_KEY)  # the child turned 15, or is no longer insured here
    if subject is not viewer:  # what a provider just sent for the child shows at once
        replicas.reads_records_of(subject.pk)
    return Portal(viewer=viewer, subject=subject, children=children, today=today)


def switch_subject(request: HttpRequest, person_id: int) -> Person:
    """Open the portal of the viewer or of one of their children; anyone else is a 404."""
    portal = open_portal(request)
    if person_id == portal.viewer.pk:
        request.session.pop(SUBJECT_KEY, None)
        return portal.viewer
    child = next((c for c in portal.children if c.pk == person_id), None)
    if child is None:
        raise Http404
    request.session[SUBJECT_KEY] = child.pk
    return child


class PortalRequest(HttpRequest):
    """A request portal_page let in: `portal` says whose records it shows."""

    portal: Portal


def portal_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A portal view: signed in, never cached, called as view(request, portal, ...)."""

    @never_cache
    @login_required
    @functools.wraps(view)
    def wrapper(request: PortalRequest, *args, **kwargs) -> HttpResponseBase:
        portal = open_portal(request)
        request.portal = portal
        response = view(request, portal, *args, **kwargs)
        read = request.method == "GET" and response.status_code == 200
        # A form that saved redirects (post/redirect/get); a refused one renders again.
        changed = request.method == "POST" and response.status_code == 302
        if read or changed:
            record(
                action=Action.RECORDS_READ if read else Action.RECORDS_CHANGED,
                person=portal.subject,
                actor=Actor.PERSON,
                actor_id=portal.viewer.pk,
                address=client_address(request),
                # Namespaced (bank:home, downloads:home): the access record names the page.
                page=request.resolver_match.view_name if request.resolver_match else "",
            )
        return response

    return wrapper


def context(request: HttpRequest) -> dict:
    """The portal frame's data for templates (menus, breadcrumbs, the child switcher)."""
    portal = getattr(request, "portal", None)
    if portal is None:
        return {}
    name = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "portal": portal,
        "breadcrumbs": breadcrumbs(name),
        "IDLE_WARNING_SECONDS": settings.SESSION_IDLE_WARNING_SECONDS,
    }
