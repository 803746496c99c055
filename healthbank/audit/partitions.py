"""The audit trail's monthly partitions on PostgreSQL, and its retention on any database.

It gains a row for every page read (about 56 million a day at a national busy rate), so on
PostgreSQL the table is partitioned by month on `at` (migration 0011): a month's rows sit
in one table, reads of the recent past touch small indexes, and a month past retention
goes with one DROP instead of billions of DELETEs. Months follow the calendar of
settings.TIME_ZONE (Asia/Taipei), the one people and staff read dates in.

The worker's periodic round (tasks.keep_partitions) keeps a partition for every month kept
and makes next month's ahead of time; a DEFAULT partition takes any row upkeep did not
foresee, so an insert never fails. Several workers may run it at once (an advisory lock
takes them in turn). On SQLite the table stays plain and retention deletes the rows before
the cut.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from healthbank.audit.models import AuditEvent

TABLE = AuditEvent._meta.db_table
DEFAULT = f"{TABLE}_default"
MONTHLY = re.compile(rf"^{TABLE}_p([0-9]{{4}})_([0-9]{{2}})$")
# Dropping a partition needs a brief exclusive lock on the whole table: wait this long
# behind running reads, then give up until the next round rather than queue every insert.
LOCK_TIMEOUT = "5s"


@dataclass
class Upkeep:
    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    deleted_rows: int = 0


def partitioned() -> bool:
    """Whether this database keeps the audit trail in monthly partitions."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def month_start(moment: dt.datetime) -> dt.datetime:
    """The first instant of the calendar month (settings.TIME_ZONE) holding `moment`."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1)


def partition_name(start: dt.datetime) -> str:
    return f"{TABLE}_p{start.year:04d}_{start.month:02d}"


def retention_cut(now: dt.datetime) -> dt.datetime:
    """Rows before this instant are past retention: whole months, so at least
    AUDIT_RETENTION_MONTHS months are always kept (and less than one more)."""
    return add_months(month_start(now), -settings.AUDIT_RETENTION_MONTHS)


def monthly_partitions() -> dict[str, dt.datetime]:
    """The monthly partitions that exist, by name, with the month each holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall()]
    zone = ZoneInfo(settings.TIME_ZONE)
    months = {}
    for name in names:
        if match := MONTHLY.match(name):
            months[name] = dt.datetime(int(match[1]), int(match[2]), 1, tzinfo=zone)
    return months


def create_partition(start: dt.datetime, existing: Iterable[str] | None = None) -> bool:
    """Make the partition of the month starting at `start`, unless it exists. Rows of that
    month already in the DEFAULT partition (upkeep lagged) move into it first; inserts
    into DEFAULT wait meanwhile, so none is left behind to block the attach."""
    name, end = partition_name(start), add_months(start, 1)
    if name in (monthly_partitions() if existing is None else existing):
        return False
    lower, upper = f"'{start.isoformat()}'", f"'{end.isoformat()}'"  # datetimes, not input
    with transaction.atomic(), connection.cursor() as cursor:
        if not _alone_and_still(cursor, name, exists=False):
            return False
        cursor.execute(f"LOCK TABLE {DEFAULT} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE at >= %s AND at < %s RETURNING *)"  # noqa: S608
            f" INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        # The month's CHECK spares the attach a scan of the rows just moved.
        cursor.execute(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_month CHECK (at >= {lower} AND at < {upper})"
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({lower}) TO ({upper})"
        )
        cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_month")
        name_indexes(cursor, name)
    return True


def _alone_and_still(cursor, name: str, *, exists: bool) -> bool:
    """Wait for any other worker's upkeep to end (workers on several hosts run it), then
    whether the partition still does (or does not) exist."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0] == exists


def name_indexes(cursor, partition: str) -> None:
    """Name a partition's indexes after the table's (`<partition>_login_by_person`), so a
    query plan says which index it used."""
    cursor.execute(
        "SELECT child.relname, parent.relname FROM pg_inherits i"
        " JOIN pg_class child ON child.oid = i.inhrelid"
        " JOIN pg_class parent ON parent.oid = i.inhparent"
        " JOIN pg_index x ON x.indexrelid = child.oid"
        " WHERE x.indrelid = %s::regclass AND parent.relname <> %s",
        [partition, f"{TABLE}_pkey"],
    )
    for current, parent in cursor.fetchall():
        if current != f"{partition}_{parent}":
            cursor.execute(f'ALTER INDEX "{current}" RENAME TO "{partition}_{parent}"')


def kept(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The trail as kept: from the retention cut to the end of next month. A read within
    it skips the DEFAULT partition when every month in it has its own (upkeep sees to
    that), so PostgreSQL reads a person's months newest first and stops when a page is
    full, instead of one index probe per month kept."""
    return retention_cut(now), add_months(month_start(now), 2)


def make_partitions(now: dt.datetime | None = None, since: dt.datetime | None = None) -> list[str]:
    """The partitions of the months from `since` (this month unless given) to next month
    that do not exist yet; idempotent."""
    this_month = month_start(now or timezone.now())
    start, made, existing = month_start(since) if since else this_month, [], monthly_partitions()
    while start <= add_months(this_month, 1):
        if create_partition(start, existing):
            made.append(partition_name(start))
        start = add_months(start, 1)
    return made


def drop_expired(now: dt.datetime | None = None) -> Upkeep:
    """Drop the monthly partitions entirely before the retention cut, each with one
    DROP TABLE (no row-by-row DELETE), and delete the few rows before it that DEFAULT
    caught. On a plain table (SQLite), delete the rows before the cut."""
    cut = retention_cut(now or timezone.now())
    done = Upkeep()
    if not partitioned():
        done.deleted_rows, _ = AuditEvent.objects.filter(at__lt=cut).delete()
        return done
    for name, start in sorted(monthly_partitions().items(), key=lambda item: item[1]):
        if add_months(start, 1) > cut:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            if not _alone_and_still(cursor, name, exists=True):
                continue
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"DROP TABLE {name}")  # detached and dropped at once
        done.dropped.append(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DEFAULT} WHERE at < %s", [cut])  # noqa: S608
        done.deleted_rows = cursor.rowcount
    return done


def upkeep(now: dt.datetime | None = None) -> Upkeep:
    """The worker's periodic round: every month kept has its partition, next month's made
    ahead, then the months past retention dropped."""
    now = now or timezone.now()
    created = make_partitions(now, since=retention_cut(now)) if partitioned() else []
    done = drop_expired(now)
    done.created = created
    return done
