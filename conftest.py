"""Test set-up shared by every app: code tables and divisions are loaded once per session."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from healthbank.codes.loading import load_code_tables
    from healthbank.people.loading import load_divisions

    with django_db_blocker.unblock():
        load_divisions()
        load_code_tables()
