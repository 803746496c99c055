"""Section pages (個人專區, 健康資料, 就醫資料, 檢驗檢查結果, 疾病評估): links to their pages,
drawn from the menu so that a section never lists a page that is not there."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from healthbank.bank.grants import openable
from healthbank.bank.menu import find
from healthbank.bank.portal import Portal, portal_page


def hub(view_name: str):
    @portal_page
    def view(request: HttpRequest, portal: Portal) -> HttpResponse:
        section = find(view_name)
        pages = openable(section.children, portal.granted) if section else ()
        return render(request, "bank/hub.html", {"section": section, "pages": pages})

    return view
