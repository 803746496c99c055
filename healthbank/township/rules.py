"""The rules of 申辦公所加保、轉出、停保、復保 (seed 000, the e-services list: "申辦符合投保
在公所之第六類被保險人加保、轉出、停保、復保作業"), each named once with its source.

Sources beyond the seed: the NHI Act (全民健康保險法) and its Enforcement Rules
(全民健康保險法施行細則); where a bound is this service's own (how far ahead or back a date
may be), it says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from healthbank.core.months import add_months
from healthbank.core.templatetags.rocdate import rocdate
from healthbank.people.models import Enrolment, InsuredCategory, InsuredUnit

# Who applies here: the regional population insured through the township office (NHI Act
# art. 10, category 6 第二目, insured at 鄉鎮市區公所; seed 000 "投保在公所之第六類被保險人").
CATEGORY = InsuredCategory.REGIONAL
OFFICE_KIND = InsuredUnit.Kind.OFFICE
# Category 6 has no salary: its premium is a fixed amount (people.premiums.REGIONAL_PREMIUM);
# the synthetic population records its insured amount as 0, and so do we.
REGIONAL_INSURED_AMOUNT = 0

# 停保: "預定出國六個月以上者" may suspend their cover (施行細則 art. 39, para. 1, sub-para. 2).
MONTHS_ABROAD_TO_SUSPEND = 6
# ... "但曾辦理出國停保，於返國復保後應屆滿三個月，始得再次辦理停保" (same article).
MONTHS_BEFORE_SUSPENDING_AGAIN = 3
# Back within six months of leaving: the suspension is cancelled (註銷停保) and the months
# away are billed after all (NHIA's rule for 出國未滿六個月返國).
# 停保 is filed before leaving (NHIA: 應於出國前辦理): the departure date is today or later,
# at most this many days ahead (this service's own bound, so that plans are firm).
DEPARTURE_AHEAD_DAYS = 90
# 加保 and 轉出 may be dated back to when the cover changed, at most this far (this
# service's own bound; older changes go to the township office's counter).
BACKDATE_MONTHS = 1
# ... and ahead at most this many days (this service's own bound).
AHEAD_DAYS = 30
# 復保 runs from the day of return (施行細則 art. 39: 返國後復保), which has happened: today or
# earlier, after the departure.

# Premiums are counted by month (NHI Act art. 30: 保險費按月計收). The month of a change goes
# to the new state: suspended or transferred out from month M, M is no longer billed here;
# enrolled or resumed from month M, M is billed in full.


class Kind(models.TextChoices):
    ENROL = "enrol", _("Enrol (加保)")
    TRANSFER_OUT = "transfer_out", _("Transfer out (轉出)")
    SUSPEND = "suspend", _("Suspend while abroad (停保)")
    RESUME = "resume", _("Resume on return (復保)")


class TransferReason(models.TextChoices):
    # Registered address moved to another township: 轉出, then 轉入 at its office.
    MOVED = "moved", _("I moved my household registration to another township")
    # A job, union or association insures them now (they enrol them).
    OTHER_INSURER = "other_insurer", _("Another insured unit (job, union) insures me now")


REFUSALS = {
    "pending": _(
        "You have an application under review. Wait for its decision before you file another."
    ),
    "no_household": _(
        "Township office enrolment needs a registered household (戶籍) in Taiwan; we have none "
        "on record for you. Ask your household registration office."
    ),
    "no_office": _(
        "We find no township office for your registered address. Call NHIA's service line "
        "0800-030598."
    ),
    "insured_now": _(
        "You are insured now (%(unit)s), so you cannot enrol at the township office. When "
        "that cover ends, apply here."
    ),
    "not_insured": _(
        "You have no cover now. To be insured at the township office, apply to enrol."
    ),
    "not_here": _(
        "Only category 6 insured people of a township office apply here; you are insured "
        "through %(unit)s, which files your changes."
    ),
    "dependant": _(
        "You are insured as a dependant of %(insured)s, who files changes for you both."
    ),
    "suspended": _("Your cover is suspended since %(date)s. Apply to resume it when you are back."),
    "ending": _(
        "Your cover here ends on %(date)s, by a change already approved. File again after that "
        "day if you need another change."
    ),
    "not_suspended": _("Your cover is not suspended, so there is nothing to resume."),
    # Refused at approval (shown to staff), when the application no longer passes filing's checks.
    "settled_since": _(
        "The premium for %(month)s, from the effective date on, has been paid, put in an "
        "instalment plan or sent to the bank in a direct debit since the application was "
        "filed: approving would leave it paid for a month no longer owed. Nothing was changed. "
        "Reject the application with this reason, or, for a debit, decide again after the "
        "bank's answer."
    ),
    "dates_as_filed": _(
        "Checked as on the day it was filed (%(filed)s), the application's dates do not pass "
        "the rules: %(errors)s Nothing was changed; reject the application with this reason."
    ),
    "resumed_recently": _(
        "You resumed your cover on %(date)s. You may suspend it again from %(again)s "
        "(three months after resuming)."
    ),
}

DATE_ERRORS = {
    "future": _("This date is in the future. Enter the day it happened (today or earlier)."),
    "too_far_ahead": _("This date is too far ahead: enter a date no later than %(limit)s."),
    "too_far_back": _(
        "This date is too far back: enter a date from %(limit)s on, or go to your township "
        "office's counter."
    ),
    "before_period": _("This date is before your current cover began (%(start)s)."),
    "before_last_end": _("This date is before your last cover ended (%(end)s)."),
    "departed": _(
        "Suspension is filed before you leave: enter a departure date from today (%(today)s) on."
    ),
    "short_stay": _(
        "Suspension is for stays abroad of six months or more: the return date must be "
        "%(limit)s or later."
    ),
    "return_before_departure": _("The return date must be after your departure on %(departure)s."),
    "paid_months": _(
        "The premium for %(month)s is already paid, in an instalment plan or being paid by a "
        "direct debit; choose a date from %(first)s on, or ask your township office."
    ),
    "same_township": _(
        "Your registered address is still in %(township)s. Move your household registration "
        "first; the transfer goes to the office of your new township."
    ),
}


class Refused(Exception):
    """A kind of application that cannot be filed now; `message` says why, translated."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return str(REFUSALS[self.code]) % self.params if self.params else str(REFUSALS[self.code])


def date_error(code: str, **params: object) -> str:
    text = str(DATE_ERRORS[code])
    return text % params if params else text


@dataclass
class Standing:
    """Where the person stands today: their latest own enrolment and the township office of
    their registered address."""

    today: dt.date
    latest: Enrolment | None
    home_office: InsuredUnit | None
    has_household: bool
    pending: bool = False
    paid_months: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def in_force(self) -> bool:
        """Covered today (a suspension approved for a later departure still covers)."""
        e = self.latest
        return (
            e is not None
            and e.status != Enrolment.Status.WITHDRAWN
            and e.start_date <= self.today
            and (e.end_date is None or e.end_date >= self.today)
        )

    @property
    def suspended(self) -> bool:
        """Suspended, or a suspension approved for a departure still to come."""
        e = self.latest
        return e is not None and (
            e.status == Enrolment.Status.SUSPENDED
            or (
                e.status == Enrolment.Status.ACTIVE
                and e.end_date is not None
                and e.end_reason == Enrolment.EndReason.ABROAD
            )
        )

    @property
    def ending(self) -> bool:
        """Covered, but an approved change ends the cover here on a day still to come."""
        e = self.latest
        return (
            e is not None
            and self.in_force
            and not self.suspended
            and e.status == Enrolment.Status.ACTIVE
            and e.end_date is not None
        )

    @property
    def here(self) -> bool:
        """Insured (not as a dependant) in category 6 at a township office."""
        e = self.latest
        return (
            e is not None
            and e.role == Enrolment.Role.INSURED
            and e.category == CATEGORY
            and e.unit.kind == OFFICE_KIND
        )


def _date(day: dt.date) -> str:
    """ROC in Chinese, ISO in English (as pages show dates)."""
    return rocdate(day)


day_text = _date


def month_text(month: dt.date) -> str:
    """A month as pages show it: the date without its day."""
    return _date(month)[:-3]


def refusal(kind: str, s: Standing) -> Refused | None:
    """Why `kind` cannot be filed now, or None when it can."""
    if s.pending:
        return Refused("pending")
    e = s.latest
    if kind == Kind.ENROL:
        if not s.has_household:
            return Refused("no_household")
        if s.home_office is None:
            return Refused("no_office")
        if s.suspended and e is not None:
            return Refused("suspended", date=_date(_suspended_from(e)))
        if e is not None and s.in_force:
            return Refused("insured_now", unit=e.unit.name)
        return None
    if e is None or not (s.in_force or s.suspended):
        return Refused("not_insured")
    if e.role == Enrolment.Role.DEPENDANT:
        return Refused("dependant", insured=e.insured_person.name if e.insured_person else "")
    if not s.here:
        return Refused("not_here", unit=e.unit.name)
    if kind == Kind.RESUME:
        return None if s.suspended else Refused("not_suspended")
    if s.suspended:
        return Refused("suspended", date=_date(_suspended_from(e)))
    if s.ending and e.end_date is not None:
        return Refused("ending", date=_date(e.end_date))
    if kind == Kind.SUSPEND and e.start_reason == Enrolment.StartReason.RESUMED:
        again = add_months(e.start_date, MONTHS_BEFORE_SUSPENDING_AGAIN)
        if s.today < again:
            return Refused("resumed_recently", date=_date(e.start_date), again=_date(again))
    return None


def _suspended_from(e: Enrolment) -> dt.date:
    return e.end_date + dt.timedelta(days=1) if e.end_date else e.start_date


def earliest_back(today: dt.date) -> dt.date:
    return add_months(today, -BACKDATE_MONTHS).replace(day=1)


def date_errors(
    kind: str,
    s: Standing,
    *,
    effective: dt.date,
    expected_return: dt.date | None = None,
) -> dict[str, str]:
    """Field name -> message for dates this kind does not allow (empty when all are fine)."""
    today, e = s.today, s.latest
    errors: dict[str, str] = {}
    if kind == Kind.SUSPEND:
        if effective < today:
            errors["effective_date"] = date_error("departed", today=_date(today))
        elif effective > today + dt.timedelta(days=DEPARTURE_AHEAD_DAYS):
            limit = today + dt.timedelta(days=DEPARTURE_AHEAD_DAYS)
            errors["effective_date"] = date_error("too_far_ahead", limit=_date(limit))
        if expected_return is not None and "effective_date" not in errors:
            limit = add_months(effective, MONTHS_ABROAD_TO_SUSPEND)
            if expected_return < limit:
                errors["expected_return"] = date_error("short_stay", limit=_date(limit))
        return errors
    if kind == Kind.RESUME:
        departure = _suspended_from(e) if e is not None else today
        if effective > today:
            errors["effective_date"] = date_error("future")
        elif effective < departure or (e is not None and e.end_date and effective <= e.end_date):
            errors["effective_date"] = date_error(
                "return_before_departure", departure=_date(departure)
            )
        return errors
    # 加保 and 轉出: back to the day the cover changed, not too far either way.
    if effective > today + dt.timedelta(days=AHEAD_DAYS):
        limit = today + dt.timedelta(days=AHEAD_DAYS)
        errors["effective_date"] = date_error("too_far_ahead", limit=_date(limit))
    elif effective < earliest_back(today):
        errors["effective_date"] = date_error("too_far_back", limit=_date(earliest_back(today)))
    elif kind == Kind.ENROL and e is not None and e.end_date and effective <= e.end_date:
        errors["effective_date"] = date_error("before_last_end", end=_date(e.end_date))
    elif kind == Kind.TRANSFER_OUT and e is not None and effective <= e.start_date:
        errors["effective_date"] = date_error("before_period", start=_date(e.start_date))
    elif kind == Kind.TRANSFER_OUT:
        month = effective.replace(day=1)
        blocked = sorted(m for m in s.paid_months if m >= month)
        if blocked:
            first = add_months(blocked[-1], 1)
            errors["effective_date"] = date_error(
                "paid_months", month=month_text(blocked[0]), first=_date(first)
            )
    return errors


def returned_early(departure: dt.date, returned: dt.date) -> bool:
    """Back before six months abroad: the suspension is cancelled (註銷停保)."""
    return returned < add_months(departure, MONTHS_ABROAD_TO_SUSPEND)
