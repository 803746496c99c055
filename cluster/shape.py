"""The national shape on one machine (issue 22): loopback test hosts, each with its own
address in 127.0.0.0/8, running Debian's own distributed parts, none of them home-made.

- three database hosts (127.0.10.1-3): an etcd member, Patroni and the PostgreSQL it runs.
  Patroni keeps one primary and two streaming replicas, one of them synchronous, and fails
  over through etcd when the primary's host dies.
- pgBackRest archives every WAL segment of whichever host is primary into one repository,
  and takes the backups a point-in-time restore starts from.
- a Redis cache (127.0.14.1) every web host shares: cached pages' parts and each person's
  pin to the primary after a write (read-your-writes, core/replicas.py);
- two web hosts (127.0.11.1-2, gunicorn) behind HAProxy, and two task workers: all reach
  the primary through libpq's multi-host URL with `target_session_attrs=read-write`, and
  read records from every database host in recovery (DATABASE_REPLICA_URLS).

`cluster/run.py` (make cluster) starts it with the demo data; tests/cluster/ kills its parts.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TOOLS = {
    "etcd": "/usr/bin/etcd",
    "patroni": "/usr/bin/patroni",
    "pgbackrest": "/usr/bin/pgbackrest",
    "haproxy": "/usr/sbin/haproxy",
    "redis": "/usr/bin/redis-server",
    "postgres": str(PG_BIN / "postgres"),
}
DEBIAN_PACKAGES = "etcd-server patroni pgbackrest haproxy redis-server postgresql-15"
DB_HOSTS = ("127.0.10.1", "127.0.10.2", "127.0.10.3")
WEB_HOSTS = ("127.0.11.1", "127.0.11.2")
WORKERS = 2  # they listen on nothing: hosts of their own would change nothing here
BALANCER = ("127.0.13.1", 8000)
CACHE = ("127.0.14.1", 6379)
PG_PORT, PATRONI_PORT, WEB_PORT = 5432, 8008, 8000
DATABASE = "healthbank"
STANZA = "healthbank"
# Patroni's clock: the leader's lock lives TTL seconds unless renewed every LOOP_WAIT.
# A dead primary's lock runs out within TTL, then the synchronous replica takes over:
# recovery well inside the 30 s the issue allows. (loop_wait + 2 * retry_timeout <= ttl)
TTL, LOOP_WAIT, RETRY_TIMEOUT = 10, 1, 4


# Cluster.sign_in's work, in a `healthbank shell` on the cluster; %r: IDs or a count.
SIGN_IN = """
import json
from django.conf import settings
from django.test import Client, override_settings
from healthbank.identity.services import register_at_counter
from healthbank.people.models import Person
people = %r
chosen = (Person.objects.order_by("pk")[:people] if isinstance(people, int)
    else Person.objects.filter(national_id__in=people))
cookies = []
with override_settings(PASSWORD_HASHERS=["healthbank.core.hashers.QuickArgon2PasswordHasher"]):
    for person in chosen:
        account = getattr(person, "account", None) or register_at_counter(
            person=person, password="Health#2026", staff_id=1)
        client = Client()
        client.force_login(account.user)
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={value}")
print(json.dumps(cookies))
"""


def missing_tools() -> list[str]:
    return [name for name, path in TOOLS.items() if not os.access(path, os.X_OK)]


def database_url(hosts: tuple[str, ...], attrs: str) -> str:
    """libpq tries the hosts in turn and keeps the first whose role fits `attrs`."""
    listed = ",".join(hosts)
    return f"postgres://postgres@{listed}:{PG_PORT}/{DATABASE}?target_session_attrs={attrs}"


PRIMARY_URL = database_url(DB_HOSTS, "read-write")
# Every database host, each its own replica: the router reads only those in recovery (and
# not too far behind), so after a failover the old primary, back as a replica, is read too.
REPLICA_URLS = ",".join(f"postgres://postgres@{a}:{PG_PORT}/{DATABASE}" for a in DB_HOSTS)
REPLICAS_URL = database_url(DB_HOSTS, "prefer-standby")  # any one replica, for the tests


def wait_for(what: str, check, timeout: float, every: float = 0.2):
    """Calls `check` until it returns something true; that value, or TimeoutError."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception as exc:  # noqa: BLE001 - a part still starting refuses in many ways
            last, value = exc, None
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s ({last or 'no answer'})")


@dataclass
class Process:
    """A part's process; its log is a file in the cluster's folder."""

    name: str
    command: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    as_postgres: bool = False
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        command = self.command
        if self.as_postgres and os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - fixed commands of our own
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                start_new_session=True,
            )

    def _alive(self) -> subprocess.Popen | None:
        return self.popen if self.popen is not None and self.popen.poll() is None else None

    def kill(self) -> None:
        """SIGKILL, as a host losing power: no shutdown handler runs."""
        if popen := self._alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait()

    def stop(self, timeout: float = 20) -> None:
        if popen := self._alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGTERM)
            try:
                popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class DatabaseHost:
    """etcd, Patroni and PostgreSQL on one address."""

    name: str
    address: str
    folder: Path
    etcd: Process
    patroni: Process

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@{self.address}:{PG_PORT}/{DATABASE}"

    def state(self) -> dict:
        """What this host's Patroni says of itself (role, state, lag)."""
        with urllib.request.urlopen(  # noqa: S310 - our own loopback address
            f"http://{self.address}:{PATRONI_PORT}/patroni", timeout=2
        ) as answer:
            return json.load(answer)

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def lose_power(self) -> None:
        """kill -9 of everything on the host: PostgreSQL (which Patroni runs in a session
        of its own), Patroni and the etcd member."""
        pid = self.postmaster_pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.patroni.kill()
        self.etcd.kill()
        for orphan in self._postgres_processes():  # the backends, which outlive a postmaster
            with contextlib.suppress(ProcessLookupError):
                os.kill(orphan, signal.SIGKILL)

    def _postgres_processes(self) -> list[int]:
        found = []
        for proc in Path("/proc").glob("[0-9]*"):
            with contextlib.suppress(OSError):
                if str(self.data) in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(proc.name))
        return found

    def power_on(self) -> None:
        self.etcd.start()
        self.patroni.start()


class Cluster:
    """The whole shape under one folder; `with Cluster(folder) as cluster:` stops it."""

    def __init__(self, folder: Path, *, demo: bool = False) -> None:
        self.folder = folder.resolve()
        # The demo (make cluster) runs with DEBUG for its mailbox and staff code; the tests
        # run the hosts as production does, where a failover shows the 503 page.
        self.demo = demo
        self.secret = secrets.token_urlsafe(50)
        self.read_replicas = True  # False: every read on the primary (cluster/measure.py)
        self.db_hosts: list[DatabaseHost] = []
        self.web: list[Process] = []
        self.workers: list[Process] = []
        self.balancer: Process | None = None
        self.cache: Process | None = None
        self.logs = self.folder / "logs"
        self.backrest_conf = self.folder / "pgbackrest.conf"

    # --- the database hosts -------------------------------------------------------------
    def start_database(self) -> None:
        if busy := [a for a in (*DB_HOSTS, *WEB_HOSTS, BALANCER[0], CACHE[0]) if self._answers(a)]:
            raise RuntimeError(
                f"{', '.join(busy)} already answer: another cluster is running "
                "(stop it with Ctrl-C, or kill what `ss -ltnp | grep 127.0.1` lists)."
            )
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.logs.mkdir(parents=True)
        (self.folder / "backup").mkdir()
        (self.folder / "spool").mkdir()
        self._write_backrest_conf()
        members = ",".join(f"db{i}=http://{a}:2380" for i, a in enumerate(DB_HOSTS, 1))
        for number, address in enumerate(DB_HOSTS, 1):
            name = f"db{number}"
            folder = self.folder / name
            folder.mkdir(mode=0o700)
            etcd = Process(
                f"{name}-etcd",
                [
                    TOOLS["etcd"],
                    f"--name={name}",
                    f"--data-dir={folder / 'etcd'}",
                    f"--listen-client-urls=http://{address}:2379",
                    f"--advertise-client-urls=http://{address}:2379",
                    f"--listen-peer-urls=http://{address}:2380",
                    f"--initial-advertise-peer-urls=http://{address}:2380",
                    f"--initial-cluster={members}",
                    "--initial-cluster-state=new",
                    "--initial-cluster-token=healthbank",
                    "--heartbeat-interval=100",
                    "--election-timeout=1000",
                ],
                self.logs / f"{name}-etcd.log",
            )
            config = folder / "patroni.yml"
            config.write_text(json.dumps(self._patroni_config(name, address, folder), indent=1))
            patroni = Process(
                f"{name}-patroni",
                [TOOLS["patroni"], str(config)],
                self.logs / f"{name}-patroni.log",
                as_postgres=True,
            )
            self.db_hosts.append(DatabaseHost(name, address, folder, etcd, patroni))
        self._give_to_postgres()
        for host in self.db_hosts:
            host.etcd.start()
        for host in self.db_hosts:
            host.patroni.start()
        wait_for("a primary and two streaming replicas", self._replicas_streaming, 120)
        with psycopg.connect(self.db_hosts_url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        self.backrest("stanza-create")
        self.backrest("backup", "--type=full")

    @staticmethod
    def _answers(address: str) -> bool:
        ports = {PG_PORT, PATRONI_PORT, 2379, 2380, WEB_PORT, BALANCER[1], CACHE[1]}
        for port in ports:
            with socket.socket() as probe:
                probe.settimeout(0.2)
                if probe.connect_ex((address, port)) == 0:
                    return True
        return False

    def _patroni_config(self, name: str, address: str, folder: Path) -> dict:
        # JSON is YAML: no YAML writer needed.
        archive = (
            f"{TOOLS['pgbackrest']} --config={self.backrest_conf} --stanza={STANZA} "
            f"--pg1-path={folder / 'data'} archive-push %p"
        )
        return {
            "scope": "healthbank",
            "name": name,
            "log": {"level": "INFO"},
            "restapi": {
                "listen": f"{address}:{PATRONI_PORT}",
                "connect_address": f"{address}:{PATRONI_PORT}",
            },
            "etcd3": {"hosts": [f"{a}:2379" for a in DB_HOSTS]},
            "bootstrap": {
                "dcs": {
                    "ttl": TTL,
                    "loop_wait": LOOP_WAIT,
                    "retry_timeout": RETRY_TIMEOUT,
                    "maximum_lag_on_failover": 16 * 1024**2,
                    # One replica confirms every commit before it is acknowledged, and only
                    # that replica may be promoted: a failover loses no acknowledged write.
                    "synchronous_mode": True,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "use_slots": True,
                        "parameters": {
                            "wal_level": "replica",
                            "hot_standby": "on",
                            "wal_log_hints": "on",
                            "max_wal_senders": 10,
                            "max_replication_slots": 10,
                            "wal_keep_size": "256MB",
                            "archive_mode": "on",
                            "archive_timeout": 60,
                            "synchronous_commit": "on",
                            "max_connections": 200,
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
                "pg_hba": [
                    "local all all trust",
                    "host replication replicator 127.0.0.0/8 trust",
                    "host all all 127.0.0.0/8 trust",
                ],
            },
            "postgresql": {
                "listen": f"{address}:{PG_PORT}",
                "connect_address": f"{address}:{PG_PORT}",
                "data_dir": str(folder / "data"),
                "bin_dir": str(PG_BIN),
                "pgpass": str(folder / "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": "postgres"},
                    "replication": {"username": "replicator", "password": "replicator"},
                    "rewind": {"username": "postgres", "password": "postgres"},
                },
                "parameters": {
                    "unix_socket_directories": str(folder),
                    "archive_command": archive,
                    "shared_buffers": "128MB",
                    "fsync": "on",
                    # A host lost without closing its connections (power, network) drops
                    # them, and a worker's liveness lock with them, within about 25 s.
                    "tcp_keepalives_idle": 10,
                    "tcp_keepalives_interval": 5,
                    "tcp_keepalives_count": 3,
                },
            },
            "tags": {"nofailover": False, "noloadbalance": False},
        }

    def _write_backrest_conf(self) -> None:
        self.backrest_conf.write_text(
            "[global]\n"
            f"repo1-path={self.folder / 'backup'}\n"
            "repo1-retention-full=2\n"
            f"log-path={self.logs}\n"
            f"lock-path={self.folder / 'spool'}\n"
            f"spool-path={self.folder / 'spool'}\n"
            "log-level-file=info\n"
            "start-fast=y\n"
            "compress-type=lz4\n"
            f"\n[{STANZA}]\n"
            f"pg1-path={self.folder / 'db1' / 'data'}\n"
        )

    def _give_to_postgres(self) -> None:
        if os.geteuid() != 0:
            return
        postgres = pwd.getpwnam("postgres")
        for path in [self.folder, *self.folder.rglob("*")]:
            os.chown(path, postgres.pw_uid, postgres.pw_gid)

    def db_hosts_url(self, database: str = DATABASE) -> str:
        return PRIMARY_URL.replace(f"/{DATABASE}?", f"/{database}?")

    def primary(self) -> DatabaseHost | None:
        for host in self.db_hosts:
            with contextlib.suppress(OSError, ValueError):
                state = host.state()
                if state.get("role") in ("master", "primary") and state["state"] == "running":
                    return host
        return None

    def replicas(self) -> list[DatabaseHost]:
        found = []
        for host in self.db_hosts:
            with contextlib.suppress(OSError, ValueError):
                state = host.state()
                if state.get("role") == "replica" and state.get("state") == "running":
                    found.append(host)
        return found

    @contextlib.contextmanager
    def replay_paused(self) -> Iterator[list[DatabaseHost]]:
        """The replicas stop replaying WAL, as under a long query or a slow disk, until the
        block ends. Patroni resumes a paused replay at each loop (PostgreSQL 14 and later
        pause it for some parameter changes), unless the cluster is in maintenance mode."""
        self._change_dcs_config({"pause": True})
        wait_for("maintenance mode", lambda: all(h.state().get("pause") for h in self.db_hosts), 30)
        replicas = self.replicas()
        try:
            for replica in replicas:
                with psycopg.connect(replica.url, autocommit=True) as conn:
                    conn.execute("SELECT pg_wal_replay_pause()")
            yield replicas
        finally:
            for replica in replicas:
                with psycopg.connect(replica.url, autocommit=True) as conn:
                    conn.execute("SELECT pg_wal_replay_resume()")
            self._change_dcs_config({"pause": False})

    def _change_dcs_config(self, change: dict) -> None:
        """Patroni's cluster-wide settings, changed through any member's REST API."""
        request = urllib.request.Request(  # noqa: S310 - our own loopback address
            f"http://{self.db_hosts[0].address}:{PATRONI_PORT}/config",
            data=json.dumps(change).encode(),
            headers={"Content-Type": "application/json"},
            method="PATCH",
        )
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            answer.read()

    def _replicas_streaming(self) -> bool:
        """A primary with two replicas streaming on its timeline, one synchronous: ready for
        the next fault. (A host back from one is first rewound to that timeline; killing the
        primary before then leaves Patroni no replica it may promote.)"""
        primary = self.primary()
        if primary is None:
            return False
        # What every member last wrote to etcd, which is what Patroni weighs in a failover:
        # a member whose entry still shows its life before the last fault (another timeline,
        # WAL the others lack) makes the synchronous replica refuse to take over.
        with urllib.request.urlopen(  # noqa: S310 - our own loopback address
            f"http://{primary.address}:{PATRONI_PORT}/cluster", timeout=2
        ) as answer:
            members = json.load(answer)["members"]
        timeline = next(m.get("timeline") for m in members if m["role"] == "leader")
        settled = [
            m for m in members
            if m["role"] in ("replica", "sync_standby") and m["state"] in ("running", "streaming")
            and m.get("timeline") == timeline and m.get("lag") == 0
        ]  # fmt: skip
        if len(settled) < 2 or not any(m["role"] == "sync_standby" for m in settled):
            return False
        with psycopg.connect(
            primary.url.replace(f"/{DATABASE}", "/postgres"), connect_timeout=2
        ) as conn:
            rows = conn.execute(
                "SELECT count(*) FILTER (WHERE state = 'streaming'),"
                " count(*) FILTER (WHERE sync_state = 'sync') FROM pg_stat_replication"
            ).fetchone()
        return rows is not None and rows[0] >= 2 and rows[1] >= 1

    def backrest(self, *arguments: str, into: Path | None = None) -> str:
        """A pgBackRest command against the current primary, or restoring `into` a folder."""
        if into is None:
            host = wait_for("a primary", self.primary, 60)
            where = [f"--pg1-path={host.data}", f"--pg1-socket-path={host.folder}"]
        else:
            where = [f"--pg1-path={into}"]
        command = [
            TOOLS["pgbackrest"],
            f"--config={self.backrest_conf}",
            f"--stanza={STANZA}",
            *where,
            *arguments,
        ]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode:
            raise RuntimeError(f"pgbackrest {' '.join(arguments)}: {done.stdout}{done.stderr}")
        return done.stdout

    # --- the application --------------------------------------------------------------------
    def app_env(self, *, debug: bool | None = None) -> dict[str, str]:
        debug = self.demo if debug is None else debug
        return {
            "DATABASE_URL": PRIMARY_URL,
            "DATABASE_REPLICA_URLS": REPLICA_URLS if self.read_replicas else "",
            "FILE_STORAGE": "database",  # a package made on one host downloads from another
            "DEBUG": "1" if debug else "0",
            "SECRET_KEY": self.secret,  # one for every host: sessions and signed links
            "ALLOWED_HOSTS": ",".join([BALANCER[0], *WEB_HOSTS, "localhost"]),
            "SITE_URL": self.url.rstrip("/"),
            "SECURE_COOKIES": "0",  # plain HTTP on loopback
            "DB_CONN_MAX_AGE": "60",  # as the README's production block
            "CACHE_URL": f"redis://{CACHE[0]}:{CACHE[1]}/0",
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *arguments: str, debug: bool = True) -> str:
        """A `healthbank` command against the cluster (demo --no-serve, collectstatic, shell);
        what it printed."""
        done = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, str(ROOT / "manage.py"), *arguments],
            env={**os.environ, **self.app_env(debug=debug)},
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"healthbank {arguments[0]}: {done.stderr[-3000:]}")
        return done.stdout

    def sign_in(self, people: list[str] | int) -> list[str]:
        """People registered (with cheap password hashes: nobody types one) and signed in on
        the cluster, by national ID or the first `people` of the population: each one's
        session cookie as `name=value`."""
        return json.loads(self.manage("shell", "-c", SIGN_IN % (people,)).splitlines()[-1])

    def start_app(self) -> None:
        self.cache = Process(
            "cache",
            [TOOLS["redis"], "--bind", CACHE[0], "--port", str(CACHE[1]), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            self.logs / "redis.log",
        )  # fmt: skip
        self.cache.start()
        if not self.demo:  # hashed static files, as production serves them
            self.manage("collectstatic", "--noinput", debug=False)
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        for number, address in enumerate(WEB_HOSTS, 1):
            web = Process(
                f"web{number}",
                [
                    gunicorn,
                    "--config=python:healthbank.gunicorn_conf",
                    f"--bind={address}:{WEB_PORT}",
                    "--workers=2",
                    "--access-logfile=-",
                    "healthbank.wsgi:application",
                ],
                self.logs / f"web{number}.log",
                env=self.app_env(),
            )
            web.start()
            self.web.append(web)
        for number in range(1, WORKERS + 1):
            worker = Process(
                f"worker{number}",
                [sys.executable, str(ROOT / "manage.py"), "worker", "--interval", "0.2"],
                self.logs / f"worker{number}.log",
                env=self.app_env(),
            )
            worker.start()
            self.workers.append(worker)
        conf = self.folder / "haproxy.cfg"
        conf.write_text(self._haproxy_config())
        self.balancer = Process(
            "balancer", [TOOLS["haproxy"], "-db", "-f", str(conf)], self.logs / "haproxy.log"
        )
        self.balancer.start()
        for address in WEB_HOSTS:
            wait_for(f"web host {address}", lambda a=address: self.healthy(a, WEB_PORT), 60)
        wait_for("the load balancer", lambda: self.healthy(*BALANCER), 30)

    def restart_web(self) -> None:
        """Each web host again, with the settings as they are now (read_replicas)."""
        for web in self.web:
            web.stop()
            web.env = self.app_env()
            web.start()
        for address in WEB_HOSTS:
            wait_for(f"web host {address}", lambda a=address: self.healthy(a, WEB_PORT), 60)
        wait_for("the load balancer", lambda: self.healthy(*BALANCER), 30)

    def _haproxy_config(self) -> str:
        servers = "\n".join(
            f"    server web{n} {a}:{WEB_PORT} check inter 500 fall 2 rise 2"
            for n, a in enumerate(WEB_HOSTS, 1)
        )
        # A request a dead host refused is sent again to the other (retry-on conn-failure),
        # so no page read fails while the health check has not yet noticed.
        return (
            "global\n    maxconn 2000\n"
            "defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n"
            "    timeout server 60s\n    retries 3\n    option redispatch 1\n"
            "    retry-on conn-failure empty-response response-timeout\n"
            f"frontend web\n    bind {BALANCER[0]}:{BALANCER[1]}\n    default_backend hosts\n"
            "backend hosts\n    balance roundrobin\n    option httpchk GET /healthz\n"
            f"{servers}\n"
        )

    @staticmethod
    def healthy(address: str, port: int) -> bool:
        with urllib.request.urlopen(  # noqa: S310 - our own loopback address
            f"http://{address}:{port}/healthz", timeout=2
        ) as answer:
            return answer.status == 200

    @property
    def url(self) -> str:
        return f"http://{BALANCER[0]}:{BALANCER[1]}/"

    # --- the whole --------------------------------------------------------------------------
    def processes(self) -> Iterator[Process]:
        yield from self.web
        yield from self.workers
        if self.balancer:
            yield self.balancer
        if self.cache:
            yield self.cache
        for host in self.db_hosts:
            yield host.patroni
        for host in self.db_hosts:
            yield host.etcd

    def stop(self) -> None:
        for process in self.processes():
            process.stop()
        for host in self.db_hosts:  # a Patroni that was killed leaves its PostgreSQL behind
            if host.postmaster_pid():
                host.lose_power()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
