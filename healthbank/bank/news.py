"""Reads of what staff publish: current announcements and health news, the help pages.

Not personal data, so these take no person; `today` is the caller's local date.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Q, QuerySet

from healthbank.bank.models import Announcement, HelpEntry

# The login page's 公告事項 shows a handful; the list page shows them all.
SHOWN_ON_PAGES = 5

# Every home page shows what staff publish, which changes seldom: it is kept in the cache a
# minute, and forgotten at once when staff save or delete one (the next generation of keys).
CACHE_SECONDS = 60
GENERATION_KEY = "bank.announcements.generation"


def published(today: dt.date) -> QuerySet[Announcement]:
    """Everything published by today, current or expired (a detail page may be linked)."""
    return Announcement.objects.filter(published_on__lte=today)


def current_announcements(
    today: dt.date,
    *,
    kind: str | None = Announcement.Kind.ANNOUNCEMENT,
    limit: int | None = SHOWN_ON_PAGES,
) -> list[Announcement]:
    """Published by today and not yet past `until`; pinned first, then newest first.

    `kind=None` gives announcements and news together; `limit=None` gives all of them.
    """
    generation = cache.get_or_set(GENERATION_KEY, 0, timeout=None)
    key = f"bank.announcements.{generation}.{today.isoformat()}.{kind}.{limit}"
    if (found := cache.get(key)) is None:
        rows = published(today).filter(Q(until__isnull=True) | Q(until__gte=today))
        if kind is not None:
            rows = rows.filter(kind=kind)
        rows = rows.order_by("-pinned", "-published_on", "-pk")
        found = list(rows[:limit] if limit is not None else rows)
        cache.set(key, found, CACHE_SECONDS)
    return found


def forget_announcements(**_kwargs) -> None:
    """A receiver of Announcement's saves and deletes: pages show the change at once."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never read since the cache started: nothing cached to forget
        pass


def help_entries(kind: str) -> list[HelpEntry]:
    """The user guide's sections or the FAQ's questions, in their order."""
    return list(HelpEntry.objects.filter(kind=kind).order_by("position", "pk"))
