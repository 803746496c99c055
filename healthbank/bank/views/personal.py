"""個人專區: insurance status, NHI card and issuance records, premiums, allergies, care wishes,
the access record (存取紀錄: every event of the person's account and records, and when) and
who read the person's data (查詢紀錄: the reads alone, filtered by who read, and as CSV)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from healthbank.agencies.selectors import agency_names
from healthbank.audit import selectors as audit
from healthbank.bank import charts
from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.presenters import access as access_rows
from healthbank.bank.presenters.masking import masked_name
from healthbank.core.rocdate import ROC_OFFSET, to_roc
from healthbank.core.spreadsheets import csv_stream
from healthbank.fhir.models import Listing
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


def _only_the_subject(request: HttpRequest, portal: Portal) -> None:
    named = request.GET.get("person")
    if named is not None and named != str(portal.subject.pk):
        raise Http404  # the page is the viewed person's: nobody else's by any address


def _page_number(request: HttpRequest) -> int:
    wanted = request.GET.get("page", "1")
    return int(wanted) if PAGE_PARAMETER.match(wanted) else 1


@portal_page
def access(request: HttpRequest, portal: Portal) -> HttpResponse:
    """存取紀錄: the events of the person being viewed, newest first, a month or every month
    kept; a page of them at a time, with a next-page link (no count over the trail)."""
    _only_the_subject(request, portal)
    months = {f"{m:%Y-%m}": m for m in audit.kept_months(timezone.now())}
    wanted = request.GET.get("month", "")
    month = months.get(wanted) if MONTH_PARAMETER.match(wanted) else None
    bad_month = bool(wanted) and month is None
    number = _page_number(request)
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
                apps=app_names(found.app_ids),
                agencies=agency_names(found.agency_ids),
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


def app_names(ids: set[int]) -> dict[int, str]:
    """Third-party apps by listing id, as people know them (their OAuth application's name)."""
    if not ids:
        return {}
    return dict(Listing.objects.filter(pk__in=ids).values_list("pk", "application__name"))


def _reader(request: HttpRequest) -> tuple[str | None, bool]:
    """The ?who= filter (audit.selectors.READERS), and whether one not known was asked for."""
    wanted = request.GET.get("who", "")
    return (wanted, False) if wanted in audit.READERS else (None, bool(wanted))


@portal_page
def readers(request: HttpRequest, portal: Portal) -> HttpResponse:
    """查詢紀錄: every read of the viewed person's records, newest first, by any reader or one
    kind of reader; a page at a time with a next-page link (no count), and the same as CSV."""
    _only_the_subject(request, portal)
    reader, bad_reader = _reader(request)
    number = _page_number(request)
    found = audit.reads_page(portal.subject, reader=reader, number=number)
    query = f"who={reader}&" if reader else ""
    notes = [
        _(
            "Every read of your records is listed: the pages you or a parent (for a child under "
            "15) opened on this site or in the NHI Express app, record packages downloaded, "
            "third-party apps you allowed, providers reading your virtual NHI card, and NHIA "
            "staff, who must give a reason before they open your data. Kept for {months} months."
        ).format(months=settings.AUDIT_RETENTION_MONTHS),
        _(
            "NHIA staff are named by their role, not by name. If you see a read you do not "
            "recognise, call NHIA's service line {line}."
        ).format(line=NHIA_SERVICE_LINE),
    ]
    return render(
        request,
        "bank/personal/readers.html",
        {
            "rows": access_rows.rows(
                found,
                viewer_id=portal.viewer.pk,
                subject_id=portal.subject.pk,
                subject_name=portal.subject.name,
                apps=app_names(found.app_ids),
            ),
            "found": found,
            "readers": list(access_rows.READER_LABELS.items()),
            "reader": reader or "",
            "reader_name": access_rows.READER_LABELS[reader] if reader else "",
            "bad_reader": bad_reader,
            "previous_link": f"?{query}page={number - 1}"
            if found.has_previous and found.events
            else "",
            "next_link": f"?{query}page={number + 1}" if found.has_next else "",
            "first_link": f"?{query}page=1",
            "csv_link": f"?who={reader}" if reader else "",
            "notes": notes,
        },
    )


@portal_page
def readers_csv(request: HttpRequest, portal: Portal) -> StreamingHttpResponse:
    """查詢紀錄 as a CSV file for a spreadsheet: every read kept (or one kind of reader's),
    newest first, in the reader's language; names masked, never anyone's national ID."""
    _only_the_subject(request, portal)
    reader, _bad = _reader(request)
    language = translation.get_language()
    header = [
        pgettext("access record", "Time"),
        pgettext("who read export", "Kind of reader"),
        pgettext("who read export", "Reader"),
        pgettext("access record", "What"),
        pgettext("who read export", "Data read"),
        pgettext("who read export", "App's permission (scope)"),
        pgettext("who read export", "Staff's reason"),
        _("From (network address)"),
    ]

    def lines():
        with translation.override(language):  # streamed after the view has returned
            for piece in audit.reads_in_pieces(portal.subject, reader=reader):
                for row in access_rows.rows(
                    piece,
                    viewer_id=portal.viewer.pk,
                    subject_id=portal.subject.pk,
                    subject_name=portal.subject.name,
                    apps=app_names(piece.app_ids),
                ):
                    yield [
                        row.when,
                        row.reader,
                        row.who,
                        row.what,
                        row.detail,
                        row.scope,
                        row.reason,
                        row.where,
                    ]

    response = StreamingHttpResponse(
        csv_stream(header, lines()), content_type="text/csv; charset=utf-8"
    )
    filename = f"{_('Who read my data')}_{to_roc(timezone.localdate(), sep='')}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response
