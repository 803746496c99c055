import pytest
from django.apps import apps

MODELS = [
    m for app in ("people", "codes", "records") for m in apps.get_app_config(app).get_models()
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_names_its_plural(model):
    """Otherwise Django makes one by adding an English "s" to the Chinese name (藥品s)."""
    assert "verbose_name_plural" in model._meta.original_attrs
