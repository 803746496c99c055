"""個人專區: insurance status, NHI card and issuance records, premiums, allergies, care wishes,
and the access record (存取紀錄: who read the person's records, and when)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from healthbank.audit import selectors as audit
from healthbank.bank import charts
from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.presenters import access as access_rows
from healthbank.bank.presenters.masking import masked_name
from healthbank.core.rocdate import ROC_OFFSET
from healthbank.records.rules import allergy_window, insurance_window
from healthbank.records.selectors import personal as selectors

# Seed 000, 健保投保資料專區, 投保說明: the premium table is on NHIA's site; its service line.
NHIA_SITE_URL = "https://www.nhi.gov.tw/"
NHIA_SERVICE_LINE = "0800-030598"
# The access record's ?month= (2026-11) and ?page= (a page deeper than this is not one).
MONTH_PARAMETER = re.compile(r"^[0-9]{4}-[0-9]{2}$")
PAGE_PARAMETER = re.compile(r"^[1-9][0-9]{0,5}$")


def month_label(month: dt.date) -> str:
    """115/10 in Chinese, 2026-10 otherwise (the seed's months are ROC year/month)."""
    if (translation.get_language() or "").startswith("zh"):
        return f"{month.year - ROC_OFFSET:03d}/{month.month:02d}"
    return f"{month:%Y-%m}"


@portal_page
def insurance(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = insurance_window(portal.today)
    cover = selectors.insurance(portal.subject, window)
    notes = [
        _(
            "From NHIA's enrolment records; the history lists the enrolments in force during "
            "the period."
        )
    ]
    return render(
        request,
        "bank/personal/insurance.html",
        {
            "cover": cover,
            "current": cover.current,
            "name": masked_name(portal.subject.name),
            "insured_name": masked_name(cover.current.insured_person.name)
            if cover.current and cover.current.insured_person
            else "",
            "window": window,
            "notes": notes,
            "nhia_url": NHIA_SITE_URL,
            "service_line": NHIA_SERVICE_LINE,
        },
    )


@portal_page
def cards(request: HttpRequest, portal: Portal) -> HttpResponse:
    found = selectors.cards(portal.subject)
    notes = [
        _("Card issuance records list every card application, with its fee."),
        _("To report a lost card or apply for a new one, go to an NHIA counter or apply online."),
    ]
    return render(request, "bank/personal/cards.html", {"cards": found, "notes": notes})


@portal_page
def premiums(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = insurance_window(portal.today)
    found = selectors.premiums(portal.subject, window)
    months = list(reversed(found.bills))
    spec = charts.bar(
        [month_label(b.month) for b in months],
        [b.amount for b in months],
        label=_("Monthly premium (NT$)"),
    )
    dependant_of = ""
    if not found.bills:  # a dependant's premium is billed to the insured person
        current = selectors.insurance(portal.subject, window).current
        if current and current.insured_person:
            dependant_of = masked_name(current.insured_person.name)
    notes = [
        _(
            "A month's premium is billed to the insured person for themself and the "
            "dependants counted (at most three); it is due by the end of the following month."
        ),
        _("Payments made by your insured unit are listed with it as the method."),
    ]
    return render(
        request,
        "bank/personal/premiums.html",
        {
            "premiums": found,
            "bills": [(b, month_label(b.month)) for b in found.bills],
            "payments": [(p, month_label(p.bill.month)) for p in found.payments],
            "spec": spec,
            "window": window,
            "notes": notes,
            "dependant_of": dependant_of,
        },
    )


@portal_page
def allergies(request: HttpRequest, portal: Portal) -> HttpResponse:
    window = allergy_window(portal.today)
    notes = [
        _(
            "NHI collects the allergies that contracted providers upload from 2015-01-01 "
            "(104/01/01) on. Providers upload what they wrote on the NHI card within 24 "
            "hours, so the data can be 24 to 48 hours behind, and in exceptional cases some "
            "may not be shown."
        ),
        _("If you have a question about this data, please ask the provider concerned."),
    ]
    return render(
        request,
        "bank/personal/allergies.html",
        {
            "allergies": selectors.allergies(portal.subject, window),
            "window": window,
            "notes": notes,
        },
    )


@portal_page
def wishes(request: HttpRequest, portal: Portal) -> HttpResponse:
    notes = [
        _(
            "The Ministry of Health and Welfare (MOHW) notes signed wishes on the NHI card: "
            "organ donation from November 2004, hospice and palliative care from September 2006."
        ),
        _(
            "To sign, change or revoke a wish, use the MOHW's registration (for example through "
            "a hospital or the Taiwan Organ Registry and Sharing Center, or the Hospice "
            "Foundation of Taiwan); the change is noted on your card afterwards."
        ),
    ]
    return render(
        request,
        "bank/personal/wishes.html",
        {"wishes": selectors.care_wishes(portal.subject), "notes": notes},
    )


@portal_page
def access(request: HttpRequest, portal: Portal) -> HttpResponse:
    """存取紀錄: the events of the person being viewed, newest first, a month or every month
    kept; a page of them at a time, with a next-page link (no count over the trail)."""
    named = request.GET.get("person")
    if named is not None and named != str(portal.subject.pk):
        raise Http404  # the page is the viewed person's: nobody else's by any address
    months = {f"{m:%Y-%m}": m for m in audit.kept_months(timezone.now())}
    wanted = request.GET.get("month", "")
    month = months.get(wanted) if MONTH_PARAMETER.match(wanted) else None
    bad_month = bool(wanted) and month is None
    page_wanted = request.GET.get("page", "1")
    number = int(page_wanted) if PAGE_PARAMETER.match(page_wanted) else 1
    found = audit.access_page(portal.subject, month=month, number=number)
    query = f"month={wanted}&" if month else ""
    notes = [
        _(
            "Every sign-in, every page of your records read on this site or in the NHI Express "
            "app (by you, or by a parent for a child under 15), every download and every use "
            "of your virtual NHI card by a provider is recorded here, and kept for {months} "
            "months."
        ).format(months=settings.AUDIT_RETENTION_MONTHS),
        _(
            "Addresses are shown without their last part. If you see a sign-in or a read you "
            "do not recognise, change your password and call NHIA's service line {line}."
        ).format(line=NHIA_SERVICE_LINE),
    ]
    return render(
        request,
        "bank/personal/access.html",
        {
            "rows": access_rows.rows(
                found,
                viewer_id=portal.viewer.pk,
                subject_id=portal.subject.pk,
                subject_name=portal.subject.name,
            ),
            "found": found,
            "months": [(value, month_label(m)) for value, m in months.items()],
            "month": wanted if month else "",
            "month_name": month_label(month) if month else "",
            "bad_month": bad_month,
            "retention_months": settings.AUDIT_RETENTION_MONTHS,
            # Past the last page: only the way back to the first (the pager does not count).
            "previous_link": f"?{query}page={number - 1}"
            if found.has_previous and found.events
            else "",
            "next_link": f"?{query}page={number + 1}" if found.has_next else "",
            "first_link": f"?{query}page=1",
            "notes": notes,
        },
    )
