"""Identity tests: seeded personas get virtual card files; keep them in the test's folder."""

import pytest


@pytest.fixture(autouse=True)
def virtual_card_dirs(settings, tmp_path):
    settings.CARD_READER_DIR = tmp_path / "cards"
    settings.MOICA_DIR = tmp_path / "moica"
