"""Third-party apps as the staff pages show them, in our languages.

django-tasks' database backend names its app in English only, so INSTALLED_APPS lists the
config below instead of its own; its models' names are msgids of its own, which our
catalogue translates (LOCALE_PATHS comes before any app's locale).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    default = False  # listed by its path in INSTALLED_APPS
    # Django takes a lazy name; TasksAppConfig's own is a plain str.
    verbose_name = _("Background tasks")  # type: ignore[assignment]


# django-tasks' msgids, named here so that makemessages keeps their translations.
TASKS_MSGIDS = (
    _("Task Result"), _("Task Results"), _("status"), _("enqueued at"), _("started at"),
    _("finished at"), _("args kwargs"), _("priority"), _("task path"), _("worker id"),
    _("queue name"), _("backend name"), _("run after"), _("return value"),
    _("exception class path"), _("traceback"),
    pgettext_lazy("Task", "Ready"), pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"), pgettext_lazy("Task", "Successful"),
)  # fmt: skip
