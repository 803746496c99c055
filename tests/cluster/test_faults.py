"""Faults the national shape survives (issue 22), on the loopback cluster of cluster/shape.py:
Debian's etcd, Patroni, PostgreSQL, pgBackRest and HAProxy, our own web hosts and workers.

Each test breaks one part under load, measures what a user would notice (seconds without
service, writes acknowledged against writes found, failed reads) and puts the part back.
They need those packages (`make packages` installs them as root) and skip otherwise; they
start their own PostgreSQL, so they run once per CI, in the run without DATABASE_URL.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from cluster.shape import (
    BALANCER,
    DEBIAN_PACKAGES,
    PRIMARY_URL,
    REPLICAS_URL,
    Cluster,
    DatabaseHost,
    missing_tools,
    wait_for,
)

pytestmark = [
    pytest.mark.skipif(
        bool(missing_tools()),
        reason=f"needs Debian's {DEBIAN_PACKAGES} (missing {', '.join(missing_tools())})",
    ),
    pytest.mark.skipif(
        "DATABASE_URL" in os.environ,
        reason="the cluster brings its own PostgreSQL: run once, in the run without DATABASE_URL",
    ),
]
RECOVERY_LIMIT = 30  # seconds the issue allows a dead primary


# A provider's upload of visits with ids <prefix>-<n> (UPLOAD % (prefix, count)), received
# (queued for the workers) on the cluster: its batch id, printed. The visits are
# bench/measure.py's shape.
UPLOAD = """
import json
from django.db import transaction
from healthbank.ingest import services
from healthbank.ingest.models import Credential
from healthbank.records.models import Provider
from healthbank.people.models import Enrolment
from django.utils import timezone
import datetime as dt
day = timezone.localdate() - dt.timedelta(days=10)
insured = list(Enrolment.objects.filter(start_date__lte=day, end_date__isnull=True)
    .values_list("person__national_id", flat=True).distinct()[:50])
provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("code").first()
lines = [json.dumps({"type": "visit", "id": f"%s-{i}",
    "national_id": insured[i %% len(insured)], "kind": "western",
    "visit_date": day.isoformat(), "department": "01", "diagnoses": ["I10"],
    "copayment": 50, "points": 420, "card_sequence": "0001"})
    for i in range(%d)]
with transaction.atomic():
    token = services.issue_credential(credential=Credential(provider=provider))
    batch = services.receive_batch(credential=services.authenticate(token),
        chunks=[("\\n".join(lines) + "\\n").encode()], format="ndjson")
print(batch.pk)
"""
# A one-visit upload for the person the tests sign in (UPLOAD_ONE % source id): its batch id.
UPLOAD_ONE = """
import json
from django.db import transaction
from django.utils import timezone
from healthbank.ingest import services
from healthbank.ingest.models import Credential
from healthbank.records.models import Provider
provider = Provider.objects.exclude(kind=Provider.Kind.AGENCY).order_by("code").first()
line = json.dumps({"type": "visit", "id": "%s", "national_id": "A123456789",
    "kind": "western", "visit_date": timezone.localdate().isoformat(), "department": "01",
    "diagnoses": ["I10"], "copayment": 50, "points": 420, "card_sequence": "0001"})
with transaction.atomic():
    token = services.issue_credential(credential=Credential(provider=provider))
    batch = services.receive_batch(credential=services.authenticate(token),
        chunks=[(line + "\\n").encode()], format="ndjson")
print(batch.pk)
"""
SITE = f"http://{BALANCER[0]}:{BALANCER[1]}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def cluster():
    # pytest-xdist's worksteal may split this module between two workers, each with its own
    # module fixture; the cluster's fixed addresses take one at a time, so the second waits.
    with open(Path(tempfile.gettempdir()) / "healthbank-cluster.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield from _cluster()


def _cluster():
    # Not pytest's tmp_path: PostgreSQL's own user cannot reach into root's 0700 folders.
    folder = Path(tempfile.mkdtemp(prefix="healthbank-cluster-"))
    with Cluster(folder) as shape:
        shape.start_database()
        shape.manage("demo", "--no-serve", "--people", "10")
        shape.start_app()
        with psycopg.connect(PRIMARY_URL, autocommit=True) as conn:
            conn.execute("CREATE TABLE probe (n bigint PRIMARY KEY, at timestamptz DEFAULT now())")
        name, value = shape.sign_in(["A123456789"])[0].split("=", 1)
        shape.session_cookie = {name: value}
        yield shape
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Load:
    """Threads that write, read a replica and read pages through the balancer until stopped,
    each noting when it succeeded and when it failed."""

    acknowledged: list[int] = field(default_factory=list)
    writes: list[tuple[float, float, bool]] = field(default_factory=list)  # began, ended, ok
    replica_reads: list[tuple[float, bool]] = field(default_factory=list)
    page_reads: list[tuple[float, bool, str]] = field(default_factory=list)
    cookie: dict[str, str] | None = None  # a signed-in person's: their pages, their saves
    record_pages: list[tuple[float, int]] = field(default_factory=list)  # when, status
    saved: list[str] = field(default_factory=list)  # weights the site said it saved
    save_statuses: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        works = [self._write, self._read_replica, self._read_pages]
        if self.cookie:
            works += [self._read_records, self._save_measurements]
        for work in works:
            self.threads.append(threading.Thread(target=work, daemon=True))
        for thread in self.threads:
            thread.start()
        time.sleep(1)  # under load before the fault
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(10)

    def _write(self) -> None:
        n = int(time.time() * 1000) * 1000
        conn = None
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(PRIMARY_URL, autocommit=True, connect_timeout=2)
                n += 1
                conn.execute("INSERT INTO probe (n) VALUES (%s)", (n,))
                self.acknowledged.append(n)  # the commit returned: acknowledged
                self.writes.append((began, time.monotonic(), True))
            except psycopg.Error:
                self.writes.append((began, time.monotonic(), False))
                conn = None
                time.sleep(0.05)
            time.sleep(0.01)

    def resumed_after(self, killed: float) -> float | None:
        """When writes came back: the first success begun after a write failed on the kill."""
        failed = [ended for _, ended, ok in self.writes if not ok and ended > killed]
        if not failed:
            return None
        later = [ended for began, ended, ok in self.writes if ok and began > failed[0]]
        return later[0] if later else None

    def _read_replica(self) -> None:
        while not self.stop.is_set():
            try:
                with psycopg.connect(REPLICAS_URL, connect_timeout=2) as conn:
                    conn.execute("SELECT count(*) FROM probe").fetchone()
                self.replica_reads.append((time.monotonic(), True))
            except psycopg.Error:
                self.replica_reads.append((time.monotonic(), False))
            time.sleep(0.02)

    def _read_pages(self) -> None:
        url = f"http://{BALANCER[0]}:{BALANCER[1]}/help/faq/"
        while not self.stop.is_set():
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310
                    ok, why = answer.status == 200, str(answer.status)
            except (urllib.error.URLError, OSError) as exc:
                ok, why = False, str(exc)
            self.page_reads.append((time.monotonic(), ok, why))
            time.sleep(0.02)

    def _read_records(self) -> None:
        with requests.Session() as browser:
            browser.cookies.update(self.cookie or {})
            while not self.stop.is_set():
                try:
                    status = browser.get(f"{SITE}/bank/health/visits/western/", timeout=10)
                    self.record_pages.append((time.monotonic(), status.status_code))
                except requests.RequestException:
                    self.record_pages.append((time.monotonic(), 0))
                time.sleep(0.05)

    def _save_measurements(self) -> None:
        weight = 40.0
        with requests.Session() as browser:
            browser.cookies.update(self.cookie or {})
            while not self.stop.is_set():
                weight = round(weight + 0.1, 1)
                try:
                    status = save_weight(browser, weight)
                    self.save_statuses.append(status)
                    if status == 302:
                        self.saved.append(f"{weight:.1f}")
                except requests.RequestException:
                    status = 0
                    self.save_statuses.append(status)
                time.sleep(0.05 if status in (0, 302) else 0.2)


def save_weight(browser: requests.Session, weight: float) -> int:
    """生理量測 as a person saves one: the form, then the POST; 302 is "saved"."""
    url = f"{SITE}/bank/health/measurements/"
    form = browser.get(url, timeout=10)
    token = TOKEN.search(form.text)
    if form.status_code != 200 or token is None:
        return form.status_code
    when = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 3600))
    answer = browser.post(
        url,
        {"csrfmiddlewaretoken": token[1], "measured_at": when, "weight": weight},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )
    return answer.status_code


def found(acknowledged: list[int]) -> set[int]:
    with psycopg.connect(PRIMARY_URL, connect_timeout=5) as conn:
        rows = conn.execute("SELECT n FROM probe WHERE n = ANY(%s)", (acknowledged,)).fetchall()
    return {n for (n,) in rows}


def back_in_service(cluster: Cluster, host: DatabaseHost) -> None:
    host.power_on()
    wait_for("two replicas streaming again", cluster._replicas_streaming, 90)


def saved_weights(weights: list[str]) -> set[str]:
    with psycopg.connect(PRIMARY_URL, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT value::text FROM records_measurement m JOIN people_person p"
            " ON p.id = m.person_id WHERE p.national_id = 'A123456789' AND kind = 'weight'"
        ).fetchall()
    return {value for (value,) in rows} & set(weights)


def test_a_dead_primary_host_fails_over_within_30_s_and_loses_no_acknowledged_write(cluster):
    primary = wait_for("a primary", cluster.primary, 30)
    with Load(cookie=cluster.session_cookie) as load:
        killed = time.monotonic()
        primary.lose_power()
        resumed = wait_for(
            "a write after the failover", lambda: load.resumed_after(killed), RECOVERY_LIMIT + 10
        )
        time.sleep(3)
    missing = set(load.acknowledged) - found(load.acknowledged)
    replica_reads = [ok for t, ok in load.replica_reads if killed < t < resumed]
    print(
        f"\nprimary {primary.name} killed: writes resumed after {resumed - killed:.1f} s on "
        f"{cluster.primary().name}; {len(load.acknowledged)} writes acknowledged, "
        f"{len(load.acknowledged) - len(missing)} found; replica reads meanwhile: "
        f"{sum(replica_reads)} ok, {len(replica_reads) - sum(replica_reads)} failed"
    )
    statuses = Counter(status for _, status in load.record_pages)
    lost_saves = set(load.saved) - saved_weights(load.saved)
    refused = [t - killed for t, status in load.record_pages if status == 503]
    print(
        f"record pages: {dict(statuses)}, the 503s from +{min(refused, default=0):.1f} s to "
        f"+{max(refused, default=0):.1f} s; measurements saved {len(load.saved)}, found "
        f"{len(load.saved) - len(lost_saves)}; save answers {dict(Counter(load.save_statuses))}"
    )
    assert resumed - killed < RECOVERY_LIMIT
    assert not missing, f"acknowledged writes lost: {sorted(missing)[:10]}"
    assert replica_reads and all(replica_reads)
    # Pages: served, or "back in a few seconds" (503) while there is no primary; never a 500.
    assert set(statuses) <= {200, 503}, statuses
    assert [s for t, s in load.record_pages if t > resumed + 2] == [200] * len(
        [t for t, _ in load.record_pages if t > resumed + 2]
    )
    assert load.saved and not lost_saves, f"saved, then lost: {sorted(lost_saves)}"
    back_in_service(cluster, primary)


def batch_state(batch_id: int) -> tuple[str, int, int]:
    with psycopg.connect(PRIMARY_URL, connect_timeout=2) as conn:
        row = conn.execute(
            "SELECT status, checkpoint, accepted FROM ingest_batch WHERE id = %s", (batch_id,)
        ).fetchone()
    assert row is not None
    return row


def test_an_upload_being_processed_goes_on_from_its_checkpoint_after_a_failover(cluster):
    visits = 40_000
    batch_id = int(cluster.manage("shell", "-c", UPLOAD % ("failover", visits)).splitlines()[-1])
    wait_for("the first chunk committed", lambda: batch_state(batch_id)[1] > 0, 60)
    primary = wait_for("a primary", cluster.primary, 30)
    checkpoint_before = batch_state(batch_id)[1]
    primary.lose_power()
    status, checkpoint, accepted = wait_for(
        "the batch done", lambda: (s := batch_state(batch_id))[0] == "done" and s, 180, every=1
    )
    with psycopg.connect(PRIMARY_URL) as conn:
        (written,) = conn.execute(
            "SELECT count(*) FROM records_visit WHERE source_id LIKE 'failover-%'"
        ).fetchone()
    print(
        f"\nupload of {visits} visits: primary killed at checkpoint {checkpoint_before}; "
        f"batch {status}, {accepted} accepted, {written} visits written"
    )
    assert checkpoint_before < visits, "the primary died while the batch was under way"
    assert (accepted, written, checkpoint) == (visits, visits, visits)
    back_in_service(cluster, primary)


def test_a_dead_replica_host_fails_no_read(cluster):
    replica = wait_for("a replica", lambda: cluster.replicas() and cluster.replicas()[0], 30)
    with Load() as load:
        killed = time.monotonic()
        replica.lose_power()
        time.sleep(5)
    after = [ok for t, ok in load.replica_reads if t > killed + 1]  # in flight at the kill
    writes_after = [began for began, _, ok in load.writes if ok and began > killed + 1]
    print(f"\nreplica {replica.name} killed: {sum(after)} reads ok, {after.count(False)} failed")
    assert after and all(after)
    assert writes_after, "the primary went on taking writes (the other replica is synchronous)"
    assert not (set(load.acknowledged) - found(load.acknowledged))
    back_in_service(cluster, replica)


def test_a_dead_web_host_fails_no_page_read(cluster):
    web = cluster.web[0]
    with Load() as load:
        killed = time.monotonic()
        web.kill()
        time.sleep(4)
    failed = [why for t, ok, why in load.page_reads if t > killed and not ok]
    served = [ok for t, ok, _ in load.page_reads if t > killed]
    print(f"\nweb host {web.name} killed: {len(served)} page reads after, {len(failed)} failed")
    assert served and not failed, failed[:3]
    web.start()
    wait_for("the web host back", lambda: cluster.healthy(*BALANCER), 30)


def test_a_dead_worker_host_leaves_its_upload_to_the_other(cluster):
    visits = 20_000
    batch_id = int(cluster.manage("shell", "-c", UPLOAD % ("worker", visits)).splitlines()[-1])
    wait_for("the first chunk committed", lambda: batch_state(batch_id)[1] > 0, 60)
    runner = wait_for("the worker running it", lambda: running_worker(batch_id), 30)
    worker = next(w for w in cluster.workers if w.popen and runner.endswith(f"-{w.popen.pid}"))
    with Load() as load:
        killed = time.monotonic()
        checkpoint_before = batch_state(batch_id)[1]
        worker.kill()
        status, checkpoint, accepted = wait_for(
            "the batch done", lambda: (s := batch_state(batch_id))[0] == "done" and s, 120
        )
        finished = time.monotonic()
    with psycopg.connect(PRIMARY_URL) as conn:
        (written,) = conn.execute(
            "SELECT count(*) FROM records_visit WHERE source_id LIKE 'worker-%'"
        ).fetchone()
        runs = conn.execute(
            "SELECT worker_ids FROM django_tasks_database_dbtaskresult"
            " WHERE args_kwargs->'args'->>0 = %s AND task_path LIKE '%%process_batch_task'",
            (str(batch_id),),
        ).fetchall()
    failed = [why for t, ok, why in load.page_reads if t > killed and not ok]
    print(
        f"\nworker {worker.name} killed at checkpoint {checkpoint_before} of {visits}: batch "
        f"{status} {finished - killed:.1f} s later, {accepted} accepted, {written} written, "
        f"{len(failed)} page reads failed"
    )
    assert checkpoint_before < visits, "the worker died while the batch was under way"
    assert (accepted, written, checkpoint) == (visits, visits, visits)
    assert any(len(ids) > 1 and ids[0] == runner for (ids,) in runs), "taken over, not redone"
    assert not failed, failed[:3]
    worker.start()


def running_worker(batch_id: int) -> str | None:
    with psycopg.connect(PRIMARY_URL) as conn:
        row = conn.execute(
            "SELECT worker_ids->>-1 FROM django_tasks_database_dbtaskresult"
            " WHERE status = 'RUNNING' AND args_kwargs->'args'->>0 = %s",
            (str(batch_id),),
        ).fetchone()
    return row[0] if row else None


def test_what_a_person_saved_shows_on_the_next_page_while_the_replicas_lag(cluster):
    """Read-your-writes: the replicas stop replaying, as under a long query or a slow disk;
    the person's next page, which reads records on a replica when it can, still shows what
    they just saved, and so does the visit a provider's upload just wrote for them."""
    with cluster.replay_paused() as replicas, requests.Session() as browser:
        assert len(replicas) == 2
        browser.cookies.update(cluster.session_cookie)
        weight = round(90 + time.time() % 10, 1)
        assert save_weight(browser, weight) == 302
        page = browser.get(f"{SITE}/bank/health/measurements/", timeout=10)
        assert page.status_code == 200 and f"{weight:.1f}" in page.text

        batch_id = int(cluster.manage("shell", "-c", UPLOAD_ONE % "lag-1").splitlines()[-1])
        wait_for("the upload done", lambda: batch_state(batch_id)[0] == "done", 60)
        with psycopg.connect(PRIMARY_URL) as conn:
            (visit,) = conn.execute(
                "SELECT id FROM records_visit WHERE source_id = 'lag-1'"
            ).fetchone()
        visits = browser.get(f"{SITE}/bank/health/visits/western/", timeout=10)
        assert visits.status_code == 200 and f"/bank/health/visits/{visit}/" in visits.text

        for replica in replicas:  # which the pages could not have read there
            with psycopg.connect(replica.url) as conn:
                assert conn.execute(
                    "SELECT NOT EXISTS (SELECT FROM records_visit WHERE id = %s)", (visit,)
                ).fetchone() == (True,)


def test_point_in_time_restore_keeps_what_was_before_and_nothing_after(cluster):
    with psycopg.connect(PRIMARY_URL, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS restore_probe (label text)")
        conn.execute("INSERT INTO restore_probe VALUES ('before')")
        (target,) = conn.execute("SELECT now()::text").fetchone()  # as pgBackRest reads it
        time.sleep(1.1)
        conn.execute("INSERT INTO restore_probe VALUES ('after')")
        conn.execute("SELECT pg_switch_wal()")  # the segment holding both goes to the archive
    cluster.backrest("check")  # waits until that WAL is in the repository

    restored = cluster.folder / "restored"  # where PostgreSQL's own user may write
    cluster.backrest(
        "restore",
        "--type=time",
        f"--target={target}",
        "--target-action=promote",
        "--archive-mode=off",
        into=restored,
    )
    found_labels = restored_labels(restored)
    print(f"\nrestored to {target}: restore_probe holds {found_labels}")
    assert found_labels == ["before"]


def restored_labels(data: Path) -> list[str]:
    """Starts the restored copy on a port of its own, reads it, stops it."""
    port, socket_dir = 5499, data.parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl"
    options = (
        f"-c listen_addresses='' -c port={port} -c unix_socket_directories={socket_dir} "
        f"-c archive_mode=off -c hba_file={data}/pg_hba.conf -c ident_file={data}/pg_ident.conf "
        "-c synchronous_standby_names=''"
    )
    log = data.parent / "logs" / "restored.log"  # its own log: a pipe would be held open
    subprocess.run(  # noqa: S603 - a fixed command
        [*as_postgres, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        url = f"postgres://postgres@/healthbank?host={socket_dir}&port={port}"
        wait_for(
            "the restored copy promoted",
            lambda: not psycopg.connect(url).execute("SELECT pg_is_in_recovery()").fetchone()[0],
            60,
        )
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT label FROM restore_probe ORDER BY label").fetchall()
        return [label for (label,) in rows]
    finally:
        stop = [*as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "stop"]
        subprocess.run(stop, check=False, stdout=subprocess.DEVNULL)  # noqa: S603
