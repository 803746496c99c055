"""The portal's menus as the seed has them (個人專區 / 健康資料 / 疾病評估 / 下載服務), in one
place: the navigation, the breadcrumbs (現在位置) and the section hubs are drawn from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Page:
    view: str  # URL name
    label: StrOrPromise
    children: tuple[Page, ...] = ()
    hint: StrOrPromise = ""  # a line under the link on section hubs
    in_menu: bool = True  # detail pages appear in breadcrumbs only


HOME = Page("bank:home", _("My home page"))

SECTIONS: tuple[Page, ...] = (
    Page(
        "bank:personal",
        _("Personal"),
        (
            Page(
                "bank:insurance",
                _("Insurance status"),
                hint=_("Enrolment, insured unit and amount"),
            ),
            Page("bank:cards", _("NHI card and issuance records")),
            Page("bank:premiums", _("Premium bills and payments")),
            Page(
                "bank:allergies",
                _("Allergies"),
                hint=_("Drug allergies providers uploaded to your NHI card"),
            ),
            Page(
                "bank:wishes",
                _("Organ donation and hospice wishes"),
                hint=_("As noted on your NHI card"),
            ),
            Page(
                "bank:access",
                _("Access record"),
                hint=_("Sign-ins, reads and changes of your account and records"),
            ),
            Page(
                "bank:readers",
                _("Who read my data"),
                hint=_(
                    "Every read of your records: by you, a parent, apps, clinics and NHIA staff"
                ),
            ),
            Page(
                "bank:apps",
                _("App access"),
                hint=_("Apps you let read your records; take access back"),
            ),
            Page(
                "bank:family",
                _("Family access"),
                hint=_("Let an adult family member see your records; see theirs"),
            ),
            Page(
                "bank:calendar",
                _("My calendar"),
                (
                    Page("bank:event_new", _("New event"), in_menu=False),
                    Page("bank:event_edit", _("Change event"), in_menu=False),
                ),
            ),
        ),
    ),
    Page(
        "bank:health",
        _("Health data"),
        (
            Page("bank:measurements", _("Measurements and reminders")),
            Page("bank:vaccinations", _("Vaccinations")),
            Page(
                "bank:visits",
                _("Medical visits"),
                (
                    Page("bank:inpatient", _("Inpatient stays")),
                    Page("bank:western", _("Western-medicine outpatient")),
                    Page("bank:tcm", _("Chinese-medicine outpatient")),
                    Page("bank:dental", _("Dental outpatient")),
                    Page("bank:surgeries", _("Surgeries")),
                    Page("bank:medications", _("Medications")),
                    Page("bank:refills", _("Chronic refill prescriptions")),
                    Page("bank:visit", _("Visit details"), in_menu=False),
                ),
            ),
            Page(
                "bank:labs",
                _("Test results"),
                (
                    Page("bank:glucose_lipids", _("Blood glucose and lipids")),
                    Page("bank:other_labs", _("Other tests"), hint=_("For example urine tests")),
                    Page(
                        "bank:reports",
                        _("Imaging and pathology reports"),
                        hint=_("For example X-rays"),
                    ),
                    Page(
                        "bank:discharge_summaries",
                        _("Discharge summaries"),
                        (Page("bank:discharge_summary", _("Discharge summary"), in_menu=False),),
                    ),
                    Page("bank:lab_trend", _("Results over time"), in_menu=False),
                ),
            ),
            Page("bank:preventive", _("Adult preventive care")),
        ),
    ),
    Page(
        "bank:assessments",
        _("Disease risk"),
        (
            Page("bank:liver_risk", _("Liver-cancer risk")),
            Page("bank:kidney_risk", pgettext_lazy("menu", "Chronic kidney disease prognosis")),
            Page("bank:diabetes_risk", _("Diabetes risk prediction")),
            Page("bank:heart_risk", _("Heart disease and stroke risk prediction")),
        ),
    ),
    Page("downloads:home", _("Download service")),
)


def find(view: str) -> Page | None:
    trail = _trail(view, SECTIONS)
    return trail[-1] if trail else None


def breadcrumbs(view: str) -> list[Page]:
    """現在位置: my home page > section > … > this page."""
    return [HOME, *_trail(view, SECTIONS)] if view != HOME.view else [HOME]


def _trail(view: str, pages: tuple[Page, ...]) -> list[Page]:
    for page in pages:
        if page.view == view:
            return [page]
        below = _trail(view, page.children)
        if below:
            return [page, *below]
    return []
