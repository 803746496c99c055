"""Background work of the download service, run by `healthbank worker`; queued by
services.py, done by generation.py."""

from __future__ import annotations

from django_tasks import task

from healthbank.downloads import generation


@task()
def generate_package(package_id: int) -> str:
    return generation.generate(package_id).status


@task()
def delete_expired_packages() -> int:
    return generation.delete_expired()
