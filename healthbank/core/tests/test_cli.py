"""The `healthbank` command."""

import os
import subprocess
import sys
from pathlib import Path

HEALTHBANK = Path(sys.executable).parent / "healthbank"


def test_a_providers_upload_client_starts_without_the_sites_secret():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    done = subprocess.run(  # noqa: S603 - our own command
        [HEALTHBANK, "upload", "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--credential" in done.stdout


def test_the_site_still_refuses_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    done = subprocess.run(  # noqa: S603 - our own command
        [HEALTHBANK, "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_a_mistyped_yes_or_no_setting_stops_the_start():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"DEBUG": "ture"}
    done = subprocess.run(  # noqa: S603 - our own command
        [HEALTHBANK, "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "DEBUG='ture' is not a yes/no value" in done.stderr
    env["DEBUG"] = "off"
    done = subprocess.run(  # noqa: S603 - our own command
        [HEALTHBANK, "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "SECRET_KEY must be set" in done.stderr  # off is off: production needs its secret
