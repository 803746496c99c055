"""The numbers of issue 25's consent: how long a person may let an app read their records."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

# The periods the consent screen offers; a grant lasts at most a year (issue 25), after which
# the app must ask again. Refresh tokens die with the grant.
GRANT_PERIODS: dict[str, tuple[dt.timedelta, object]] = {
    "1d": (dt.timedelta(days=1), _("1 day")),
    "1m": (dt.timedelta(days=30), _("1 month")),
    "3m": (dt.timedelta(days=91), _("3 months")),
    "1y": (dt.timedelta(days=365), _("1 year")),
}
DEFAULT_GRANT_PERIOD = "3m"
MAX_GRANT = dt.timedelta(days=365)
# Developers' sign-in (/developers/): as long as Django's own validators want (staff rules),
# since a developer's password guards every app they registered.
DEVELOPER_APPS_MAX = 20  # apps one developer may register (the staff review queue's sake)
