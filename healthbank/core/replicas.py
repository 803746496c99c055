"""Reads of person-owned records from read replicas, with read-your-writes (issue 22).

`ReplicaRouter` sends every write and every migration to `default`, the primary. Reads of
the models in `RECORD_MODELS` go, during a web request, to one of `DATABASE_REPLICAS`,
chosen once per request at its first such read; everything else reads the primary:
sessions, accounts, tokens, audit, enrolment and master data, ingest batches, tasks, and
every read outside a web request (workers, commands), which may act on what they just wrote.

Read-your-writes: after a person's request that may have written (POST, PUT, PATCH, DELETE
that did not fail), and after a provider's chunk commits for the persons in it, the primary's
WAL insert position is kept for that person in the shared cache (`pin`). A later request of
that person, or for that person (a parent viewing a child: `reads_records_of`), reads a
replica only if its `pg_last_wal_replay_lsn()` has reached it: one small
query on the replica per request, which also finds a replica that is down (then left alone
for `DOWN_SECONDS`) or more than `DATABASE_REPLICA_MAX_LAG` seconds behind; then the next
replica is asked, and when none will do, the primary answers. A replica that
answers NULL is not replaying: it is read only if it is the primary itself (a test mirror).
Without LSNs (SQLite) a pin keeps the person on the primary for DATABASE_REPLICA_MAX_LAG.

With several web hosts the cache must be shared (CACHE_URL), so that a pin made on one host
is seen on the others. With no replica configured the router answers nothing: Django's
defaults, everything on `default`.
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

# Person-owned records (the `records` app less its Provider table): what a person's pages,
# the app API and the downloads read in bulk, and what replicas are for. A replica serves
# only these; a join from them (visit → provider, codes) is answered by the same replica.
RECORD_MODELS = frozenset(
    f"records.{name}"
    for name in (
        "visit",
        "visitdiagnosis",
        "drugorder",
        "serviceorder",
        "surgery",
        "labresult",
        "imagingreport",
        "dischargesummary",
        "allergy",
        "vaccination",
        "preventivecheck",
        "carewish",
        "measurement",
        "calendarevent",
    )
)

DOWN_SECONDS = 10  # a replica that refused a connection is not tried again before this
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PIN_KEY = "replicas.pin.{}"

# An unreachable or down replica: when it may be tried again (time.monotonic()), by alias.
_down_until: dict[str, float] = {}


@dataclass
class _Request:
    request: HttpRequest
    alias: str | None = None  # the alias record reads use, once chosen
    # Whose records the request reads besides the requester's own (a parent's child).
    subjects: set[int] = field(default_factory=set)


_current: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "replica_request", default=None
)


class ReplicaRouter:
    """DATABASE_ROUTERS' only entry; silent (Django's defaults) without replicas."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not settings.DATABASE_REPLICAS:
            return None
        if model._meta.label_lower in RECORD_MODELS:
            return records_alias()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS if settings.DATABASE_REPLICAS else None

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool | None:
        one_database = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        return True if {first._state.db, second._state.db} <= one_database else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db in settings.DATABASE_REPLICAS else None


def records_alias() -> str:
    """Where a read of person-owned records goes now."""
    current = _current.get()
    if current is None:  # not a web request: a worker or command reads what it wrote
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:  # a transaction sees its own writes
        return DEFAULT_DB_ALIAS
    if current.alias is None:
        current.alias = _choose(current.request)
    return current.alias


def _choose(request: HttpRequest) -> str:
    if request.method not in SAFE_METHODS:
        return DEFAULT_DB_ALIAS  # a write reads what it is about to change on the primary
    now = time.monotonic()
    candidates = [a for a in settings.DATABASE_REPLICAS if _down_until.get(a, 0.0) <= now]
    if not candidates:
        return DEFAULT_DB_ALIAS
    pinned_at = newest_pin(persons_of(request))
    # In random order, to spread the load; the next one if one is down, behind or lagging.
    for alias in random.sample(candidates, len(candidates)):
        try:
            if caught_up(alias, pinned_at):
                return alias
        except DatabaseError:
            _down_until[alias] = now + DOWN_SECONDS
            log.warning("replica %s unreachable; not read for %ss", alias, DOWN_SECONDS)
    return DEFAULT_DB_ALIAS


def reads_records_of(person_id: int) -> None:
    """The current request reads this person's records too (a parent viewing a child): their
    pin counts in choosing the replica, and a write of the request pins them as well. Called
    before the request's first record read."""
    current = _current.get()
    if current is not None:
        current.subjects.add(person_id)


def persons_of(request: HttpRequest) -> set[int]:
    """Whose pins a request heeds and makes: the requester and the persons it reads for."""
    person = person_of(request)
    current = _current.get()
    subjects = current.subjects if current is not None else set()
    return subjects | ({person} if person is not None else set())


def newest_pin(persons: Iterable[int]) -> int | bool | None:
    """The pin a replica must have replayed to serve all these persons: the furthest
    position, True if one is pinned without a position, None for no pin."""
    pins = cache.get_many([PIN_KEY.format(person) for person in persons]).values()
    if True in pins:
        return True
    return max(pins, default=None)


def person_of(request: HttpRequest) -> int | None:
    """The person the request is from: the app API's token holder or the signed-in account's
    person (duck-typed: core sits below the apps that define them)."""
    account = getattr(getattr(getattr(request, "auth", None), "binding", None), "account", None)
    if account is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        account = getattr(user, "account", None)
    return getattr(account, "person_id", None)


# --- Replay positions -------------------------------------------------------------------------

# On a replica: how far it has replayed, and how many seconds behind the primary it is (0
# when it has replayed all it received; a NULL replay position means it is not a replica).
_POSITION = """
SELECT pg_last_wal_replay_lsn()::text,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
       END::float8
"""


def lsn(text: str) -> int:
    """A PostgreSQL LSN ('16/B374D848') as a number that orders like it."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def primary_position() -> int | None:
    """The primary's WAL insert position now: past the end of every commit made so far, even
    an asynchronous one not yet flushed (pg_current_wal_lsn() would be before it). None
    without LSNs (SQLite)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return lsn(cursor.fetchone()[0])


def caught_up(alias: str, position: int | None | bool) -> bool:
    """The replica may serve a reader pinned at `position` (a primary_position(), True for a
    pin without one, None for no pin): it answers, is at most DATABASE_REPLICA_MAX_LAG
    behind, and has replayed the position. DatabaseError when it does not answer."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        connection.ensure_connection()
        return position is None  # no replay position to compare: a pin waits out its time
    with connection.cursor() as cursor:
        cursor.execute(_POSITION)
        replayed, lag = cursor.fetchone()
    if replayed is None:  # not in recovery: the primary itself, or a server it must not trust
        return _is_primary(alias)
    return lag <= settings.DATABASE_REPLICA_MAX_LAG and replayed_past(replayed, position)


def replayed_past(replayed: str, position: int | None | bool) -> bool:
    """A replica that has replayed up to `replayed` has what a reader pinned at `position`
    must see (None: no pin; True: a pin without a position, which only time ends)."""
    if position is None:
        return True
    return position is not True and lsn(replayed) >= position


def _is_primary(alias: str) -> bool:
    mine, primary = connections[alias].settings_dict, connections[DEFAULT_DB_ALIAS].settings_dict
    return all(mine.get(key) == primary.get(key) for key in ("HOST", "PORT", "NAME"))


# --- Pins -------------------------------------------------------------------------------------


def pin(person_ids: Iterable[int]) -> None:
    """These persons read the primary until a replica has replayed what was just committed
    for them (or for DATABASE_REPLICA_MAX_LAG, when there is no replay position)."""
    if not settings.DATABASE_REPLICAS:
        return
    ids = list(person_ids)
    if not ids:
        return
    position = primary_position()
    value = True if position is None else position
    cache.set_many(
        {PIN_KEY.format(person): value for person in ids},
        timeout=settings.DATABASE_REPLICA_MAX_LAG,
    )


def pin_on_commit(person_ids: Iterable[int]) -> None:
    """`pin` once the current transaction commits (nothing if it rolls back)."""
    if settings.DATABASE_REPLICAS:
        ids = sorted(set(person_ids))
        transaction.on_commit(lambda: pin(ids))


class ReadYourWrites:
    """Middleware: chooses the replica of a request's record reads (lazily, at the first),
    and pins the requester, and the persons it read for, after a request that may have
    written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        token = _current.set(_Request(request))
        try:
            response = self.get_response(request)
            if request.method not in SAFE_METHODS and response.status_code < 400:
                pin(persons_of(request))
        finally:
            _current.reset(token)
        return response
