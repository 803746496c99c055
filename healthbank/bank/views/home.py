"""The portal's home page (我的首頁)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from healthbank.audit.selectors import previous_login
from healthbank.bank.portal import Portal, portal_page


@portal_page
def home(request: HttpRequest, portal: Portal) -> HttpResponse:
    return render(request, "bank/home.html", {"previous_login": previous_login(portal.viewer)})


urlpatterns = [path("", home, name="home")]
