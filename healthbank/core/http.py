"""Small request helpers the views of several apps share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def posted(request: HttpRequest) -> QueryDict | None:
    """Form data to bind a form to: the POST, even an empty one (which must still be
    checked and refused), or None on GET."""
    return request.POST if request.method == "POST" else None


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view reached only signed in (the staff admin, login_required)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def next_or(request: HttpRequest, default: str) -> str:
    """Where a sign-in form goes next: its posted `next` if that stays on this site,
    otherwise the URL named `default` (never an address another site put there)."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse(default)


# Beyond any row there will ever be; keeps OFFSET inside the database's integer.
# The JSON APIs (the app's, the providers', FHIR's): token-authenticated, never a session.
API_PREFIXES = ("/api/", "/providers/api/", "/fhir/r4/")

MAX_OFFSET = 10**9


def page_bounds(limit: int, offset: int, *, most: int) -> tuple[int, int]:
    """A list's ?limit=&offset= as given, made safe: limit 1..most, offset 0..MAX_OFFSET
    (a nonsense value is the nearest sensible one, never an error or a database overflow)."""
    return max(1, min(limit, most)), max(0, min(offset, MAX_OFFSET))
