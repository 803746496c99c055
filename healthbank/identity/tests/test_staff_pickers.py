"""On the staff pages a row of a big table (a person, a provider, an insured unit...) is
picked by typing its code or name, never by its internal id nor from a select of every
row (issue 19, item 10)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from healthbank.people.models import County
from healthbank.records.models import Provider

pytestmark = pytest.mark.django_db

# Tables short enough for a select: 22 counties, and Django's groups and permissions.
SMALL_TABLES = {County, Group, Permission}


def _forms(model_admin, request):
    """The add form (if staff may add) and the change form, with their inlines' forms."""
    if model_admin.has_add_permission(request):
        yield model_admin.get_form(request, None, change=False)()
    obj = model_admin.model()
    yield model_admin.get_form(request, obj, change=True)()
    for inline in model_admin.get_inline_instances(request, obj):
        if inline.has_change_permission(request, obj) or inline.has_add_permission(request, obj):
            yield inline.get_formset(request, obj)(instance=obj).empty_form


def test_no_staff_form_picks_a_row_of_a_big_table_by_id_or_from_a_full_list(rf, admin_user):
    request = rf.get("/staff/")
    request.user = admin_user
    pickers = set()
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.raw_id_fields, model
        for form in _forms(model_admin, request):
            for name, field in form.fields.items():
                if not isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
                    continue
                widget = getattr(field.widget, "widget", field.widget)  # the "+" wrapper
                if widget.is_hidden:
                    continue  # an inline row's own id
                target = field.queryset.model
                if not isinstance(widget, AutocompleteMixin) and target not in SMALL_TABLES:
                    pickers.add(f"{model._meta.label}.{name} -> {target._meta.label}")
    assert sorted(pickers) == [], "\n".join(sorted(pickers))


def test_staff_find_a_provider_by_the_first_digits_of_its_code_or_by_name(admin_client):
    town = County.objects.order_by("code").first().townships.first()
    providers = [("0401180014", "臺大醫院"), ("3501200000", "長庚醫院"), ("5901020037", "大安診所")]
    for code, name in providers:
        Provider.objects.create(
            code=code, name=name, kind=Provider.Kind.CLINIC, county=town.county, township=town
        )
    url = reverse("admin:autocomplete")
    params = {"app_label": "ingest", "model_name": "credential", "field_name": "provider"}

    def found(term: str) -> list[str]:
        answer = admin_client.get(url, {**params, "term": term}).json()
        return [row["text"] for row in answer["results"]]

    assert found("0401") == ["臺大醫院"]
    assert found("醫院") == ["臺大醫院", "長庚醫院"]


def test_the_township_autocomplete_asks_the_same_queries_for_one_row_or_many(admin_client):
    url = reverse("admin:autocomplete")
    params = {"app_label": "records", "model_name": "provider", "field_name": "township"}

    def queries(term: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as done:
            rows = admin_client.get(url, {**params, "term": term}).json()["results"]
        return len(rows), len(done)

    admin_client.get(url, {**params, "term": "區"})  # the first request fills caches
    one, few = queries("中正")
    many, more = queries("區")
    assert one < many
    assert more == few
