from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from healthbank.external.models import StoredMail


def mailbox(request: HttpRequest) -> HttpResponse:
    """Mail the demo 'sent' (DEBUG only): a newcomer finishes registration from here."""
    if not settings.DEV_MAILBOX:
        raise Http404
    mail = StoredMail.objects.all()[:50]
    return render(request, "external/mailbox.html", {"mail": mail})
