"""The download page: request with the password, the list's statuses, the file only to its
owner."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
import pyzipper
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from healthbank.downloads.models import PackageRequest
from healthbank.files.tests.stores import IN_DATABASE
from healthbank.people.models import Person
from tests.fixtures.personas import CHEN, LIN, LIN_HUSBAND, LIN_SON, PASSWORD

pytestmark = pytest.mark.django_db
HOME = "/bank/downloads/"


@pytest.fixture(autouse=True)
def download_dir(settings, tmp_path):
    settings.DOWNLOAD_DIR = tmp_path / "downloads"


def english(client):
    client.cookies["django_language"] = "en"
    return client


def ask(client, django_capture_on_commit_callbacks, password=PASSWORD, **boxes):
    data = {"password": password, **boxes}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(HOME, data)


def made(client, django_capture_on_commit_callbacks) -> PackageRequest:
    response = ask(client, django_capture_on_commit_callbacks, c_labs="on", c_dental="on")
    assert response.status_code == 302
    call_command("worker", "--batch", "--interval", "0.01")
    return PackageRequest.objects.latest("pk")


def test_the_page_lists_every_category_with_its_period_and_the_password_rule(client, sign_in):
    sign_in(english(client), CHEN)
    page = client.get(HOME).content.decode()
    for label in (
        "NHI card status and issuance records",
        "Premium billing",
        "Dental records",
        "My measurements",
        "Vaccinations",
    ):
        assert label in page
    assert "first letter in upper case" in page
    assert reverse("downloads:home") in page  # the menu's 下載服務


def test_a_request_needs_the_password_again_and_a_category(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in(english(client), CHEN)
    response = ask(client, django_capture_on_commit_callbacks, password="wrong", c_labs="on")
    assert response.status_code == 200
    assert "The registration password is wrong." in response.content.decode()
    response = ask(client, django_capture_on_commit_callbacks)
    assert "Choose at least one category." in response.content.decode()
    assert not PackageRequest.objects.exists()


def test_too_many_wrong_passwords_sign_out_without_locking(
    client, sign_in, settings, django_capture_on_commit_callbacks
):
    chen = sign_in(english(client), CHEN)
    for _attempt in range(settings.REAUTH_FAILURE_LIMIT - 1):
        page = ask(client, django_capture_on_commit_callbacks, password="wrong", c_labs="on")
        assert page.status_code == 200
    response = ask(client, django_capture_on_commit_callbacks, password="wrong", c_labs="on")

    assert response["Location"] == reverse("identity:login")
    assert "you have been signed out" in client.get(response["Location"]).content.decode()
    assert client.get(HOME).status_code == 302
    assert not PackageRequest.objects.exists()
    chen.account.refresh_from_db()
    assert (chen.account.failed_logins, chen.account.is_locked) == (0, False)


def test_request_then_download_the_ready_file(client, sign_in, django_capture_on_commit_callbacks):
    chen = sign_in(english(client), CHEN)
    package = made(client, django_capture_on_commit_callbacks)
    assert (package.person, package.status) == (chen, PackageRequest.Status.READY)
    listed = client.get(reverse("downloads:list")).content.decode()
    assert package.file_name in listed and "Ready to download" in listed
    assert "hx-trigger" not in listed  # nothing in flight: the list stops refreshing
    response = client.get(reverse("downloads:file", args=[package.pk]))
    assert response.status_code == 200
    assert quote(package.file_name) in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


@pytest.fixture
def files_in_the_database(database_files, settings, tmp_path):
    """FILE_STORAGE=database, with 4 KiB chunks so that a package spans several, and this
    host's scratch folder watched."""
    downloads = {"BACKEND": IN_DATABASE["downloads"]["BACKEND"]}
    downloads["OPTIONS"] = {"bucket": "downloads", "chunk_bytes": 4096}
    settings.STORAGES = {**settings.STORAGES, "downloads": downloads}
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "scratch"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()


def test_a_package_the_worker_kept_in_the_database_downloads_whole_from_the_portal(
    client, sign_in, settings, django_capture_on_commit_callbacks, files_in_the_database
):
    """What a worker on one host made, a web process on another serves: nothing of it is
    on any local disk, and the file that arrives is the one made, byte for byte."""
    sign_in(english(client), CHEN)
    package = made(client, django_capture_on_commit_callbacks)
    assert package.status == PackageRequest.Status.READY and package.size > 3 * 4096
    assert not settings.DOWNLOAD_DIR.exists()
    assert not any(settings.FILE_UPLOAD_TEMP_DIR.iterdir())

    response = client.get(reverse("downloads:file", args=[package.pk]))
    assert response.status_code == 200
    assert int(response["Content-Length"]) == package.size
    data = b"".join(response.streaming_content)
    assert len(data) == package.size
    archive = pyzipper.AESZipFile(io.BytesIO(data))
    archive.setpassword(CHEN.encode())
    assert archive.testzip() is None  # every member's CRC checks: the bytes made
    assert "README.txt" in archive.namelist()
    assert not settings.DOWNLOAD_DIR.exists()


@pytest.mark.parametrize("files", ["disk", "database"])
def test_a_package_whose_file_is_gone_is_not_found(
    client, sign_in, request, files, django_capture_on_commit_callbacks
):
    if files == "database":
        request.getfixturevalue("files_in_the_database")
    sign_in(english(client), CHEN)
    package = made(client, django_capture_on_commit_callbacks)
    storages["downloads"].delete(package.stored_as)
    assert client.get(reverse("downloads:file", args=[package.pk])).status_code == 404


def test_a_waiting_package_makes_the_list_refresh_itself(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in(english(client), CHEN)
    ask(client, django_capture_on_commit_callbacks, c_labs="on")  # no worker run: waiting
    listed = client.get(reverse("downloads:list")).content.decode()
    assert "Waiting" in listed and 'hx-trigger="every 3s"' in listed


def test_someone_elses_package_is_404(
    client, sign_in, outsider, django_capture_on_commit_callbacks
):
    sign_in(client, CHEN)
    package = made(client, django_capture_on_commit_callbacks)
    assert outsider.get(reverse("downloads:file", args=[package.pk])).status_code == 404
    assert outsider.post(reverse("downloads:retry", args=[package.pk])).status_code == 404
    assert package.file_name not in outsider.get(HOME).content.decode()


def test_a_childs_package_is_the_parents_to_request_and_not_the_other_parents(
    client, sign_in, django_capture_on_commit_callbacks
):
    from django.test import Client

    sign_in(client, LIN)
    son = Person.objects.get(national_id=LIN_SON)
    client.post(reverse("bank:switch"), {"person": son.pk})
    package = made(client, django_capture_on_commit_callbacks)
    assert package.person == son
    assert client.get(reverse("downloads:file", args=[package.pk])).status_code == 200
    father = Client()
    sign_in(father, LIN_HUSBAND)
    assert father.get(reverse("downloads:file", args=[package.pk])).status_code == 404


def test_an_expired_package_is_shown_expired_and_no_longer_served(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in(english(client), CHEN)
    package = made(client, django_capture_on_commit_callbacks)
    PackageRequest.objects.filter(pk=package.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(reverse("downloads:file", args=[package.pk])).status_code == 404
    assert "Expired" in client.get(reverse("downloads:list")).content.decode()


def test_the_page_is_a_few_queries_however_many_packages(
    client, sign_in, django_assert_max_num_queries
):
    chen = sign_in(client, CHEN)
    PackageRequest.objects.bulk_create(
        PackageRequest(
            person=chen, requested_by=chen, categories=[], serial=i, file_name=f"{i}.zip"
        )
        for i in range(30)
    )
    with django_assert_max_num_queries(8):
        assert client.get(HOME).status_code == 200


def test_a_refused_request_is_explained_in_chinese_too(
    client, sign_in, django_capture_on_commit_callbacks
):
    sign_in(client, CHEN)  # the site's default language
    page = ask(client, django_capture_on_commit_callbacks, password="wrong", c_labs="on")
    assert "註冊密碼錯誤。" in page.content.decode()
    page = ask(client, django_capture_on_commit_callbacks)
    assert "請至少勾選一項存摺種類。" in page.content.decode()
    assert not PackageRequest.objects.exists()
