"""Why NHIA staff read a person's data: asked at /staff/ before the data is shown.

Every ModelAdmin of a person's data (Person itself, a model with a `person`, or one named in
PERSON_PATHS) is guarded by the staff site (staff_site.StaffAdminSite.admin_view): a page of
one of its rows (change, history, delete, files, decisions) first asks the staff member why,
unless they said so for that person in the last few minutes (rules.READ_REASON_VALID_FOR);
a list narrowed to people (a search, a filter by person) asks once for the search. Each page
of a row read, and each person a search shows, is audited under that person as
`records.read` by staff, with the reason and the staff member's role (their groups), which
the person reads in their record of who read their data; never the staff member's name.

Unfiltered lists are the staff's work queues and are not asked about.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from healthbank.audit.services import Action, Actor, client_address, record
from healthbank.core.typed import is_ascii_digits
from healthbank.identity import rules
from healthbank.people.models import Person

SESSION_KEY = "staff.read_reasons"
SEARCH = "search"  # the session's reason for searches, beside the per-person ones
OTHER = "other"

# Reasons staff give most often; the person reads them in their own language.
COMMON_REASONS = {
    "inquiry": _("The person asked NHIA for help (service line or counter)"),
    "application": _("Reviewing an application the person made"),
    "correction": _("Correcting or completing the person's data"),
    "investigation": _("An audit or investigation the law provides for"),
}

# Models whose person is not a field called `person`: the path to them from a row.
PERSON_PATHS = {
    "people.household": "head",  # the household's page names its head and their address
    "vcard.authorisation": "grantor",  # the card holder who authorised the use
    "identity.devicebinding": "account__person",
    "identity.delegation": "owner",  # whose records the family access is to
}
# The admin views of one row that show it (audited on GET); others (files, decisions) are
# guarded too and audit their own reads where they serve a file.
AUDITED_VIEWS = {"change_view": "change", "history_view": "history", "delete_view": "delete"}


def person_path(model: type[models.Model]) -> str | None:
    """How a row of this model names its person ("pk" for Person), or None: not personal."""
    if model is Person:
        return "pk"
    if model._meta.label_lower in PERSON_PATHS:
        return PERSON_PATHS[model._meta.label_lower]
    try:
        field = model._meta.get_field("person")
    except FieldDoesNotExist:
        return None
    return "person" if field.is_relation and field.related_model is Person else None


def person_id_of(row: models.Model, path: str) -> int | None:
    """The person of a row already read (the admin's lists join what they show)."""
    if path == "pk":
        return row.pk
    *hops, last = path.split("__")
    target: Any = row
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def _person_of_object(model: type[models.Model], path: str, object_id: str) -> int | None:
    try:
        pk = model._meta.pk.to_python(unquote(object_id))
    except ValidationError:
        return None
    return model._default_manager.filter(pk=pk).values_list(path, flat=True).first()


# --- the reason, kept in the staff session ---------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str  # a key of COMMON_REASONS, or OTHER
    text: str  # as the staff member gave it (a common reason in their language)
    role: str  # the staff member's groups when they gave it

    def detail(self) -> dict[str, Any]:
        """What the audit row keeps of it."""
        return {"reason": self.text, "reason_code": self.code, "role": self.role}


def given(request: HttpRequest, key: int | str) -> Reason | None:
    """The reason the staff member gave for this person (or SEARCH), while it holds."""
    kept = request.session.get(SESSION_KEY, {}).get(str(key))
    if not kept or kept[3] < timezone.now().timestamp():
        return None
    return Reason(code=kept[0], text=kept[1], role=kept[2])


def remember(request: HttpRequest, keys: Sequence[int | str], reason: Reason) -> None:
    now = timezone.now().timestamp()
    until = now + rules.READ_REASON_VALID_FOR.total_seconds()
    kept = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v[3] >= now}
    for key in keys:
        kept[str(key)] = [reason.code, reason.text, reason.role, until]
    request.session[SESSION_KEY] = kept


def role_of(user: Any) -> str:
    """The staff member's role: the names of their groups (Django's), in name order."""
    return ", ".join(user.groups.order_by("name").values_list("name", flat=True))


def reason_detail(request: HttpRequest, person_id: int | None) -> dict[str, Any]:
    """The reason in force for the person, for the file reads the queues audit themselves."""
    reason = given(request, person_id) if person_id is not None else None
    return reason.detail() if reason else {}


def audit_read(request: HttpRequest, person_id: int, reason: Reason, page: str, view: str) -> None:
    record(
        action=Action.RECORDS_READ,
        person=Person(pk=person_id),
        actor=Actor.STAFF,
        actor_id=request.user.pk,
        address=client_address(request),
        page=page,
        view=view,
        **reason.detail(),
    )


# --- the guard the staff site puts around every admin view -----------------------------------


def guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view, asking for a reason first where it shows a person's data."""
    model_admin, name = _bound(view)
    if model_admin is None:
        return view
    path = person_path(model_admin.model)
    if path is None:
        return view

    @functools.wraps(view)
    def guard(request: HttpRequest, *args, **kwargs):
        if not model_admin.has_view_or_change_permission(request):
            return view(request, *args, **kwargs)  # the admin's own refusal, no question first
        object_id = kwargs.get("object_id")
        if object_id is not None:
            return _one_row(request, model_admin, path, name, view, object_id, args, kwargs)
        if name == "changelist_view" and _narrowed(request, path):
            return _search(request, model_admin, path, view, args, kwargs)
        return view(request, *args, **kwargs)

    guard.asks_reason = True  # type: ignore[attr-defined]  # kept by the wrappers around it
    return guard


def _bound(view: Callable[..., Any]) -> tuple[ModelAdmin | None, str]:
    """The ModelAdmin whose method the view is, under any decorators (require_POST's and
    csrf_protect's wrappers hide it), and the method's name."""
    found: Any = view
    while found is not None:
        owner = getattr(found, "__self__", None)
        if isinstance(owner, ModelAdmin):
            return owner, found.__name__
        found = found.__dict__.get("__wrapped__") if hasattr(found, "__dict__") else None
    return None, ""


def _page(model_admin: ModelAdmin) -> str:
    return f"staff:{model_admin.opts.label_lower}"


def _ask(
    request: HttpRequest, model_admin: ModelAdmin, next_url: str, **query: Any
) -> HttpResponse:
    query = {
        **query,
        "next": next_url,
        "page": model_admin.opts.label_lower,
        "default": getattr(model_admin, "read_reason", ""),
    }
    url = reverse("admin:read_reason", current_app=model_admin.admin_site.name)
    return HttpResponseRedirect(f"{url}?{urlencode(query)}")


def _one_row(request, model_admin, path, name, view, object_id, args, kwargs) -> HttpResponse:
    person_id = _person_of_object(model_admin.model, path, object_id)
    if person_id is None:
        return view(request, *args, **kwargs)  # no such row: the admin's own answer
    reason = given(request, person_id)
    if reason is None:
        # A form sent without a reason is not taken: the row's page again, after the reason.
        back = (
            request.get_full_path()
            if request.method == "GET"
            else reverse(
                f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_change",
                args=[quote(object_id)],
                current_app=model_admin.admin_site.name,
            )
        )
        return _ask(request, model_admin, back, person=person_id)
    response = view(request, *args, **kwargs)
    if request.method == "GET" and response.status_code == 200 and name in AUDITED_VIEWS:
        audit_read(request, person_id, reason, _page(model_admin), AUDITED_VIEWS[name])
    return response


def _narrowed(request: HttpRequest, path: str) -> bool:
    """A list searched, or filtered to people (by person, national ID or id): a read of the
    people it shows, not a work queue."""
    if request.GET.get("q", "").strip():
        return True
    names = ("id", "pk", "national_id") if path == "pk" else (path.split("__")[0],)
    return any(key.split("__")[0] in names for key in request.GET)


def _one_person(request: HttpRequest, path: str) -> int | None:
    """The person a list is filtered to by id (the account page's link to their trail)."""
    hop = "id" if path == "pk" else path.split("__")[0]
    names = {hop, f"{hop}__exact", f"{hop}__id__exact", f"{hop}__pk__exact"}
    if path == "pk":
        names |= {"pk", "id__exact", "pk__exact"}
    wanted = [request.GET[key] for key in names if key in request.GET]
    if request.GET.get("q", "").strip() or len(wanted) != 1 or not is_ascii_digits(wanted[0]):
        return None
    return Person.objects.filter(pk=int(wanted[0])).values_list("pk", flat=True).first()


def _search(request, model_admin, path, view, args, kwargs) -> HttpResponse:
    one = _one_person(request, path)
    reason = given(request, SEARCH) or (given(request, one) if one is not None else None)
    if reason is None:  # an action posted on a searched list too: the list again, after it
        return _ask(request, model_admin, request.get_full_path())
    response = view(request, *args, **kwargs)
    changelist = (getattr(response, "context_data", None) or {}).get("cl")
    if request.method == "GET" and response.status_code == 200 and changelist is not None:
        # The person a list is filtered to is read even where it shows none of their rows.
        found = (person_id_of(row, path) for row in changelist.result_list)
        shown = list(dict.fromkeys(pid for pid in (one, *found) if pid is not None))
        with transaction.atomic():
            for person_id in shown:
                audit_read(request, person_id, reason, _page(model_admin), "search")
        remember(request, shown, reason)  # opening one of them asks no more
    return response


# --- the question ----------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you open this person's data?"),
        choices=[*COMMON_REASONS.items(), (OTHER, _("Another reason (write it below)"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick a reason, or write your own.")},
    )
    other = forms.CharField(
        label=_("Reason in your own words"),
        max_length=200,
        required=False,
        help_text=_("The person reads this reason in their record of who read their data."),
    )

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("reason") == OTHER and not cleaned.get("other", "").strip():
            self.add_error("other", _("Write the reason, or pick one of the common reasons."))
        return cleaned

    def chosen(self, role: str) -> Reason:
        code = self.cleaned_data["reason"]
        text = self.cleaned_data["other"].strip() if code == OTHER else str(COMMON_REASONS[code])
        return Reason(code=code, text=text, role=role)


@never_cache
def reason_view(request: HttpRequest, site: Any) -> HttpResponse:
    """/staff/reason/: why the staff member opens a person's data (?person=) or searches
    (no person); then on to ?next=, a page of the staff site."""
    home = reverse("admin:index", current_app=site.name)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not (
        next_url.startswith(home)
        and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        next_url = home
    wanted = request.POST.get("person") or request.GET.get("person", "")
    person_id = int(wanted) if is_ascii_digits(wanted) else None
    default = request.GET.get("default", "")
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        initial={"reason": default} if default in COMMON_REASONS else None,
    )
    if form.is_bound and form.is_valid():
        remember(
            request,
            [SEARCH if person_id is None else person_id],
            form.chosen(role_of(request.user)),
        )
        return HttpResponseRedirect(next_url)
    label = request.GET.get("page", "")
    what = _model_name(label)
    context = {
        **site.each_context(request),
        "title": _("Why do you open this person's data?")
        if person_id is not None
        else _("Why do you search for people's data?"),
        "form": form,
        "next": next_url,
        "person": person_id or "",
        "what": what,
        "searching": person_id is None,
        "valid_minutes": int(rules.READ_REASON_VALID_FOR.total_seconds() // 60),
    }
    request.current_app = site.name
    return TemplateResponse(request, "admin/read_reason.html", context)


def _model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name_plural) if label else ""
    except (LookupError, ValueError):
        return ""
