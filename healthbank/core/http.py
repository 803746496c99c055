"""Small request helpers the views of several apps share."""

from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def posted(request: HttpRequest) -> QueryDict | None:
    """Form data to bind a form to: the POST, even an empty one (which must still be
    checked and refused), or None on GET."""
    return request.POST if request.method == "POST" else None


def next_or(request: HttpRequest, default: str) -> str:
    """Where a sign-in form goes next: its posted `next` if that stays on this site,
    otherwise the URL named `default` (never an address another site put there)."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse(default)
