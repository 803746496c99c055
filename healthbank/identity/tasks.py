"""Background work of the identity app, run by `healthbank worker`."""

from __future__ import annotations

from django_tasks import task

from healthbank.identity import services


@task()
def delete_expired_sessions() -> None:
    services.delete_expired_sessions()
