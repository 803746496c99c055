"""The benchmark's smoke mode (`make bench-smoke`): every scenario on a tiny dataset, so a
change that breaks a scenario fails here rather than on the next full run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURED = {"seed", "setup", "pages", "login", "every page", "package", "ingest"}
HAS_WRK = shutil.which("wrk") is not None  # the QR load's generator (Makefile: packages)
# The ten most visited pages (issue 21).
PAGES = {
    "home",
    "outpatient",
    "dental",
    "medications",
    "refills",
    "lab results",
    "measurements",
    "calendar",
    "insurance",
    "vaccinations",
}


def test_every_scenario_runs_and_the_report_is_written(tmp_path):
    done = subprocess.run(  # noqa: S603 - our own script, with fixed arguments
        [sys.executable, ROOT / "bench" / "run.py", "--smoke", f"--out={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    [figures] = tmp_path.glob("*-smoke.json")
    [dataset] = json.loads(figures.read_text())["datasets"]
    scenarios = dataset["scenarios"]
    measured = MEASURED | {"qr", "api"} if HAS_WRK else MEASURED
    assert {name for name, s in scenarios.items() if s["status"] == "ok"} >= measured
    for name, scenario in scenarios.items():
        assert scenario["status"] in {"ok", "skipped"}, (name, scenario)
        if scenario["status"] == "skipped":
            assert scenario["reason"], name

    pages = scenarios["pages"]["pages"]
    assert set(pages) == PAGES
    for page in pages.values():
        assert page["http"]["requests"] > 0 and page["http"]["errors"] == 0
        assert page["sql"]["requests"] > 0 and page["queries"] > 0
    every = scenarios["every page"]["pages"]
    assert all(0 <= p["beyond_sql_p95_ms"] <= p["p95_ms"] for p in every.values())
    assert scenarios["login"]["requests"] > 0
    assert scenarios["package"]["rows"] > 0
    assert scenarios["seed"]["rows_per_second"] > 0
    qr = scenarios["qr"]
    if HAS_WRK:
        assert qr["http"]["requests"] > 0 and qr["http"]["errors"] == 0
        assert qr["service"]["requests"] > 0 and qr["django"]["requests"] > 0
        assert qr["verified_rows"] >= qr["http"]["requests"] + qr["service"]["requests"]
        assert qr["healthz"]["requests"] > 0 and qr["healthz"]["errors"] == 0
        for endpoint in scenarios["api"]["endpoints"].values():
            assert endpoint["http"]["requests"] > 0 and endpoint["http"]["errors"] == 0
            assert endpoint["sql"]["requests"] > 0 and endpoint["http"]["per_second_per_core"] > 0
    else:
        assert "wrk" in qr["reason"] and "wrk" in scenarios["api"]["reason"]

    report = figures.with_suffix(".md").read_text()
    assert "Portal pages under concurrent load" in report and "## Headline" in report
    assert ("## QR verification" in report) == HAS_WRK
    assert ("## The app's record lists under concurrent load" in report) == HAS_WRK
    for chart in ("latency", "throughput", "qr") if HAS_WRK else ("latency", "throughput"):
        png = figures.with_name(f"{figures.stem}-{chart}.png")
        assert png.read_bytes().startswith(b"\x89PNG"), chart
        assert png.name in report
