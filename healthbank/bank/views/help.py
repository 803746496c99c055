"""Public help pages (/help/): user guide (使用指南), FAQ (常見問題), announcements (公告事項)
and health news (健康時事). No sign-in and no personal data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from healthbank.bank import news
from healthbank.bank.models import Announcement, HelpEntry


def guide(request: HttpRequest) -> HttpResponse:
    return render(
        request, "bank/help/guide.html", {"entries": news.help_entries(HelpEntry.Kind.GUIDE)}
    )


def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "bank/help/faq.html", {"entries": news.help_entries(HelpEntry.Kind.FAQ)})


def announcements(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "announcements": news.current_announcements(today, limit=None),
        "health_news": news.current_announcements(today, kind=Announcement.Kind.NEWS, limit=None),
    }
    return render(request, "bank/help/announcements.html", context)


def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    item = get_object_or_404(news.published(today), pk=pk)
    return render(
        request,
        "bank/help/announcement.html",
        {"item": item, "expired": not item.is_current(today)},
    )
