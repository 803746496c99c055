"""`make cluster`: the national shape on this machine's loopback test hosts (cluster/shape.py),
with the demo data, until Ctrl-C, which stops every part cleanly.

    .venv/bin/python cluster/run.py [--people 500] [--folder var/cluster]
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster.shape import (  # noqa: E402 - after the path
    BALANCER,
    DEBIAN_PACKAGES,
    ROOT,
    Cluster,
    missing_tools,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "cluster")
    options = parser.parse_args()
    if missing := missing_tools():
        print(
            f"Missing {', '.join(missing)}: install Debian's {DEBIAN_PACKAGES} "
            "(`make packages` does, as root)."
        )
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly on TERM as on ^C
    started = time.monotonic()
    with Cluster(options.folder, demo=True) as cluster:
        print("Starting etcd, Patroni and PostgreSQL on 127.0.10.1-3 ...", flush=True)
        cluster.start_database()
        primary = cluster.primary()
        replicas = ", ".join(host.name for host in cluster.replicas())
        print(f"  primary {primary.name if primary else '?'}, replicas {replicas}", flush=True)
        print("Migrating and seeding the demo data ...", flush=True)
        print(cluster.manage("demo", "--no-serve", "--people", str(options.people)), end="")
        print("Starting two web hosts, two workers and HAProxy ...", flush=True)
        cluster.start_app()
        print(
            f"\nhealthbank's cluster is at {cluster.url} "
            f"(up in {time.monotonic() - started:.0f} s; logs in {cluster.logs}).\n"
            f"Patroni: http://{cluster.db_hosts[0].address}:8008/cluster  "
            f"Load balancer: {BALANCER[0]}:{BALANCER[1]}\nCtrl-C stops it.",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nStopping ...", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
