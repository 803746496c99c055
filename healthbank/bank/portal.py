"""Who is looking at whose data: every portal page goes through `portal_page`.

The signed-in person (the viewer) reads their own records, a child's under 15, or those of an
adult who gave them family access (identity.delegation), chosen in the switcher; the choice
is kept in the session and checked again on every request, so a child who turns 15, or a
family access ended or expired, drops out of the portal at once. A family member sees only
the pages whose categories were granted (bank/grants.py) and changes nothing. Each page
read, and each saved change to the person's own entries (measurements, calendar), is
audited under the person whose data it is, with the viewer as the actor.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.bank import grants
from healthbank.bank.menu import breadcrumbs
from healthbank.core import replicas
from healthbank.identity.delegation import active_for_delegate
from healthbank.identity.models import Delegation
from healthbank.people.models import Person
from healthbank.records.selectors.family import children_in_care

SUBJECT_KEY = "bank.subject"


@dataclass(frozen=True)
class Portal:
    viewer: Person
    subject: Person
    children: list[Person]
    today: dt.date
    # The family access the viewer holds now, and the one open (None: own or a child's).
    delegations: tuple[Delegation, ...] = ()
    delegation: Delegation | None = None

    @property
    def for_child(self) -> bool:
        return self.subject.pk != self.viewer.pk and self.delegation is None

    @property
    def for_delegate(self) -> bool:
        return self.delegation is not None

    @property
    def granted(self) -> frozenset[str] | None:
        """The categories the viewer may see of the subject; None: all (own, a child's)."""
        return None if self.delegation is None else frozenset(self.delegation.categories)

    @property
    def others(self) -> list[Person]:
        """Whose records the switcher offers besides the viewer's own."""
        return [*self.children, *(d.owner for d in self.delegations)]

    def may_open(self, view: str) -> bool:
        return grants.may_open(view, self.granted)


def viewer_of(request: HttpRequest) -> Person:
    account = getattr(request.user, "account", None)
    if account is None:  # staff users have no personal portal
        raise Http404
    return account.person


def open_portal(request: HttpRequest) -> Portal:
    viewer = viewer_of(request)
    today = timezone.localdate()
    children = children_in_care(viewer, today)
    delegations = tuple(active_for_delegate(viewer, timezone.now()))
    wanted = request.session.get(SUBJECT_KEY)
    subject = next((child for child in children if child.pk == wanted), viewer)
    delegation = None
    if subject is viewer and wanted is not None:
        delegation = next((d for d in delegations if d.owner_id == wanted), None)
        subject = delegation.owner if delegation is not None else viewer
    if wanted is not None and subject is viewer:
        # The child turned 15 or is no longer insured here; the family access ended.
        request.session.pop(SUBJECT_KEY)
    if subject is not viewer:  # what a provider just sent for them shows at once
        replicas.reads_records_of(subject.pk)
    return Portal(
        viewer=viewer,
        subject=subject,
        children=children,
        today=today,
        delegations=delegations,
        delegation=delegation,
    )


def switch_subject(request: HttpRequest, person_id: int) -> Person:
    """Open the portal of the viewer, one of their children or someone who gave them family
    access; anyone else is a 404."""
    portal = open_portal(request)
    if person_id == portal.viewer.pk:
        request.session.pop(SUBJECT_KEY, None)
        return portal.viewer
    other = next((p for p in portal.others if p.pk == person_id), None)
    if other is None:
        raise Http404
    request.session[SUBJECT_KEY] = other.pk
    return other


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
        if portal.for_delegate:
            refused = _refused_to_delegate(request, portal)
            if refused is not None:
                return refused
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


def _refused_to_delegate(request: HttpRequest, portal: Portal) -> HttpResponseBase | None:
    """Family access is read-only (403, saying so) and shows only the pages whose categories
    were granted (404 for the rest, as for a page of someone else's)."""
    name = request.resolver_match.view_name if request.resolver_match else ""
    if name in grants.WRITES or request.method not in ("GET", "HEAD"):
        owner = portal.subject.name
        body = render_to_string(
            "bank/read_only.html", {"portal": portal, "owner": owner}, request=request
        )
        return HttpResponseForbidden(body)
    if not portal.may_open(name):
        raise Http404
    return None


def own_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of the signed-in person's own (family access): shown in their own frame,
    whoever's records are open (the choice is kept for the next page), and no read of
    records (the services audit the changes)."""

    @never_cache
    @login_required
    @functools.wraps(view)
    def wrapper(request: PortalRequest, *args, **kwargs) -> HttpResponseBase:
        portal = open_portal(request)
        request.portal = portal = replace(portal, subject=portal.viewer, delegation=None)
        return view(request, portal, *args, **kwargs)

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
