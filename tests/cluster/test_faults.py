"""Faults the national shape survives (issue 22), on the loopback cluster of cluster/shape.py:
Debian's etcd, Patroni, PostgreSQL, pgBackRest and HAProxy, our own web hosts and workers.

Each test breaks one part under load, measures what a user would notice (seconds without
service, writes acknowledged against writes found, failed reads) and puts the part back.
They need those packages (`make packages` installs them as root) and skip otherwise; they
start their own PostgreSQL, so they run once per CI, in the run without DATABASE_URL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

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


@pytest.fixture(scope="module")
def cluster():
    # Not pytest's tmp_path: PostgreSQL's own user cannot reach into root's 0700 folders.
    folder = Path(tempfile.mkdtemp(prefix="healthbank-cluster-"))
    with Cluster(folder) as shape:
        shape.start_database()
        shape.manage("demo", "--no-serve", "--people", "10")
        shape.start_app()
        with psycopg.connect(PRIMARY_URL, autocommit=True) as conn:
            conn.execute("CREATE TABLE probe (n bigint PRIMARY KEY, at timestamptz DEFAULT now())")
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
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        for work in (self._write, self._read_replica, self._read_pages):
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


def found(acknowledged: list[int]) -> set[int]:
    with psycopg.connect(PRIMARY_URL, connect_timeout=5) as conn:
        rows = conn.execute("SELECT n FROM probe WHERE n = ANY(%s)", (acknowledged,)).fetchall()
    return {n for (n,) in rows}


def back_in_service(cluster: Cluster, host: DatabaseHost) -> None:
    host.power_on()
    wait_for("two replicas streaming again", cluster._replicas_streaming, 90)


def test_a_dead_primary_host_fails_over_within_30_s_and_loses_no_acknowledged_write(cluster):
    primary = wait_for("a primary", cluster.primary, 30)
    with Load() as load:
        killed = time.monotonic()
        primary.lose_power()
        resumed = wait_for(
            "a write after the failover", lambda: load.resumed_after(killed), RECOVERY_LIMIT + 10
        )
        time.sleep(1)
    missing = set(load.acknowledged) - found(load.acknowledged)
    replica_reads = [ok for t, ok in load.replica_reads if killed < t < resumed]
    print(
        f"\nprimary {primary.name} killed: writes resumed after {resumed - killed:.1f} s on "
        f"{cluster.primary().name}; {len(load.acknowledged)} writes acknowledged, "
        f"{len(load.acknowledged) - len(missing)} found; replica reads meanwhile: "
        f"{sum(replica_reads)} ok, {len(replica_reads) - sum(replica_reads)} failed"
    )
    assert resumed - killed < RECOVERY_LIMIT
    assert not missing, f"acknowledged writes lost: {sorted(missing)[:10]}"
    assert replica_reads and all(replica_reads)
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
