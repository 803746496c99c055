"""Test set-up shared by every app: code tables and divisions are loaded once per session;
the log the run wrote is checked for personal IDs when it ends. The fixtures any app's tests
use (personas, sign_in, outsider, clock) are in tests/fixtures/portal.py."""

import logging

import pytest

pytest_plugins = ["tests.fixtures.portal"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.db.models.signals import post_migrate

    from tests.fixtures.personas import set_up_reference_data

    with django_db_blocker.unblock():
        set_up_reference_data()
    # After a test that emptied every table, pytest_runtest_teardown below writes back the
    # content types and permissions migrate made; Django's own post_migrate handlers would
    # make them again query by query, about half a second a test.
    post_migrate.disconnect(dispatch_uid=PERMISSIONS_HANDLER)
    post_migrate.disconnect(create_contenttypes)
    yield
    post_migrate.connect(create_permissions, dispatch_uid=PERMISSIONS_HANDLER)
    post_migrate.connect(create_contenttypes)


PERMISSIONS_HANDLER = "django.contrib.auth.management.create_permissions"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a rolled-back test's rows leave no cached copy."""
    yield
    from django.core.cache import cache

    cache.clear()


def _log_request(sender, environ, **kwargs):
    """An access log line for each request a test makes, as gunicorn would write it."""
    query = environ.get("QUERY_STRING", "")
    target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
    logging.getLogger("healthbank.tests.access").info('"%s %s"', environ["REQUEST_METHOD"], target)


@pytest.fixture(scope="session", autouse=True)
def logs_carry_no_ids():
    """Everything this run logged, and an access log line for every request its tests made
    (a staff search with an ID in its query among them), also went to settings.TEST_LOG_FILE
    through the same masking filter as in production; when the run ends, not one personal ID
    may be in it."""
    from django.core.signals import request_started

    request_started.connect(_log_request)
    yield
    request_started.disconnect(_log_request)
    from django.conf import settings

    from healthbank.core.tests.logscan import ids_in_file

    for handler in logging.getLogger().handlers:
        handler.flush()
    found = ids_in_file(settings.TEST_LOG_FILE)
    assert not found, f"personal IDs in {settings.TEST_LOG_FILE} (line, ID): {found[:20]}"
    settings.TEST_LOG_FILE.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def card_files(settings, tmp_path):
    """Virtual cards, the test CA and virtual-card photos live in each test's own folder,
    never in var/."""
    settings.CARD_READER_DIR = tmp_path / "cardreader"
    settings.MOICA_DIR = tmp_path / "moica"
    settings.VCARD_DIR = tmp_path / "vcard"  # the personas' card photos too
    settings.ESERVICE_DIR = tmp_path / "eservice"
    return settings.CARD_READER_DIR


@pytest.fixture(autouse=True)
def worker_keeps_the_tests_connection(monkeypatch):
    """`healthbank worker` drops "old" connections between tasks; inside a test's
    transaction the connection is the test's own, so it must stay (Django's test client
    likewise keeps close_old_connections off its requests). On SQLite nothing is closed
    anyway, so a test that forgot this passed there and failed on PostgreSQL."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in zh-Hant, the site's default: a request in English earlier in the
    run leaves English active in the thread (the language middleware activates, never
    resets)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _flushes(item) -> bool:
    """Does the test empty every table when it ends (a transactional or live-server test)?"""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that emptied every table, write back the content types and permissions,
    and the reference data the session set up once, so that the tests after it find them
    (browser tests load their reference data themselves)."""
    yield
    if not _flushes(item) or nextitem is None:
        return
    from pytest_django.plugin import blocking_manager_key

    from tests.fixtures.personas import load_reference_data, restore_content_types_and_permissions

    with item.config.stash[blocking_manager_key].unblock():
        restore_content_types_and_permissions()
        if "tests/e2e/" not in str(nextitem.fspath):
            load_reference_data()


@pytest.fixture
def staff_login():
    """sign_in_staff, for tests: `staff_login(client, user)`."""
    from tests.fixtures.portal import sign_in_staff

    return sign_in_staff


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, verified by the second factor as /staff/ needs."""
    from tests.fixtures.portal import sign_in_staff

    return sign_in_staff(client, admin_user)


@pytest.fixture
def wsgi_keeps_the_tests_connection():
    """For tests that call the WSGI application itself (schemathesis), as Django's test
    client does: the request signals must not close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def database_files(settings):
    """Packages, card photos and uploads kept in the database (FILE_STORAGE=database)."""
    import copy

    from healthbank.files.tests.stores import IN_DATABASE

    settings.STORAGES = {**settings.STORAGES, **copy.deepcopy(IN_DATABASE)}
