"""The portal's and the help pages' URLs: every name reverses to its path and back, and the
view modules hold views only (the patterns are in bank/urls.py and bank/help_urls.py)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import resolve, reverse

from healthbank.bank import help_urls, urls, views

SAMPLE_ARGS = {"pk": 7, "code": "GLU"}


def named(module):
    return [
        pytest.param(module.app_name, p, id=f"{module.app_name}:{p.name}")
        for p in module.urlpatterns
    ]


@pytest.mark.parametrize(("namespace", "pattern"), [*named(urls), *named(help_urls)])
def test_every_url_name_reverses_and_resolves_back(namespace, pattern):
    kwargs = {key: SAMPLE_ARGS[key] for key in pattern.pattern.converters}
    path = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
    match = resolve(path)
    assert match.view_name == f"{namespace}:{pattern.name}"
    assert match.kwargs == kwargs


def test_url_names_are_unique_in_each_namespace():
    for module in (urls, help_urls):
        names = [p.name for p in module.urlpatterns]
        assert len(names) == len(set(names)), module.__name__


def test_view_modules_hold_no_url_patterns():
    for info in pkgutil.iter_modules(views.__path__):
        module = importlib.import_module(f"{views.__name__}.{info.name}")
        assert not hasattr(module, "urlpatterns"), module.__name__
