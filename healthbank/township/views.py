"""Placeholder until the application is built (issue 24)."""

from django.http import HttpRequest, HttpResponse

from healthbank.identity.eservice import eservice_page
from healthbank.identity.models import Account


@eservice_page
def township(request: HttpRequest, account: Account) -> HttpResponse:
    return HttpResponse(status=501)
