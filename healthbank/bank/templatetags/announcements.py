"""`{% current_announcements as announcements %}` for pages whose view does not pass them
(the login page's 公告事項); render them with bank/includes/announcements.html."""

from __future__ import annotations

from django import template
from django.utils import timezone

from healthbank.bank.models import Announcement
from healthbank.bank.news import current_announcements as current

register = template.Library()


@register.simple_tag
def current_announcements(kind: str = Announcement.Kind.ANNOUNCEMENT) -> list[Announcement]:
    return current(timezone.localdate(), kind=kind)
