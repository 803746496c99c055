"""The portal tests' fixtures (personas seeded up to today, signing in, another person),
and the worker run inside a test's transaction."""

import pytest

from healthbank.bank.tests.conftest import outsider, personas, sign_in  # noqa: F401


@pytest.fixture(autouse=True)
def worker_keeps_the_tests_connection(monkeypatch):
    """The worker drops "old" connections between tasks; inside a test's transaction the
    connection is the test's own, so it must stay (Django's test client likewise stops
    close_old_connections from running on its requests)."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
