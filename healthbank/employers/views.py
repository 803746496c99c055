"""Insured units' pages (/units/): sign-in, batch registration upload, upload history.
Views parse forms, call one service or a few selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from healthbank.audit.services import client_address
from healthbank.core.http import next_or, posted, signed_in_user
from healthbank.employers import forms, rules, selectors, services
from healthbank.employers.csvfile import FileRefused, expected_name, result_file
from healthbank.people.models import InsuredUnit

# The one answer for a wrong code, a wrong password and a locked sign-in (no password oracle).
WRONG = gettext_lazy(
    "The unit code or password is wrong. After %(limit)s wrong passwords in a row the "
    "sign-in is locked until NHIA unlocks it: ask your NHIA branch office."
)
BATCHES_PER_PAGE = 50
ROWS_PER_PAGE = 200


class UnitRequest(HttpRequest):
    """A request unit_required let in: `unit` is the signed-in insured unit."""

    unit: InsuredUnit


def unit_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only a unit's sign-in: others are sent to sign in; a person or staff session gets
    404, as if the unit pages did not exist. The view finds the unit in request.unit."""

    @wraps(view)
    @never_cache
    def wrapper(request: UnitRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("employers:login"))
        unit_login = selectors.unit_login_of(request.user)
        if unit_login is None:
            raise Http404
        request.unit = unit_login.unit
        return view(request, *args, **kwargs)

    return wrapper


def home(request: HttpRequest) -> HttpResponse:
    return redirect("employers:batch_new")


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """The unit's sign-in: unit code + password + image code."""
    if selectors.unit_login_of(request.user) is not None:
        return redirect("employers:batch_new")
    form = forms.UnitLoginForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            unit_login = services.authenticate_unit(
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
                address=client_address(request),
            )
        except services.LoginRefused as exc:
            form.add_error(
                None,
                WRONG % {"limit": settings.LOGIN_FAILURE_LIMIT}
                if exc.code == "invalid"
                else exc.message,
            )
        else:
            login(request, unit_login.user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect(next_or(request, "employers:batch_new"))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "employers/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("employers:login")


@unit_required
def batch_new(request: UnitRequest) -> HttpResponse:
    """健保卡註冊申請整批資料上傳."""
    unit = request.unit
    initial = {"contact_name": unit.contact_name, "contact_email": unit.email}
    form = forms.BatchUploadForm(
        posted(request), request.FILES if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.upload_batch(
                unit=unit,
                file_name=upload.name,
                data=upload.read(rules.MAX_FILE_BYTES + 1),
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
                uploaded_by=signed_in_user(request),
            )
        except FileRefused as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _(
                    "The file was processed. Accepted: %(accepted)s; not accepted: "
                    "%(refused)s. The result file was e-mailed to %(email)s."
                )
                % {
                    "accepted": batch.accepted_count,
                    "refused": batch.refused_count,
                    "email": batch.contact_email,
                },
            )
            return redirect("employers:batch", batch_id=batch.pk)
    context = {
        "unit": unit,
        "form": form,
        "max_rows": rules.MAX_ROWS,
        "expected_name": expected_name(unit.code, timezone.localdate()),
    }
    return render(request, "employers/batch_new.html", context)


@unit_required
def batch_list(request: UnitRequest) -> HttpResponse:
    """健保卡註冊申請上傳紀錄查詢: the unit's uploads, newest first."""
    page = Paginator(selectors.batches(request.unit), BATCHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "employers/batch_list.html", {"unit": request.unit, "page": page})


def _batch_or_404(request: UnitRequest, batch_id: int):
    batch = selectors.batch(request.unit, batch_id)
    if batch is None:
        raise Http404
    return batch


@unit_required
def batch_detail(request: UnitRequest, batch_id: int) -> HttpResponse:
    """One upload: each row with its result."""
    batch = _batch_or_404(request, batch_id)
    rows = selectors.batch_rows(request.unit, batch)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"unit": request.unit, "batch": batch, "page": page}
    return render(request, "employers/batch_detail.html", context)


@unit_required
def batch_result(request: UnitRequest, batch_id: int) -> HttpResponse:
    """The result file, as it was mailed to the contact."""
    batch = _batch_or_404(request, batch_id)
    content = result_file(selectors.batch_rows(request.unit, batch))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.result_file_name}"'
    return response
