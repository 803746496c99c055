"""The portal tests' fixtures (personas seeded up to today, signing in, another person)."""

from healthbank.bank.tests.conftest import outsider, personas, sign_in  # noqa: F401
