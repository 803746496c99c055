"""What each portal page shows, by the seed's categories (records.categories codes), in one
place: `portal_page` opens a page to a family member (identity.delegation) only when every
category it names was granted, and the menus, hubs and home page leave out the others.

A page not listed here is refused to family members (404): a new page is closed to them
until it is listed. bank/tests/test_family.py checks every portal URL is.
"""

from __future__ import annotations

from healthbank.bank.menu import Page

VISITS = ("outpatient", "inpatient", "dental", "tcm")

# Pages that read records: the categories they show (all must be granted).
PAGES: dict[str, tuple[str, ...]] = {
    # Frames and section hubs: no records of their own, they list what may be opened.
    "bank:home": (),
    "bank:personal": (),
    "bank:health": (),
    "bank:visits": (),
    "bank:labs": (),
    "bank:assessments": (),
    # 個人專區
    "bank:insurance": ("premium_bills",),  # enrolment, insured unit and amount
    "bank:cards": ("cards",),
    "bank:premiums": ("premium_bills", "premium_payments"),
    "bank:allergies": ("allergies",),
    "bank:wishes": ("wishes",),
    # The calendar shows visits and the reminders drawn from them beside the events.
    "bank:calendar": ("calendar", *VISITS),
    "bank:calendar_ics": ("calendar", *VISITS),
    # 健康資料
    "bank:measurements": ("measurements",),
    "bank:vaccinations": ("vaccinations",),
    "bank:western": ("outpatient",),
    "bank:inpatient": ("inpatient",),
    "bank:tcm": ("tcm",),
    "bank:dental": ("dental",),
    "bank:visit": VISITS,  # a visit of any kind, with its orders
    "bank:medications": VISITS,
    "bank:refills": ("outpatient",),
    "bank:surgeries": VISITS,
    "bank:glucose_lipids": ("labs",),
    "bank:other_labs": ("labs",),
    "bank:lab_trend": ("labs",),
    "bank:reports": ("reports",),
    "bank:discharge_summaries": ("discharge_summaries",),
    "bank:discharge_summary": ("discharge_summaries",),
    "bank:preventive": ("preventive",),
    # 疾病評估: scored from the person's laboratory results
    "bank:liver_risk": ("labs",),
    "bank:kidney_risk": ("labs",),
    # Risk prediction: values from labs, preventive checks and measurements; diagnoses and
    # drugs from visits say whether the model applies and whether BP is treated.
    "bank:diabetes_risk": ("labs", "preventive", "measurements", *VISITS),
    "bank:heart_risk": ("labs", "preventive", "measurements", *VISITS),
}

# Pages that only change the person's own entries or ask for a package: family access is
# read-only, so a family member gets 403 with the reason (any POST by one is refused too).
WRITES = frozenset(
    {
        "bank:event_new",
        "bank:event_edit",
        "bank:event_delete",
        "bank:measurement_delete",
        "downloads:home",
        "downloads:file",
        "downloads:retry",
    }
)

# Pages about the person, not their records (the access record, apps, family access): the
# person's own, never a family member's (404), like any page not listed above.
OWNER_ONLY = frozenset(
    {
        "bank:access",
        "bank:readers",
        "bank:readers_csv",
        "bank:apps",
        "bank:revoke_app",
        "downloads:list",
    }
)

# The signed-in person's own family-access pages (portal.own_page): they open the viewer's
# own portal whoever's records were open, and are no read of anyone's records.
VIEWERS_OWN = frozenset(
    {
        "bank:family",
        "bank:family_offer",
        "bank:family_renew",
        "bank:family_end",
        "bank:family_accept",
    }
)


def may_open(view: str, granted: frozenset[str] | None) -> bool:
    """Whether a page may be shown to someone granted these categories (None: everything)."""
    if granted is None:
        return True
    needed = PAGES.get(view)
    return needed is not None and granted.issuperset(needed)


def openable(pages: tuple[Page, ...], granted: frozenset[str] | None) -> tuple[Page, ...]:
    """The pages one granted these categories may open, each with its openable children; a
    section left with nothing to open is left out."""
    kept = []
    for page in pages:
        children = openable(page.children, granted)
        emptied = any(c.in_menu for c in page.children) and not any(c.in_menu for c in children)
        if may_open(page.view, granted) and not emptied:
            kept.append(Page(page.view, page.label, children, page.hint, page.in_menu))
    return tuple(kept)
