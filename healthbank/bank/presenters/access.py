"""The access record's rows (存取紀錄): each audit event as what happened, who did it and
from where, in the reader's words; other people masked, addresses without their host part.

Who is said from the viewer's side: "you" is the signed-in person (a parent viewing a
child's record sees their own reads as theirs), the person whose record it is by their
masked name when that is someone else, anyone else by masked name, organisations by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from healthbank.audit.models import AuditEvent
from healthbank.bank.menu import HOME, SECTIONS, Page
from healthbank.bank.presenters.masking import masked_address, masked_name
from healthbank.core.templatetags.rocdate import rocdatetime
from healthbank.identity.eservice_menu import service_of

if TYPE_CHECKING:
    from healthbank.audit.selectors import AccessPage

Action, Actor = AuditEvent.Action, AuditEvent.Actor
# The portal's page a read names (portal.portal_page records the view name) that is not a
# menu page: the package download. Rows written before names were namespaced say "download".
DOWNLOAD_PAGES = frozenset({"downloads:download", "download"})
# A read through the NHI Express app's API names "app:<category>" (api.api._audit_read).
APP_PAGE = "app:"


@dataclass(frozen=True)
class AccessRow:
    when: str  # 115/12/07 11:05 in Chinese, 2026-12-07 11:05 in English
    when_iso: str
    what: str
    detail: str  # the page read, the sign-in method, or ""
    who: str
    where: str
    failed: bool


def rows(
    found: AccessPage, *, viewer_id: int, subject_id: int, subject_name: str
) -> list[AccessRow]:
    pages = _page_labels()
    return [
        AccessRow(
            when=rocdatetime(event.at),
            when_iso=event.at.isoformat(),
            what=str(event.get_action_display()),
            detail=_detail(event, pages),
            who=_who(event, found, viewer_id, subject_id, subject_name),
            where=masked_address(event.address),
            failed=not event.success,
        )
        for event in found.events
    ]


def _who(
    event: AuditEvent, found: AccessPage, viewer_id: int, subject_id: int, subject_name: str
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
    return str(event.get_actor_display())  # NHIA staff, System, or an organisation gone


def _detail(event: AuditEvent, pages: dict[str, str]) -> str:
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.action in (Action.RECORDS_READ, Action.RECORDS_CHANGED):
        page = str(detail.get("page", ""))
        if page in DOWNLOAD_PAGES:
            return _("Record package downloaded")
        if page.startswith(APP_PAGE):
            return _("In the NHI Express app")
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
