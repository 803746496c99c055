"""Record reads from replicas with read-your-writes (core/replicas.py).

The replica here is `replica1`, a test mirror of the test database (settings.py): the same
data through a connection of its own, so each read's alias shows in that connection's
query log. Transactional tests: inside a test's own transaction every read stays on the
primary, as it does inside any transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings as project
from django.db import connection, connections, transaction
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from healthbank.core import replicas
from healthbank.core.replicas import PIN_KEY, ReadYourWrites
from healthbank.people.models import Person
from healthbank.records.models import Measurement
from healthbank.settings import database
from tests.fixtures.personas import CHEN

POSTGRES = connection.vendor == "postgresql"
REPLICA = "replica1"
MEASUREMENTS = reverse("bank:measurements")

on_both = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def replica(settings) -> Iterator[str]:
    settings.DATABASE_REPLICAS = [REPLICA]
    replicas._down_until.clear()
    yield REPLICA
    replicas._down_until.clear()


@contextmanager
def another_database(alias: str, **changes: Any) -> Iterator[str]:
    """A connection under `alias` to the test database's server with these settings
    changed (made here, not in DATABASES: the test's isolation allows it)."""
    config = dict(connections["default"].settings_dict) | changes
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


@pytest.fixture
def unreachable(settings) -> Iterator[str]:
    """A replica whose server does not answer: a closed port, or a file in a folder that
    does not exist."""
    if POSTGRES:
        changes: dict[str, Any] = {"HOST": "127.0.0.1", "PORT": "1"}
    else:
        changes = {"NAME": "/nonexistent/healthbank/replica.sqlite3", "OPTIONS": {}}
    with another_database("replica_down", **changes) as alias:
        settings.DATABASE_REPLICAS = [alias]
        replicas._down_until.clear()
        yield alias
    replicas._down_until.clear()


def record_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"records_' in q["sql"]]


def read_page(client, path: str) -> tuple[list[str], list[str], str]:
    """(record reads on the primary, record reads on the replica, the page)."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as mirror,
    ):
        response = client.get(path)
    assert response.status_code == 200
    return record_reads(primary), record_reads(mirror), response.content.decode()


def an_hour_ago() -> str:
    moment = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    return moment.strftime("%Y-%m-%dT%H:%M")


# --- Settings ---------------------------------------------------------------------------------


def test_a_libpq_multi_host_url_becomes_libpq_host_and_port_lists():
    config = database(
        "postgres://hb:secret@db1.example:5432,db2.example:5433,[::1]/healthbank"
        "?target_session_attrs=read-write&connect_timeout=3"
    )
    assert (config["HOST"], config["PORT"]) == ("db1.example,db2.example,::1", "5432,5433,5432")
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("healthbank", "hb", "secret")
    assert config["OPTIONS"] == {"target_session_attrs": "read-write", "connect_timeout": 3}


def test_one_host_urls_parse_as_before():
    config = database("postgres://hb@db.example:6432/healthbank")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 6432, "healthbank")
    assert database("sqlite:///var/x.sqlite3")["NAME"] == "var/x.sqlite3"


def test_replica_urls_become_aliases_with_the_engines_options_not_the_primarys():
    """Each replica keeps the prepared-statement options but not the primary's
    target_session_attrs (a standby would refuse read-write)."""
    code = (
        "import json; from healthbank import settings as s; "
        "print(json.dumps([s.DATABASE_REPLICAS, s.DATABASES['default'], s.DATABASES['replica2']]))"
    )
    env = os.environ | {
        "DATABASE_URL": "postgres://hb@db1:5432,db2:5432/hb?target_session_attrs=read-write",
        "DATABASE_REPLICA_URLS": "postgres://hb@db2:5432/hb, postgres://hb@db3:5432/hb",
        "PYTHONPATH": str(project.BASE_DIR),
    }
    out = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", "import pytest\n" + code],  # pytest: settings for tests
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    aliases, primary, replica2 = json.loads(out)
    assert aliases == ["replica1", "replica2"]
    assert primary["HOST"] == "db1,db2"
    assert primary["OPTIONS"] == {
        "server_side_binding": True,
        "prepare_threshold": 5,
        "target_session_attrs": "read-write",
    }
    assert replica2["HOST"] == "db3"
    assert replica2["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert replica2["TEST"] == {"MIRROR": "default"}


@pytest.mark.skipif(not POSTGRES, reason="libpq's multi-host connection needs PostgreSQL")
@pytest.mark.django_db
def test_a_multi_host_url_connects_to_the_read_write_host_past_a_dead_one():
    """The host list is tried in turn: a closed port, then the test server, which is
    read-write. The QR fast path connects with these same parameters (vcard/fastpath.py)."""
    import psycopg
    from django.db.backends.postgresql.base import DatabaseWrapper

    mine = connection.settings_dict
    config = database(
        f"postgres://{mine['USER']}@127.0.0.1:1,{mine['HOST'] or '127.0.0.1'}:"
        f"{mine['PORT'] or 5432}/{mine['NAME']}?target_session_attrs=read-write"
        "&connect_timeout=2"
    )
    params = DatabaseWrapper(
        {**mine, **config, "OPTIONS": config["OPTIONS"]}
    ).get_connection_params()
    assert params["target_session_attrs"] == "read-write"
    with psycopg.connect(**params) as other:
        assert other.info.port == int(mine["PORT"] or 5432)
        assert other.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)


# --- The router's choices ---------------------------------------------------------------------


@on_both
def test_a_persons_record_pages_read_the_replica_and_the_rest_the_primary(client, sign_in, replica):
    sign_in(client, CHEN)
    on_primary, on_replica, page = read_page(client, MEASUREMENTS)
    assert on_replica and not on_primary
    assert "records_measurement" in " ".join(on_replica)
    with CaptureQueriesContext(connections[REPLICA]) as mirror:
        client.get(reverse("bank:insurance"))  # enrolment: master data, never a replica's
    assert not mirror.captured_queries


@on_both
def test_prepared_record_queries_follow_the_router(sign_in, replica):
    """The hot reads compiled once per process (core/prepared.py) run where the router says."""
    from healthbank.people.models import Person
    from healthbank.records.selectors.labs import _lab_list_query

    chen = Person.objects.get(national_id=CHEN)
    start, end = dt.date(2000, 1, 1), timezone.localdate()
    expected = _lab_list_query(using="default", person=chen.pk, start=start, end=end)

    def view(request):
        with CaptureQueriesContext(connections[REPLICA]) as mirror:
            rows = _lab_list_query(person=chen.pk, start=start, end=end)
        return rows, record_reads(mirror)

    rows, on_replica = ReadYourWrites(view)(RequestFactory().get("/"))
    assert rows == expected and rows
    assert on_replica


@on_both
def test_reads_inside_a_transaction_or_outside_a_request_use_the_primary(replica):
    seen: list[str] = []

    def view(request):
        seen.append(Measurement.objects.all().db)
        with transaction.atomic():
            seen.append(Measurement.objects.all().db)
        Measurement.objects.filter(pk=0).delete()  # a write: always the primary
        seen.append(Measurement.objects.all().db)
        return HttpResponse()

    ReadYourWrites(view)(RequestFactory().get("/"))
    assert seen == [REPLICA, "default", REPLICA]
    assert Measurement.objects.all().db == "default"  # a worker, a command
    ReadYourWrites(view)(RequestFactory().post("/"))
    assert seen[3:] == ["default"] * 3  # a POST reads what it changes on the primary


@on_both
def test_no_replica_configured_leaves_everything_on_the_primary(client, sign_in, settings):
    assert settings.DATABASE_REPLICAS == []
    chen = sign_in(client, CHEN)
    on_primary, on_replica, _page = read_page(client, MEASUREMENTS)
    assert on_primary and not on_replica
    client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), "weight": "71.5"})
    from django.core.cache import cache

    assert cache.get(PIN_KEY.format(chen.pk)) is None


# --- Read-your-writes -------------------------------------------------------------------------


@on_both
def test_a_saved_measurement_pins_its_person_and_shows_on_the_next_page(client, sign_in, replica):
    from django.core.cache import cache

    chen = sign_in(client, CHEN)
    saved = client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), "weight": "71.5"})
    assert saved.status_code == 302
    pinned_at = cache.get(PIN_KEY.format(chen.pk))
    on_primary, on_replica, page = read_page(client, MEASUREMENTS)
    assert "71.5" in page
    if POSTGRES:
        # The position after the write; the mirror answers NULL for its replay position and
        # is the primary itself, so it has everything and may be read.
        assert isinstance(pinned_at, int) and pinned_at > 0
        assert on_replica and not on_primary
    else:  # no LSNs: the person reads the primary while the pin lasts
        assert pinned_at is True
        assert on_primary and not on_replica
        cache.delete(PIN_KEY.format(chen.pk))  # the pin's time is up
        on_primary, on_replica, _page = read_page(client, MEASUREMENTS)
        assert on_replica and not on_primary


@on_both
@pytest.mark.skipif(
    POSTGRES,
    reason="the tests' replica is the primary itself, which may serve any pin on PostgreSQL; "
    "SQLite's pins without a position show whose pins a request heeds",
)
def test_a_parent_viewing_a_child_heeds_the_childs_pin_and_pins_the_child_on_a_save(
    client, sign_in, replica
):
    from django.core.cache import cache

    from tests.fixtures.personas import LIN, LIN_SON

    mother = sign_in(client, LIN)
    son = Person.objects.get(national_id=LIN_SON)
    client.post(reverse("bank:switch"), {"person": son.pk})
    cache.clear()  # signing in and switching were writes too
    on_primary, on_replica, _page = read_page(client, MEASUREMENTS)
    assert on_replica and not on_primary

    replicas.pin([son.pk])  # a provider's upload just wrote his visits
    on_primary, on_replica, _page = read_page(client, MEASUREMENTS)
    assert on_primary and not on_replica  # his mother's page shows them at once

    cache.clear()
    saved = client.post(MEASUREMENTS, {"measured_at": an_hour_ago(), "weight": "31.5"})
    assert saved.status_code == 302
    assert cache.get(PIN_KEY.format(son.pk)) is True  # what she saved for him
    assert cache.get(PIN_KEY.format(mother.pk)) is True


@on_both
def test_the_app_reads_records_from_the_replica_and_its_writes_pin_the_token_holder(
    client, replica
):
    from django.core.cache import cache

    from healthbank.api.tests.test_api import login, post, verify
    from healthbank.identity.tests.cardhelpers import registered, seed_personas

    seed_personas()
    chen = registered()
    token = login(client, verify(client, chen)).json()["access_token"]
    cache.clear()  # signing in was a write too
    headers = {"Authorization": f"Bearer {token}"}
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as mirror,
    ):
        assert client.get("/api/v1/records/outpatient", headers=headers).status_code == 200
    assert record_reads(mirror) and not record_reads(primary)
    assert post(client, "/today", token=token).status_code == 202
    assert cache.get(PIN_KEY.format(chen.person_id)) is not None


@on_both
def test_a_providers_chunk_pins_the_persons_in_it_once_committed(replica):
    from django.core.cache import cache

    from healthbank.records.tests.factories import PersonFactory

    people = [PersonFactory(), PersonFactory()]
    with transaction.atomic():
        replicas.pin_on_commit([people[0].pk, people[1].pk, people[0].pk])
        assert cache.get(PIN_KEY.format(people[0].pk)) is None  # not before the commit
    assert all(cache.get(PIN_KEY.format(p.pk)) is not None for p in people)
    untouched = PersonFactory()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        replicas.pin_on_commit([untouched.pk])
        raise ZeroDivisionError  # the chunk failed: nothing of it is visible anywhere
    assert cache.get(PIN_KEY.format(untouched.pk)) is None


# --- Fallback ---------------------------------------------------------------------------------


@on_both
def test_an_unreachable_replica_falls_back_to_the_primary_and_is_left_alone(
    client, sign_in, unreachable, caplog
):
    sign_in(client, CHEN)
    with caplog.at_level(logging.WARNING, logger="healthbank.core.replicas"):
        on_primary, _on_replica, page = read_page(client, MEASUREMENTS)
    assert on_primary and "unreachable" in caplog.text
    assert unreachable in replicas._down_until
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="healthbank.core.replicas"):
        assert client.get(MEASUREMENTS).status_code == 200
    assert not caplog.text  # not tried again for DOWN_SECONDS


@on_both
def test_a_dead_replica_among_live_ones_leaves_the_reads_to_the_live_one(
    client, sign_in, replica, unreachable, settings
):
    settings.DATABASE_REPLICAS = [unreachable, replica]
    sign_in(client, CHEN)
    for _ in range(3):  # whichever the router asks first
        on_primary, on_replica, _page = read_page(client, MEASUREMENTS)
        assert on_replica and not on_primary


# --- Replay positions against the real functions (PostgreSQL) --------------------------------

needs_postgres = pytest.mark.skipif(not POSTGRES, reason="WAL positions are PostgreSQL's")


LSNS = ["0/0", "0/FFFFFFFF", "1/0", "16/B374D848", "16/B374D849", "FF/1"]


def test_lsn_numbers_order_lsns():
    assert sorted(reversed(LSNS), key=replicas.lsn) == LSNS


@needs_postgres
@pytest.mark.django_db
def test_lsn_numbers_order_as_postgresql_orders_them():
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM unnest(%s::text[]) v ORDER BY v::pg_lsn", [LSNS[::-1]])
        assert [row[0] for row in cursor.fetchall()] == sorted(LSNS, key=replicas.lsn)


@needs_postgres
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_replica_is_read_only_once_it_has_replayed_the_pinned_position(replica):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text, pg_last_wal_replay_lsn()")
        before, replay = cursor.fetchone()
    assert replay is None  # a primary is not replaying: NULL, as the router expects
    from healthbank.records.tests.factories import PersonFactory

    PersonFactory()
    pinned = replicas.primary_position()
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::pg_lsn >= %s::pg_lsn", [before, _text(pinned)])
        assert cursor.fetchone() == (False,)  # PostgreSQL agrees the write came after
    assert not replicas.replayed_past(before, pinned)
    assert replicas.replayed_past(_text(pinned), pinned)
    assert replicas.replayed_past(_text(pinned + 1), pinned)


def _text(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


@needs_postgres
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_server_answering_null_is_read_only_if_it_is_the_primary(replica):
    """The mirror is the primary: read even when pinned. Another database that is not
    replaying (here the server's `postgres` database) is never read."""
    pinned = replicas.primary_position()
    assert replicas.caught_up(REPLICA, pinned)
    with another_database("replica_other", NAME="postgres") as other:
        assert not replicas.caught_up(other, None)
        assert not replicas.caught_up(other, pinned)
