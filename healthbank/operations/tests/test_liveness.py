"""A task left running by a dead worker goes back in the queue; a live worker's stays with
it (liveness.py). Workers show they are alive by a lock on their own connection: here a
second connection plays the live worker."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from healthbank.operations import liveness

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_worker():
    """live_worker(worker_id): holds that worker's lock on a connection of its own, as its
    `healthbank worker` would, until the test ends."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; on SQLite stalled batches are re-queued")
    database = connection.settings_dict
    held = []

    def hold(worker_id: str) -> None:
        conn = psycopg.connect(
            dbname=database["NAME"],
            user=database["USER"],
            host=database["HOST"],
            port=database["PORT"],
            password=database["PASSWORD"] or None,
            autocommit=True,
        )
        conn.execute(
            "SELECT pg_advisory_lock(%s, %s)",
            [liveness.LOCK_SPACE, liveness.worker_key(worker_id)],
        )
        held.append(conn)

    yield hold
    for conn in held:
        conn.close()
    with connection.cursor() as cursor:  # a Liveness run in this thread took one here
        cursor.execute("SELECT pg_advisory_unlock_all()")


def running_on(*worker_ids: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        started_at=timezone.now(),
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="healthbank.downloads.tasks.generate_package",
        backend_name="default",
        run_after=timezone.now(),
        worker_ids=list(worker_ids),
    )


def test_a_dead_workers_task_is_queued_again_and_a_live_ones_is_left(live_worker):
    live_worker("web2-4242")
    alive = running_on("web2-4242")
    dead = running_on("web1-1717")
    taken_over_then_dead = running_on("web2-4242", "web1-1818")
    done = running_on("web1-1717")
    DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL")

    put_back = liveness.requeue_orphans()

    assert sorted(put_back) == sorted([str(dead.pk), str(taken_over_then_dead.pk)])
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {
        alive.pk: "RUNNING",
        dead.pk: "READY",
        taken_over_then_dead.pk: "READY",
        done.pk: "SUCCESSFUL",
    }
    assert DBTaskResult.objects.get(pk=dead.pk).worker_ids == ["web1-1717"]  # its history
    assert liveness.requeue_orphans() == []  # put back once


def test_a_task_whose_workers_died_each_time_is_failed_not_run_again(live_worker):
    live_worker("web2-4242")
    killer = running_on("web1-1", "web2-2", "web1-3")

    assert liveness.requeue_orphans() == []

    failed = DBTaskResult.objects.get(pk=killer.pk)
    assert failed.status == "FAILED" and failed.finished_at is not None
    assert failed.exception_class_path.endswith("WorkerLost")


def test_a_worker_takes_its_lock_and_judges_others_only_after_the_grace(live_worker, settings):
    settings.WORKER_LIVENESS_GRACE = 3600
    dead = running_on("web1-1717")
    watcher = liveness.Liveness("web2-5151")

    watcher.look()  # just connected (a failover?): the others may not have their locks back

    assert DBTaskResult.objects.get(pk=dead.pk).status == "RUNNING"
    with connection.cursor() as cursor:
        cursor.execute(liveness.LIVE_WORKER_KEYS, [liveness.LOCK_SPACE])
        assert [key for (key,) in cursor.fetchall()] == [liveness.worker_key("web2-5151")]

    settings.WORKER_LIVENESS_GRACE = 0
    watcher.look()

    assert DBTaskResult.objects.get(pk=dead.pk).status == "READY"
