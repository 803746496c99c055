"""The web server as in production: gunicorn's sync workers behind nothing, with the
production configuration module (healthbank/gunicorn_conf.py: a masked access log), DEBUG off,
static files from WhiteNoise (collected, compressed, hashed names), persistent database
connections. `measure.py` starts one per dataset and reads its workers' memory.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def workers_for(cores: int) -> int:
    """Two sync workers per core: one computes while the other waits on PostgreSQL."""
    return max(2, 2 * cores)


def settings(env: dict, workers: int) -> dict:
    """The configuration the report states (the command line and the environment)."""
    return {
        "server": "gunicorn (sync workers, healthbank.gunicorn_conf)",
        "workers": workers,
        "DEBUG": env.get("DEBUG", "0"),
        "DB_CONN_MAX_AGE": env.get("DB_CONN_MAX_AGE", "0"),
        "static files": "WhiteNoise, CompressedManifestStaticFilesStorage (collectstatic)",
    }


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker process (Linux /proc), in MiB."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if not children.exists():
            return []
        sizes = []
        for pid in children.read_text().split():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running(env: dict, workers: int, log: Path) -> Iterator[Server]:
    """gunicorn serving healthbank on a free local port until the block ends."""
    port = free_port()
    command = [
        GUNICORN,
        "healthbank.wsgi:application",
        "--config=python:healthbank.gunicorn_conf",  # as in production: access log, masked
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=120",
    ]
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    server = Server(process, port)
    try:
        wait_until_healthy(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(server: Server, workers: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200 and len(server.worker_rss_mib()) >= workers:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s")


def cores() -> int:
    return os.cpu_count() or 1
