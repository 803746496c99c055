"""Dental visits on tooth charts (牙醫門診資料) and surgeries on a body figure (手術資料).

The charts are inline SVG drawn by the templates from `bank/presenters/anatomy.py`, which
places the teeth and the figure's regions; these views read the records, count them on each
tooth and body site and filter the list. Clicking a tooth or region is a plain link with
?tooth= or ?site=, so every filtered list is a URL and works without JavaScript.
"""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from healthbank.bank.listing import Column, Sorting, sorting
from healthbank.bank.portal import Portal, portal_page
from healthbank.bank.presenters.anatomy import VERTEBRAE, figure_regions, tooth_chart
from healthbank.bank.presenters.visits import visit_cells, visit_row, visit_urls
from healthbank.codes.models import BodySite, ToothPosition
from healthbank.core.templatetags.rocdate import rocdate
from healthbank.people.models import Sex
from healthbank.records.rules import record_window
from healthbank.records.selectors import anatomy

# Seed 000's dental note: "若需了解各院所牙醫醫療品質，可至全民健康保險醫療品質資訊公開網查詢".
NHI_QUALITY_URL = "https://www.nhi.gov.tw/"
# Primary teeth give way to permanent ones by about 12: younger children see their chart first.
PRIMARY_DENTITION_UNTIL = 12


def _name_field(prefix: str) -> str:
    """The code table's name column in the reader's language, for sorting by name."""
    english = (translation.get_language() or "").startswith("en")
    return f"{prefix}__name_en" if english else f"{prefix}__name_zh"


def _link(request: HttpRequest, key: str, value: str) -> str:
    """This page's URL with ?key=value (or without key), keeping the sort order."""
    query = request.GET.copy()
    query.pop(key, None)
    if value:
        query[key] = value
    return "?" + query.urlencode() if query else "?"


def _sort_value(sort: Sorting) -> str:
    """The list's current order as ?sort= spells it, kept by the filter forms."""
    return f"-{sort.key}" if sort.descending else sort.key


# ---------------------------------------------------------------------------------------------
# Dental visits

DENTAL_NOTES = (
    gettext_lazy("● marks a tooth with dental visits in this period."),
    gettext_lazy(
        "The charts face you as a dentist's chart does: the person's right side is on the left."
    ),
)


def _dental_notes() -> list:
    return [
        *DENTAL_NOTES,
        format_html(
            '{} <a href="{}" rel="noopener" target="_blank">{}</a>{}',
            _("To compare dental providers' quality, see the"),
            NHI_QUALITY_URL,
            _("NHI Healthcare Quality Information website"),
            _(
                " (choose an indicator to open its explanation page, then use Advanced search "
                "or Map search at the bottom of that page)."
            ),
        ),
    ]


@portal_page
def dental(request: HttpRequest, portal: Portal) -> HttpResponse:
    person = portal.subject
    window = record_window(portal.today)
    teeth = anatomy.tooth_positions()
    visits_by_tooth = anatomy.dental_visits_by_tooth(person, window)

    wanted = request.GET.get("tooth", "").strip()
    selected = wanted if wanted in teeth else None

    columns = (
        Column("date", _("Visit date"), ("visit_date",)),
        Column("provider", _("Provider"), ("provider__name",)),
        Column("diagnosis", _("Diagnosis"), (_name_field("primary_diagnosis"),)),
        Column("copayment", _("Copayment (NT$)"), ("copayment",), numeric=True),
        Column("points", _("NHI points"), ("points",), numeric=True),
    )
    sort = sorting(request, columns, "-date")
    visits = anatomy.dental_visits(person, window, tooth=selected, order_by=sort.order_by)
    url = visit_urls()
    rows = [
        {
            **visit_row(visit, url),
            "teeth": [
                {"code": code, "name": teeth[code].name, "selected": code == selected}
                for code in visit.teeth  # type: ignore[attr-defined]
                if code in teeth
            ],
        }
        for visit in visits
    ]

    names = {code: tooth.name for code, tooth in teeth.items()}
    pick = functools.partial(_link, request, "tooth")
    charts = [
        tooth_chart(dentition, names, visits_by_tooth, selected, pick)
        for dentition in (ToothPosition.Dentition.PERMANENT, ToothPosition.Dentition.PRIMARY)
    ]
    if person.age_on(portal.today) < PRIMARY_DENTITION_UNTIL:
        charts.reverse()
    for i, chart in enumerate(charts):
        chart["open"] = i == 0 or chart["marked"] > 0 or chart["has_selected"]

    options = [
        {
            "code": code,
            "label": f"{code} {teeth[code].name} ({visits_by_tooth[code]})",
            "selected": code == selected,
        }
        for code in sorted(visits_by_tooth)
        if code in teeth
    ]
    if selected and selected not in visits_by_tooth:
        # A tooth picked on the chart without visits is still shown as the current choice.
        options.insert(
            0,
            {"code": selected, "label": f"{selected} {teeth[selected].name} (0)", "selected": True},
        )

    return render(
        request,
        "bank/anatomy/dental.html",
        {
            "window": window,
            "notes": _dental_notes(),
            "charts": charts,
            "visits": rows,
            "headers": sort.headers(request),
            "selected": teeth.get(selected) if selected else None,
            "unknown_tooth": wanted if wanted and not selected else "",
            "options": options,
            "sort": _sort_value(sort),
            "all_href": _link(request, "tooth", ""),
        },
    )


# ---------------------------------------------------------------------------------------------
# Surgeries


def _site_options(
    regions: dict[str, dict],
    regions_of_sites: dict[str, list[str]],
    sites: dict[str, BodySite],
    counts: dict[str, int],
    chosen: str,
    chosen_label: str,
) -> list[dict]:
    """The select's choices: each region with surgeries, then its sites with surgeries."""
    options = []
    for key, region in regions.items():
        if not region["count"]:
            continue
        label = f"{region['label']} ({region['count']})"
        options.append({"code": key, "label": label, "selected": key == chosen})
        for code in regions_of_sites.get(key, ()):
            if counts.get(code):
                label = f"— {sites[code].name} ({counts[code]})"
                options.append({"code": code, "label": label, "selected": code == chosen})
    if chosen and not any(o["selected"] for o in options):
        # A part picked on the figure without surgeries is still shown as the current choice.
        options.insert(0, {"code": chosen, "label": f"{chosen_label} (0)", "selected": True})
    return options


SURGERY_NOTES = (
    gettext_lazy("A number on the figure is how many surgeries were done on that part."),
    gettext_lazy("Copayment and NHI points are those of the whole visit or stay."),
)


@portal_page
def surgeries(request: HttpRequest, portal: Portal) -> HttpResponse:
    person = portal.subject
    window = record_window(portal.today)
    sites = anatomy.body_sites()
    counts = anatomy.surgery_counts(person, window)
    regions_of_sites: dict[str, list[str]] = {}
    for code, site in sites.items():
        regions_of_sites.setdefault(site.region, []).append(code)

    # ?site= is a region (abdomen) or a body site's code (APPENDIX); anything else shows all.
    wanted = request.GET.get("site", "").strip()
    if wanted in regions_of_sites:
        chosen, chosen_sites, chosen_region = wanted, regions_of_sites[wanted], wanted
    elif wanted in sites:
        chosen, chosen_sites, chosen_region = wanted, [wanted], sites[wanted].region
    else:
        chosen, chosen_sites, chosen_region = "", None, ""

    columns = (
        Column("date", _("Visit / admission date"), ("visit__visit_date", "performed_on")),
        Column("discharge", _("Discharge date"), ("visit__discharge_date",)),
        Column("provider", _("Provider"), ("visit__provider__name",)),
        Column("service", _("Procedure"), (_name_field("service"),)),
        Column("site", _("Body site"), (_name_field("body_site"),)),
        Column("copayment", _("Copayment (NT$)"), ("visit__copayment",), numeric=True),
        Column("points", _("NHI points"), ("visit__points",), numeric=True),
    )
    sort = sorting(request, columns, "-date")
    url = visit_urls()
    rows = [
        {
            **visit_cells(surgery.visit, url),
            "pk": surgery.pk,
            "service": surgery.service.name,
            "service_code": surgery.service.code,
            "operated": _("operated on %(day)s") % {"day": rocdate(surgery.performed_on)},
            "site": surgery.body_site.name if surgery.body_site else "",
        }
        for surgery in anatomy.surgeries(person, window, sites=chosen_sites, order_by=sort.order_by)
    ]

    pick = functools.partial(_link, request, "site")
    regions = figure_regions(regions_of_sites, counts, chosen_region, pick)
    chosen_label = ""
    if chosen:
        chosen_label = regions[chosen]["label"] if chosen in regions else sites[chosen].name
    options = _site_options(regions, regions_of_sites, sites, counts, chosen, chosen_label)
    return render(
        request,
        "bank/anatomy/surgeries.html",
        {
            "window": window,
            "notes": SURGERY_NOTES,
            "female": person.sex == Sex.FEMALE,
            "sex_label": person.get_sex_display(),
            "regions": regions,
            "other_regions": [r for r in regions.values() if not r["on_figure"]],
            "vertebrae": VERTEBRAE,
            "rows": rows,
            "headers": sort.headers(request),
            "sort": _sort_value(sort),
            "chosen": chosen,
            "chosen_label": chosen_label,
            "unknown_site": wanted if wanted and not chosen else "",
            "options": options,
            "all_href": _link(request, "site", ""),
        },
    )
