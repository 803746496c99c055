"""The staff pages (/staff/) speak the staff member's language: in Traditional Chinese every
app, table, column, filter, fieldset, field, help text, choice and action has a Chinese
name, and in English an English one (issue 19, item 10)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import pytest
from django.contrib import admin
from django.contrib.admin.utils import help_text_for_field, label_for_field
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

pytestmark = pytest.mark.django_db

# Names that are the same in both languages: the database's row number, and formats and
# platforms known by their own names.
SAME_IN_BOTH = {"ID", "id", "CSV", "NDJSON", "FHIR R4 Bundle", "Android", "iOS"}

# Names a page in Chinese may never show (what issue 19 saw on the staff index and lists).
SEEN_IN_ENGLISH = [
    "Provider and agency data feeds",
    "Tasks Database Backend",
    "Virtual NHI card",
    "Task Results",
    "Village",
    "Township",
    "healthbank staff",
]


def _choices(field) -> Iterator[object]:
    for _value, label in getattr(field, "flatchoices", None) or []:
        yield label


def _form_field_texts(model_admin, form, name: str) -> Iterator[tuple[str, object]]:
    """An editable field as the form shows it, a read-only one as the admin does."""
    model = model_admin.model
    if name in form.fields:
        field = form.fields[name]
        yield name, form[name].label
        yield f"{name} help", field.help_text
        for label in _choices(field):
            yield f"{name} choice", label
        return
    yield name, label_for_field(name, model, model_admin, form=form)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return
    yield f"{name} help", help_text_for_field(name, model)
    for label in _choices(field) if field.choices else []:
        yield f"{name} choice", label


def _fieldset_texts(model_admin, request, obj) -> Iterator[tuple[str, object]]:
    if isinstance(model_admin, admin.options.InlineModelAdmin):
        form = model_admin.get_formset(request, obj).form()
    else:
        form = model_admin.get_form(request, obj, change=obj is not None)()
    for title, options in model_admin.get_fieldsets(request, obj):
        yield "fieldset", title
        for line in options["fields"]:
            for name in line if isinstance(line, list | tuple) else [line]:
                yield from _form_field_texts(model_admin, form, name)


def shown_texts(model_admin, request) -> Iterator[tuple[str, object]]:
    """(where, text) of every name the staff pages show for a registered model: the index,
    the list (columns, filters, actions) and the form (fieldsets, fields, inlines)."""
    model = model_admin.model
    opts = model._meta
    yield "app", opts.app_config.verbose_name
    yield "model", opts.verbose_name
    yield "model plural", opts.verbose_name_plural
    for name in model_admin.get_list_display(request):
        if name not in ("__str__", "action_checkbox"):
            yield f"column {name}", label_for_field(name, model, model_admin)
    changelist = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        yield "filter", spec.title
        field = getattr(spec, "field", None)
        if field is not None and field.choices:
            for label in _choices(field):
                yield f"filter {field.name} choice", label
    for _func, _name, description in model_admin.get_actions(request).values():
        yield "action", description
    for obj in (None, model()):
        for where, text in _fieldset_texts(model_admin, request, obj):
            yield f"form {where}", text
    for inline in model_admin.get_inline_instances(request, None):
        yield "inline", inline.model._meta.verbose_name_plural
        for where, text in _fieldset_texts(inline, request, None):
            yield f"inline {inline.model.__name__} {where}", text


def untranslated(texts: Callable[[], Iterable[tuple[str, object]]]) -> set[tuple[str, str]]:
    """What reads the same in Chinese as in English, the texts collected in each language
    (forms evaluate some of their texts as they are built)."""
    with translation.override("zh-hant"):
        chinese = [(where, str(text)) for where, text in texts() if text]
    with translation.override("en"):
        english = [(where, str(text)) for where, text in texts() if text]
    assert [where for where, _text in chinese] == [where for where, _text in english]
    return {
        (where, text)
        for (where, text), (_where, translated) in zip(english, chinese, strict=True)
        if text == translated and text not in SAME_IN_BOTH
    }


def test_every_name_on_the_staff_pages_has_a_chinese_translation(rf, admin_user):
    request = rf.get("/staff/")
    request.user = admin_user
    site = admin.site
    missing = untranslated(
        lambda: [("site", site.site_header), ("site", site.site_title), ("site", site.index_title)]
    )
    for model, model_admin in site._registry.items():
        found = untranslated(lambda model_admin=model_admin: shown_texts(model_admin, request))
        missing |= {(f"{model._meta.label} {where}", text) for where, text in found}
    assert sorted(missing) == [], "\n".join(f"{w} | {t}" for w, t in sorted(missing))


def test_the_staff_index_names_every_app_in_chinese(admin_client):
    page = admin_client.get(reverse("admin:index"))
    text = page.content.decode()
    assert "背景工作" in text
    assert [name for name in SEEN_IN_ENGLISH if name in text] == []


# What names a column or a filter on a list page.
SHOWN_NAMES = [
    re.compile(r'<th scope="col"[^>]*>.*?<div class="text">(?:<a [^>]*>|<span>)(.*?)</', re.S),
    re.compile(r'<details data-filter-title="[^"]*"[^>]*>\s*<summary>(.*?)</summary>', re.S),
]
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_list_of_the_staff_pages_reads_in_chinese(admin_client):
    """Rendered: the columns and filters of every list (the forms are checked above)."""
    english = set()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = admin_client.get(url)
        assert response.status_code == 200, url
        for pattern in SHOWN_NAMES:
            for shown in pattern.findall(response.content.decode()):
                name = strip_tags(shown).strip().rstrip(":：").strip()
                if name and not HAN.search(name) and name not in SAME_IN_BOTH:
                    english.add((url, name))
    assert sorted(english) == []
