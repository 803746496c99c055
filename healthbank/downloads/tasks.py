"""Background work of the download service, run by `healthbank worker`."""

from __future__ import annotations

from django_tasks import task

from healthbank.downloads import services


@task()
def generate_package(package_id: int) -> str:
    return services.generate(package_id).status


@task()
def delete_expired_packages() -> int:
    return services.delete_expired()
