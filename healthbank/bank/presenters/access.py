"""The access record's rows (存取紀錄): each audit event as what happened, who did it and
from where, in the reader's words; other people masked, addresses without their host part.

Who is said from the viewer's side: "you" is the signed-in person (a parent viewing a
child's record sees their own reads as theirs), the person whose record it is by their
masked name when that is someone else, anyone else by masked name, organisations and apps
by name, NHIA staff by role (their groups) and the reason they gave, never by name.

The same rows make the page of who read the person's data (查詢紀錄) and its CSV export:
each row also says what kind of reader it was (READER_LABELS, the filter's choices).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from healthbank.agencies.claims import claim_labels
from healthbank.audit.models import AuditEvent
from healthbank.bank.menu import HOME, SECTIONS, Page
from healthbank.bank.presenters.masking import masked_address, masked_name
from healthbank.core.templatetags.rocdate import rocdatetime
from healthbank.identity.eservice_menu import service_of
from healthbank.identity.staff_reads import COMMON_REASONS

if TYPE_CHECKING:
    from healthbank.audit.selectors import AccessPage

Action, Actor = AuditEvent.Action, AuditEvent.Actor
# The portal's page a read names (portal.portal_page records the view name) that is not a
# menu page: the package download. Rows written before names were namespaced say "download".
DOWNLOAD_PAGES = frozenset({"downloads:download", "download"})
# The export of who read the person's data (views.personal.readers_csv): not a menu page.
READERS_EXPORT_PAGE = "bank:readers_csv"
# A read through the NHI Express app's API names "app:<category>" (api.api._audit_read).
APP_PAGE = "app:"
# A read by a third-party app through the FHIR API names "fhir:<resource type>"; a read by
# NHIA staff at /staff/ names "staff:<app>.<model>" (identity.staff_reads).
FHIR_PAGE = "fhir:"
STAFF_PAGE = "staff:"
# The kind of reader of an event not by a person (audit.selectors.reader_filters).
READER_OF_ACTOR: dict[str, str] = {
    Actor.APP: "apps",
    Actor.PROVIDER: "providers",
    Actor.STAFF: "staff",
}
# Who read, as the person filters their reads (audit.selectors.READERS, in that order).
READER_LABELS = {
    "own": pgettext_lazy("who read", "Own sessions (website and app)"),
    "family": pgettext_lazy("who read", "Family (a parent, or someone you gave family access)"),
    "apps": pgettext_lazy("who read", "Third-party apps"),
    "providers": pgettext_lazy("who read", "Clinics, with the virtual NHI card"),
    "staff": pgettext_lazy("who read", "NHIA staff"),
}


@dataclass(frozen=True)
class AccessRow:
    when: str  # 115/12/07 11:05 in Chinese, 2026-12-07 11:05 in English
    when_iso: str
    what: str
    detail: str  # the page read, the sign-in method, or ""
    who: str
    where: str
    failed: bool
    reader: str = ""  # the kind of reader (READER_LABELS), for reads
    scope: str = ""  # what a third-party app was allowed to read (its SMART scope)
    reason: str = ""  # why NHIA staff read it, as they said


def rows(
    found: AccessPage,
    *,
    viewer_id: int,
    subject_id: int,
    subject_name: str,
    apps: dict[int, str] | None = None,
    agencies: dict[int, str] | None = None,
) -> list[AccessRow]:
    """The page's events as rows; `apps` names the third-party apps that acted, by id, and
    `agencies` the agencies the person's identity was confirmed to."""
    pages = _page_labels()
    return [
        AccessRow(
            when=rocdatetime(event.at),
            when_iso=event.at.isoformat(),
            what=str(event.get_action_display()),
            detail=_detail(event, pages),
            who=_who(event, found, viewer_id, subject_id, subject_name, apps or {}, agencies or {}),
            where=masked_address(event.address),
            failed=not event.success,
            reader=str(READER_LABELS.get(reader_of(event, subject_id), "")),
            scope=str(_detail_of(event).get("scope", "")) if event.actor == Actor.APP else "",
            reason=_reason(event),
        )
        for event in found.events
    ]


def reader_of(event: AuditEvent, subject_id: int) -> str:
    """The kind of reader, as audit.selectors.reader_filters sorts them ("" for others)."""
    if event.actor == Actor.PERSON:
        own = event.actor_id is None or event.actor_id == subject_id
        return "own" if own else "family"
    return READER_OF_ACTOR.get(str(event.actor), "")


def _detail_of(event: AuditEvent) -> dict:
    return event.detail if isinstance(event.detail, dict) else {}


def _reason(event: AuditEvent) -> str:
    """Staff's reason in the reader's language where it was a common one, else as typed."""
    if event.actor != Actor.STAFF:
        return ""
    detail = _detail_of(event)
    common = COMMON_REASONS.get(str(detail.get("reason_code", "")))
    return str(common) if common is not None else str(detail.get("reason", ""))


def _who(
    event: AuditEvent,
    found: AccessPage,
    viewer_id: int,
    subject_id: int,
    subject_name: str,
    apps: dict[int, str],
    agencies: dict[int, str],
) -> str:
    if event.actor == Actor.PERSON:
        if event.action == Action.LOGIN_FAILED:  # whoever typed the ID: not known to be them
            return pgettext("access record: who", "Not confirmed (sign-in failed)")
        actor_id = subject_id if event.actor_id is None else event.actor_id
        if actor_id == viewer_id:
            return pgettext("access record: who", "You")
        if actor_id == subject_id:
            return masked_name(subject_name)
        name = found.people.get(actor_id)
        return masked_name(name) if name else pgettext("access record: who", "Another person")
    if event.actor == Actor.PROVIDER and event.actor_id in found.providers:
        return found.providers[event.actor_id]
    if event.actor == Actor.UNIT and event.actor_id in found.units:
        return found.units[event.actor_id]
    if event.actor == Actor.APP and event.actor_id in apps:
        return apps[event.actor_id]
    if event.actor == Actor.AGENCY and event.actor_id in agencies:
        return agencies[event.actor_id]
    if event.actor == Actor.STAFF and _detail_of(event).get("role"):
        return _("NHIA staff ({role})").format(role=_detail_of(event)["role"])
    return str(event.get_actor_display())  # NHIA staff, System, or an organisation gone


def _detail(event: AuditEvent, pages: dict[str, str]) -> str:
    detail = _detail_of(event)
    if event.action == Action.IDENTITY_RELEASED:
        released = [str(label) for label in claim_labels(list(detail.get("claims") or []))]
        return _("Confirmed with your NHI card: {claims}").format(
            claims=_(", ").join(released) or _("only that you signed in")
        )
    if event.action in (Action.RECORDS_READ, Action.RECORDS_CHANGED):
        page = str(detail.get("page", ""))
        if page in DOWNLOAD_PAGES:
            return _("Record package downloaded")
        if page == READERS_EXPORT_PAGE:
            return _("Who read my data, saved as a CSV file")
        if page.startswith(APP_PAGE):
            return _("In the NHI Express app")
        if page.startswith(FHIR_PAGE):
            resource = str(detail.get("resource") or page.removeprefix(FHIR_PAGE))
            return _("Through the FHIR API: {resource}").format(resource=resource)
        if page.startswith(STAFF_PAGE):
            data = _model_name(page.removeprefix(STAFF_PAGE))
            if detail.get("view") == "search":
                return _("NHIA staff pages: a search in {data}").format(data=data)
            return _("NHIA staff pages: {data}").format(data=data)
        service = service_of(page)
        if service is not None:
            return _("Personal e-services: {service}").format(service=service.title)
        return pages.get(page, "")
    if event.method:
        method = str(event.get_method_display())
        if detail.get("channel") == "app":
            return _("{method}, NHI Express app").format(method=method)
        return method
    return ""


def _model_name(label: str) -> str:
    """What staff opened, by its model's name in the reader's language (people.person)."""
    try:
        return str(apps.get_model(label)._meta.verbose_name_plural)
    except (LookupError, ValueError):
        return label


def _page_labels() -> dict[str, str]:
    """The portal's pages by view name, as the menus name them; and by URL name alone for
    rows written before names were namespaced (then "home" is the portal's home)."""
    labels: dict[str, str] = {}

    def walk(pages: tuple[Page, ...]) -> None:
        for page in pages:
            labels[page.view] = str(page.label)
            labels.setdefault(page.view.split(":")[-1], str(page.label))
            walk(page.children)

    walk((HOME, *SECTIONS))
    return labels
