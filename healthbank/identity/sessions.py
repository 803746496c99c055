"""The session engine (SESSION_ENGINE): Django's database sessions, kept in WebSession rows
that say whose session each is, and a session's clocks.

A signed-in session carries its sign-in time and the time of its last request; the
middleware ends it SESSION_IDLE_SECONDS after the one or SESSION_ABSOLUTE_SECONDS after the
other. Both are stamped here when a session is first saved signed in, whatever page signed
it in (a person's, the staff admin's, an insured unit's, a test client's force_login), so
the sign-in costs no query more.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

if TYPE_CHECKING:
    from healthbank.identity.models import WebSession

LAST_SEEN, SIGNED_IN_AT = "last_seen", "signed_in_at"
# The pk of the NHI card a session was signed in with (identity.views.start_session); the
# middleware ends the session once that card is no longer valid.
SIGNED_IN_CARD = "signed_in_card"


def now() -> float:
    return timezone.now().timestamp()


def seconds_left(session: SessionBase) -> int:
    """Seconds before the idle or the absolute limit ends the session, whichever is first."""
    at = now()
    idle = settings.SESSION_IDLE_SECONDS - (at - session.get(LAST_SEEN, at))
    absolute = settings.SESSION_ABSOLUTE_SECONDS - (at - session.get(SIGNED_IN_AT, at))
    return max(0, math.ceil(min(idle, absolute)))


def _stamped(data: dict[str, Any]) -> dict[str, Any]:
    """A session saved signed in for the first time starts its clocks."""
    if data.get(SESSION_KEY) and SIGNED_IN_AT not in data:
        data[SIGNED_IN_AT] = data[LAST_SEEN] = now()
    return data


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls) -> type[WebSession]:
        from healthbank.identity.models import WebSession

        return WebSession

    def create_model_instance(self, data: dict[str, Any]) -> WebSession:
        # The stubs do not follow get_model_class: the instance is a WebSession.
        session = cast("WebSession", super().create_model_instance(_stamped(data)))
        session.user_id = data.get(SESSION_KEY)
        return session

    async def acreate_model_instance(self, data: dict[str, Any]) -> WebSession:
        session = cast("WebSession", await super().acreate_model_instance(_stamped(data)))
        session.user_id = data.get(SESSION_KEY)
        return session
