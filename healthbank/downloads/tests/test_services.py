"""Requesting, making, expiring and retrying record packages, with the real worker."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import pyzipper
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from healthbank.core.rocdate import to_roc
from healthbank.downloads import documents, generation, services
from healthbank.downloads.models import PackageRequest
from healthbank.files.models import FileChunk, StoredFile
from healthbank.files.tests.stores import read_stored, stored_names
from healthbank.people.models import Person
from healthbank.records.rules import record_window
from healthbank.records.selectors.anatomy import dental_visits
from tests.fixtures.personas import CHEN, LIN, LIN_SON, WU

pytestmark = pytest.mark.django_db
Status = PackageRequest.Status
ALL_MERGED = [{"code": "outpatient"}, {"code": "labs"}, {"code": "vaccinations"}]


@pytest.fixture(autouse=True)
def download_dir(settings, tmp_path):
    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    return settings.DOWNLOAD_DIR


def person(national_id: str) -> Person:
    return Person.objects.get(national_id=national_id)


def run_worker() -> None:
    call_command("worker", "--batch", "--interval", "0.01")


def requested(who: Person, choices, django_capture_on_commit_callbacks, by=None):
    with django_capture_on_commit_callbacks(execute=True):
        return services.request_package(person=who, requested_by=by or who, choices=choices)


def opened(package: PackageRequest, password: str) -> pyzipper.AESZipFile:
    data = read_stored("downloads", package.stored_as)
    archive = pyzipper.AESZipFile(io.BytesIO(data))
    archive.setpassword(password.encode())
    return archive


def test_a_package_is_made_by_the_worker_and_opens_with_the_national_id(
    personas, django_capture_on_commit_callbacks
):
    chen = person(CHEN)
    package = requested(chen, ALL_MERGED, django_capture_on_commit_callbacks)
    assert package.status == Status.PENDING
    today = timezone.localdate()
    assert package.file_name == f"健康存摺_{to_roc(today).replace('/', '')}_1.zip"

    run_worker()
    package.refresh_from_db()
    assert package.status == Status.READY
    assert package.expires_at - package.finished_at == dt.timedelta(days=7)
    archive = opened(package, "A123456789")
    names = set(archive.namelist())
    assert {"README.txt", "healthbank-package.xsd"} <= names
    assert sum(n.endswith(".html") for n in names) == 3
    assert sum(n.endswith(".xml") for n in names) == 3
    assert sum(n.endswith(".json") for n in names) == 3
    assert all(archive.read(n) for n in names)  # every file decrypts
    with pytest.raises(RuntimeError):
        opened(package, "a123456789").read("README.txt")  # lower-case first letter: refused


def test_the_apps_request_is_every_category_merged(personas, django_capture_on_commit_callbacks):
    chen = person(CHEN)
    with django_capture_on_commit_callbacks(execute=True):
        package = services.request_everything(person=chen, requested_by=chen)
    run_worker()
    package.refresh_from_db()
    assert package.status == Status.READY
    assert len(package.categories) == 16
    assert {c["mode"] for c in package.categories} == {"merged"}


def test_the_days_serial_counts_up(personas, django_capture_on_commit_callbacks):
    chen = person(CHEN)
    first = requested(chen, [{"code": "labs"}], django_capture_on_commit_callbacks)
    second = requested(chen, [{"code": "labs"}], django_capture_on_commit_callbacks)
    assert (first.serial, second.serial) == (1, 2)
    assert second.file_name.endswith("_2.zip")


def test_single_month_data_gives_a_file_a_month(personas, django_capture_on_commit_callbacks):
    chen = person(CHEN)
    package = requested(
        chen, [{"code": "dental", "mode": "monthly"}], django_capture_on_commit_callbacks
    )
    run_worker()
    package.refresh_from_db()
    window = record_window(timezone.localdate())
    months = {
        f"{v.visit_date.year - 1911}年{v.visit_date.month:02d}月"
        for v in dental_visits(chen, window, tooth=None, order_by=["-visit_date"])
    }
    htmls = {n for n in opened(package, CHEN).namelist() if n.endswith(".html")}
    assert months and {n.rsplit("_", 1)[1].removesuffix(".html") for n in htmls} == months


def test_the_package_holds_what_the_dental_page_shows(personas, django_capture_on_commit_callbacks):
    chen = person(CHEN)
    package = requested(chen, [{"code": "dental"}], django_capture_on_commit_callbacks)
    run_worker()
    package.refresh_from_db()
    archive = opened(package, CHEN)
    xml = next(archive.read(n) for n in archive.namelist() if n.endswith(".xml")).decode()
    shown = dental_visits(
        chen, record_window(timezone.localdate()), tooth=None, order_by=["-visit_date"]
    )
    assert shown
    for visit in shown:
        assert visit.visit_date.isoformat() in xml


def test_nothing_to_package_is_shown_as_no_data_without_a_file(
    personas, django_capture_on_commit_callbacks, download_dir
):
    package = requested(person(WU), [{"code": "inpatient"}], django_capture_on_commit_callbacks)
    run_worker()
    package.refresh_from_db()
    assert package.status == Status.EMPTY and not package.stored_as
    assert not stored_names("downloads")


def test_a_parent_requests_a_childs_package_opened_with_the_childs_id(
    personas, django_capture_on_commit_callbacks
):
    mother, son = person(LIN), person(LIN_SON)
    package = requested(
        son, [{"code": "vaccinations"}], django_capture_on_commit_callbacks, by=mother
    )
    run_worker()
    package.refresh_from_db()
    assert (package.person, package.requested_by, package.status) == (son, mother, Status.READY)
    assert opened(package, LIN_SON).read("README.txt")


def test_at_most_three_requests_in_flight(personas, django_capture_on_commit_callbacks):
    chen = person(CHEN)
    for _ in range(3):
        requested(chen, [{"code": "labs"}], django_capture_on_commit_callbacks)
    with pytest.raises(services.DownloadError) as refused:
        requested(chen, [{"code": "labs"}], django_capture_on_commit_callbacks)
    assert refused.value.code == "too_many"
    assert PackageRequest.objects.filter(person=chen).count() == 3


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        ([], "nothing_chosen"),
        ([{"code": "nonsense"}], "unknown_category"),
        ([{"code": "cards", "mode": "monthly"}], "no_monthly"),
        ([{"code": "labs", "mode": "weekly"}], "unknown_mode"),
        ([{"code": "labs"}, {"code": "labs"}], "unknown_category"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_queued(personas, choices, code):
    with pytest.raises(services.DownloadError) as refused:
        services.request_package(person=person(CHEN), requested_by=person(CHEN), choices=choices)
    assert refused.value.code == code
    assert not PackageRequest.objects.exists()


def test_a_failed_generation_is_failed_not_ready_leaves_no_file_and_can_be_retried(
    personas, django_capture_on_commit_callbacks, download_dir, monkeypatch
):
    chen = person(CHEN)
    real = documents.xml_file

    def broken(*args):
        raise ValueError("disk full")

    monkeypatch.setattr(documents, "xml_file", broken)
    package = requested(chen, [{"code": "labs"}], django_capture_on_commit_callbacks)
    run_worker()
    package.refresh_from_db()
    assert package.status == Status.FAILED and "disk full" in package.error
    assert not stored_names("downloads")  # neither a package nor a half one
    assert not package.stored_as

    monkeypatch.setattr(documents, "xml_file", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(person=chen, package_id=package.pk)
    run_worker()
    package.refresh_from_db()
    assert package.status == Status.READY


def left_running(chen: Person, started_at: dt.datetime) -> tuple[PackageRequest, str]:
    """A package its worker was killed while making: the row running, a half file stored."""
    half = storages["downloads"].save(f"{chen.pk}/abc.zip", ContentFile(b"PK half"))
    stuck = PackageRequest.objects.create(
        person=chen,
        requested_by=chen,
        categories=[{"code": "labs", "mode": "merged"}],
        serial=1,
        file_name="x.zip",
        status=Status.RUNNING,
        started_at=started_at,
        stored_as=half,
    )
    return stuck, half


def test_a_killed_worker_leaves_no_package_and_is_cleaned_up(personas):
    """A worker killed mid-write leaves a row stuck running and perhaps a half file under
    the name the row holds; the clean-up an hour later marks the row failed and removes
    the half file."""
    stuck, half = left_running(person(CHEN), timezone.now() - dt.timedelta(hours=2))
    generation.delete_expired()
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED and not stuck.stored_as
    assert not storages["downloads"].exists(half)


def test_a_package_whose_worker_died_is_made_afresh_when_its_task_runs_again(personas):
    """The task of a worker that died is queued again (operations/liveness.py): the package
    is made anew, and the half file of the first try is gone."""
    stuck, half = left_running(person(CHEN), timezone.now())

    generation.generate(stuck.pk)

    stuck.refresh_from_db()
    assert stuck.status == Status.READY and stuck.stored_as != half
    assert stored_names("downloads") == [stuck.stored_as]
    assert pyzipper.AESZipFile(io.BytesIO(read_stored("downloads", stuck.stored_as))).namelist()


def test_packages_expire_after_seven_days_and_their_files_are_deleted(
    personas, django_capture_on_commit_callbacks
):
    chen = person(CHEN)
    package = requested(chen, [{"code": "labs"}], django_capture_on_commit_callbacks)
    run_worker()
    package.refresh_from_db()
    name = package.stored_as
    assert stored_names("downloads") == [name]

    generation.delete_expired(now=package.finished_at + dt.timedelta(days=6, hours=23))
    package.refresh_from_db()
    assert package.status == Status.READY and storages["downloads"].exists(name)

    later = package.finished_at + dt.timedelta(days=7, seconds=1)
    assert not package.is_downloadable(later)
    assert generation.delete_expired(now=later) == 1
    package.refresh_from_db()
    assert package.status == Status.EXPIRED and not stored_names("downloads")


def test_an_expired_package_kept_in_the_database_leaves_no_chunk_behind(
    personas, django_capture_on_commit_callbacks, database_files, settings
):
    chen = person(CHEN)
    package = requested(chen, [{"code": "labs"}], django_capture_on_commit_callbacks)
    run_worker()
    package.refresh_from_db()
    assert FileChunk.objects.filter(file__name=package.stored_as).exists()
    assert not settings.DOWNLOAD_DIR.exists()
    assert generation.delete_expired(now=package.finished_at + dt.timedelta(days=7, seconds=1))
    kept = StoredFile.objects.filter(bucket="downloads")
    assert not kept.exists() and not FileChunk.objects.filter(file__bucket="downloads").exists()
