"""No personal ID in any log line (core/logging.py): the masking filter sits on every handler,
Django's, the development server's access log and gunicorn's access and error logs
(healthbank/gunicorn_conf.py), and catches IDs typed in lower case or URL-encoded.

The servers run as real processes, write their logs to files, and every file is searched
for IDs by core/tests/logscan.py, which decodes URLs and checks checksums on its own."""

from __future__ import annotations

import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from healthbank.core.logging import MaskPersonalData, mask
from healthbank.core.tests.logscan import ids_in, ids_in_file
from healthbank.people.identifiers import check_digit

ROOT = Path(__file__).resolve().parents[3]
NATIONAL_ID = "A123456789"
RESIDENT_NEW = "A80000000" + check_digit("A80000000")
RESIDENT_OLD = "AC0123456" + check_digit("AC0123456")
CARD = "000012345678"


def test_ids_are_masked_in_every_form_a_url_or_a_person_writes_them():
    lines = [
        f"GET /staff/people/person/?q={NATIONAL_ID} HTTP/1.1",
        f"GET /staff/people/person/?q={NATIONAL_ID.lower()} HTTP/1.1",  # typed in lower case
        f"GET /staff/?q=%20{NATIONAL_ID}&x=1",  # a space before it, encoded
        f"GET /staff/?q=chen+{NATIONAL_ID}",
        f"GET /staff/?_changelist_filters=q%3D{RESIDENT_OLD}",  # a query inside a query
        f"GET /staff/?q=%41{NATIONAL_ID[1:]}",  # the letter itself encoded
        f"GET /staff/?q=%E9%99%B3{RESIDENT_NEW}",  # after a name (陳) in UTF-8
        f"found national_id={NATIONAL_ID}王 and resident {RESIDENT_OLD.lower()}",
        f"card {CARD}, card=%20{CARD}",
    ]
    for line in lines:
        masked = mask(line)
        assert ids_in(masked) == [], masked
        assert CARD not in masked, masked
        assert ids_in(line) or CARD in line, line  # the finder does see them unmasked


def test_a_traceback_is_masked_too():
    handler = _Collect()
    handler.addFilter(MaskPersonalData())
    log = logging.getLogger("healthbank.tests.traceback")
    log.addHandler(handler)
    try:
        raise ValueError(f"no person {NATIONAL_ID}")
    except ValueError:
        log.exception("lookup failed")
    finally:
        log.removeHandler(handler)
    [line] = handler.lines
    assert "Traceback" in line and "A1********" in line and NATIONAL_ID not in line


def test_every_configured_handler_masks():
    """Django's own console and mail handlers are replaced; each handler left, on every
    logger Django configured, carries the filter."""
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in logging.Logger.manager.loggerDict
    ]
    handlers = {h for log in loggers if isinstance(log, logging.Logger) for h in log.handlers}
    ours = {
        h
        for h in handlers
        if not type(h).__module__.startswith("_pytest")  # pytest's capture, in memory
        and not isinstance(h, logging.NullHandler)  # a library's: writes nothing
    }
    assert ours, "no handler configured"
    for handler in ours:
        assert any(isinstance(f, MaskPersonalData) for f in handler.filters), handler
    assert logging.getLogger("django").handlers == []  # writes through the root's, masked


# --- the development server and gunicorn, as processes ----------------------------------------


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite in tmp_path
    env.update(
        DJANGO_SETTINGS_MODULE="healthbank.settings",
        HEALTHBANK_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="a-test-secret-key-for-the-log-servers-" + "x" * 20,
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        **extra,
    )
    return env


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz")


def _requests_with_ids(port: int) -> None:
    """What reaches a server with IDs in it: staff searches, an ID in a path that is not
    found, a referrer, and a request line too broken to parse."""
    targets = [
        f"/healthz?q={NATIONAL_ID}",
        f"/healthz?national_id={NATIONAL_ID.lower()}&card={CARD}",
        f"/staff/people/person/?q=%20{RESIDENT_NEW}",
        f"/staff/people/person/?_changelist_filters=q%3D{RESIDENT_OLD}",
        f"/api/v1/no-such-thing/{NATIONAL_ID}",
    ]
    for target in targets:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        referrer = f"http://127.0.0.1:{port}/staff/people/person/?q={NATIONAL_ID}"
        connection.request("GET", target, headers={"Referer": referrer})
        connection.getresponse().read()
        connection.close()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(f"GET /?q={NATIONAL_ID} HTTP/1.1 extra\r\nHost: x\r\n\r\n".encode())
        raw.recv(4096)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _assert_masked(logs: list[Path]) -> None:
    text = "".join(path.read_text(encoding="utf-8", errors="replace") for path in logs)
    assert "A1********" in text and "a1********" in text, text[-3000:]  # the requests logged
    for path in logs:
        assert ids_in_file(path) == [], (path.name, path.read_text()[-3000:])
    assert CARD not in text


def test_the_development_servers_logs_carry_no_ids(tmp_path):
    port, log = _free_port(), tmp_path / "runserver.log"
    command = [sys.executable, ROOT / "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            command, cwd=ROOT, env=_environment(tmp_path, DEBUG="1"), stdout=out, stderr=out
        )
    try:
        _wait_until_up(port, server)
        _requests_with_ids(port)
    finally:
        _stop(server)
    assert '"GET /healthz?q=A1******** HTTP/1.1" 200' in log.read_text()
    _assert_masked([log])


def test_gunicorns_access_and_error_logs_carry_no_ids(tmp_path):
    """As the README's production command runs it: DEBUG off, the shipped configuration."""
    port = _free_port()
    output, errors = tmp_path / "gunicorn.out", tmp_path / "gunicorn-error.log"
    command = [
        Path(sys.executable).with_name("gunicorn"),
        "--config=python:healthbank.gunicorn_conf",
        f"--bind=127.0.0.1:{port}",
        "--workers=1",
        f"--error-logfile={errors}",
        "healthbank.wsgi:application",
    ]
    env = _environment(tmp_path, DEBUG="0", ALLOWED_HOSTS="127.0.0.1")
    with output.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
    try:
        _wait_until_up(port, server)
        _requests_with_ids(port)
    finally:
        _stop(server)
    assert "Invalid request from ip=127.0.0.1" in errors.read_text()
    assert "GET /healthz?q=A1******** HTTP/1.1" in output.read_text()  # the access log
    _assert_masked([output, errors])


def test_this_runs_log_file_is_written_through_the_filter():
    """The file every test's log also goes to (checked when the run ends, conftest.py)."""
    logging.getLogger("healthbank.tests").warning("person %s not found", NATIONAL_ID)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = settings.TEST_LOG_FILE.read_text()
    assert "person A1******** not found" in text and NATIONAL_ID not in text


# --- URLs ------------------------------------------------------------------------------------


def test_no_form_would_put_an_id_or_a_password_in_a_url():
    """A form that asks for a national ID, a card number or a password posts it: a GET would
    put it in the URL, the browser's history and every access log. This holds also for the
    app's forms that its script sends, should a press come before the script has run."""
    form = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
    secret = re.compile(
        r"""name=["'](?:national_id|id_number|card_number|password)["']"""
        r"|type=[\"']password[\"']|\bform\.(?:national_id|card_number|password)\b"
    )
    checked, found = 0, []
    for path in sorted((ROOT / "healthbank").glob("**/templates/**/*.html")):
        for attributes, body in form.findall(path.read_text(encoding="utf-8")):
            if secret.search(body):
                checked += 1
                if not re.search(r"""method=["']post["']""", attributes, re.I):
                    found.append(f"{path.relative_to(ROOT)}: <form{attributes}>")
    assert checked >= 3
    assert found == []
