"""The portal's home page (我的首頁): the latest visit of each kind, this month's calendar,
reminders, the duplicate-medication warning, announcements and health news."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from healthbank.audit.selectors import previous_login
from healthbank.bank.grants import openable
from healthbank.bank.menu import SECTIONS
from healthbank.bank.models import Announcement
from healthbank.bank.news import current_announcements
from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.views.calendar import month_context
from healthbank.records.rules import record_window
from healthbank.records.selectors.reminders import duplicate_medications, reminders_for
from healthbank.records.selectors.visits import latest_visits

# The seed's 最近一次就醫紀錄 rows, in its order (西醫, 牙醫, 中醫).
VISIT_KINDS = (
    ("western", pgettext_lazy("latest visit of", "Western medicine")),
    ("dental", pgettext_lazy("latest visit of", "Dentistry")),
    ("tcm", pgettext_lazy("latest visit of", "Chinese medicine")),
)


@portal_page
def home(request: HttpRequest, portal: Portal) -> HttpResponse:
    if portal.for_delegate:
        return _family_home(request, portal)
    person, today = portal.subject, portal.today
    window = record_window(today)
    latest = latest_visits(person, window)
    reminders = reminders_for(person, today)
    context = {
        "previous_login": previous_login(portal.viewer),
        "window": window,
        "latest": [(label, latest[key]) for key, label in VISIT_KINDS],
        "any_visit": any(latest.values()),
        "reminders": reminders,
        "duplicates": duplicate_medications(person, today),
        "announcements": current_announcements(today),
        "health_news": current_announcements(today, kind=Announcement.Kind.NEWS),
        **month_context(portal, today.replace(day=1), reminders, with_visits=False),
        "calendar_heading": _("This month's calendar"),
        "notes": [
            _(
                "My Health Bank shows the last three years of the Western-medicine, dental "
                "and Chinese-medicine care that contracted hospitals, clinics and pharmacies "
                "claimed or uploaded from the NHI card."
            ),
        ],
    }
    return render(request, "bank/home.html", context)


def _family_home(request: HttpRequest, portal: Portal) -> HttpResponse:
    """A family member's home page of someone else's records: the pages of what was granted
    (the latest visits, reminders and calendar draw on more than one category)."""
    context = {
        "sections": openable(SECTIONS, portal.granted),
        "announcements": current_announcements(portal.today),
    }
    return render(request, "bank/family_home.html", context)
