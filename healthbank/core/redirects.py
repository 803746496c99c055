from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def next_or(request: HttpRequest, default: str) -> str:
    """Where a sign-in form goes next: its posted `next` if that stays on this site,
    otherwise the URL named `default` (never an address another site put there)."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse(default)
