"""A licence's files, archived with versions: the services (versions, history, limits, the stored
file's mode), the screens (panel, upload, download headers, the confirmation before a deletion) and
the API (list, multipart upload, download, delete); callers never reach any of it."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import Licence, LicenceFile, LicenceFileVersion, LicenceHistoryEntry
from beheer.cmdb.queries import licence_files
from beheer.core.errors import DomainError, PermissionDenied
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

API = "/api/v1/cmdb/licences"
EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
CANARY = b"LICENCE-KEY-CANARY-7731"


def _upload(name: str = "key.txt", content: bytes = CANARY) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def licence(operator: User) -> Licence:
    return services.create_licence(
        actor=operator,
        data=services.LicenceData(
            product="Veeam", licence_model="site", start_date=date(2026, 1, 1), reference="PO-1"
        ),
    )


def test_the_same_name_again_is_a_new_version_and_the_old_one_stays(licence: Licence, operator: User) -> None:
    first = services.upload_licence_file(licence, actor=operator, upload=_upload(), name="Licence key")
    second = services.upload_licence_file(
        licence, actor=operator, upload=_upload("key2.txt", b"second key"), name="licence KEY", note="renewed"
    )
    assert first.licence_file_id == second.licence_file_id
    assert (first.number, second.number) == (1, 2)
    assert second.note == "renewed"
    assert second.uploaded_by == operator
    assert second.size == len(b"second key")
    assert Path(first.file.path).read_bytes() == CANARY  # the earlier version is kept
    other = services.upload_licence_file(licence, actor=operator, upload=_upload("cert.pdf", b"%PDF-1.4 x"))
    assert other.licence_file.name == "cert.pdf"
    assert other.number == 1
    actions = list(LicenceHistoryEntry.objects.filter(licence=licence).values_list("action", "new_value"))
    assert ("file_uploaded", "Licence key (2)") in actions


def test_the_stored_file_is_private_and_under_a_random_name(licence: Licence, operator: User) -> None:
    version = services.upload_licence_file(licence, actor=operator, upload=_upload("../../etc/passwd"))
    assert version.original_name == "passwd"
    assert "passwd" not in (version.file.name or "")
    path = Path(version.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_refusals(licence: Licence, operator: User, caller: User, settings: object) -> None:
    with pytest.raises(PermissionDenied):
        services.upload_licence_file(licence, actor=caller, upload=_upload())
    with pytest.raises(DomainError):
        services.upload_licence_file(licence, actor=operator, upload=_upload(content=b""))
    with pytest.raises(DomainError):
        services.upload_licence_file(
            licence, actor=operator, upload=_upload("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)
        )
    settings.MAX_ATTACHMENT_BYTES = 10  # type: ignore[attr-defined]
    with pytest.raises(DomainError):
        services.upload_licence_file(licence, actor=operator, upload=_upload(content=b"x" * 11))
    assert not LicenceFile.objects.exists()


def test_deleting_a_version_is_recorded_and_the_last_takes_the_name(
    licence: Licence, operator: User, django_capture_on_commit_callbacks: object
) -> None:
    one = services.upload_licence_file(licence, actor=operator, upload=_upload(), name="key")
    two = services.upload_licence_file(licence, actor=operator, upload=_upload(content=b"two"), name="key")
    path = Path(one.file.path)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.delete_licence_file_version(one, actor=operator)
    assert not path.exists()
    assert list(LicenceFileVersion.objects.values_list("number", flat=True)) == [2]
    row = LicenceHistoryEntry.objects.get(action="file_deleted")
    assert row.old_value == "key (1)"
    services.delete_licence_file_version(two, actor=operator)
    assert not LicenceFile.objects.exists()


def test_removing_the_licence_removes_its_stored_files(
    licence: Licence, operator: User, django_capture_on_commit_callbacks: object
) -> None:
    version = services.upload_licence_file(licence, actor=operator, upload=_upload())
    path = Path(version.file.path)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.delete_licence(licence, actor=operator, expected_version=None)
    assert not path.exists()


def test_the_panel_upload_download_and_confirmed_delete(licence: Licence, operator: User) -> None:
    web = client_for(operator)
    sent = web.post(
        f"/cmdb/licences/{licence.pk}/files/upload/", {"file": _upload(), "name": "Key", "note": "first"}
    )
    assert sent.status_code == 302
    web.post(f"/cmdb/licences/{licence.pk}/files/upload/", {"file": _upload(content=b"v2"), "name": "Key"})
    page = web.get(f"/cmdb/licences/{licence.pk}/", **EN).content.decode()
    assert "data-licence-files" in page
    assert page.count("data-file-version=") == 2
    old = LicenceFileVersion.objects.get(number=1)
    download = web.get(f"/cmdb/licences/files/{old.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CANARY  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/octet-stream"
    confirm = web.get(f"/cmdb/licences/files/{old.pk}/delete/", **EN)
    assert confirm.status_code == 200
    assert "Delete version 1 of Key" in confirm.content.decode()
    unconfirmed = web.post(f"/cmdb/licences/files/{old.pk}/delete/", {})
    assert unconfirmed.status_code == 200
    assert LicenceFileVersion.objects.filter(pk=old.pk).exists()
    done = web.post(f"/cmdb/licences/files/{old.pk}/delete/", {"confirm": "on"})
    assert done.status_code == 302
    assert not LicenceFileVersion.objects.filter(pk=old.pk).exists()


def test_the_api_lists_uploads_downloads_and_deletes(licence: Licence, operator: User) -> None:
    api = client_for(operator)
    created = api.post(f"{API}/{licence.pk}/files", {"file": _upload(), "name": "Key", "note": "n"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["note"], body["size"]) == (1, "n", len(CANARY))
    again = api.post(f"{API}/{licence.pk}/files", {"file": _upload(content=b"v2"), "name": "Key"})
    assert again.status_code == 201, again.content
    assert again.json()["number"] == 2
    listed = api.get(f"{API}/{licence.pk}/files").json()
    assert [(f["name"], [v["number"] for v in f["versions"]]) for f in listed] == [("Key", [2, 1])]
    download = api.get(listed[0]["versions"][1]["download_url"])
    assert b"".join(download.streaming_content) == CANARY  # type: ignore[attr-defined]
    assert download["X-Content-Type-Options"] == "nosniff"
    empty = api.post(f"{API}/{licence.pk}/files", {"file": _upload(content=b"")})
    assert empty.status_code == 400
    assert api.delete(f"{API}/file-versions/{body['id']}").status_code == 204
    assert api.get(f"{API}/file-versions/{body['id']}/download").status_code == 404


def test_a_caller_reaches_no_licence_file_by_any_route(
    licence: Licence, operator: User, caller: User
) -> None:
    version = services.upload_licence_file(licence, actor=operator, upload=_upload())
    as_caller = client_for(caller)
    for url in (
        f"/cmdb/licences/{licence.pk}/",
        f"/cmdb/licences/files/{version.pk}/download/",
        f"/cmdb/licences/files/{version.pk}/delete/",
        f"{API}/{licence.pk}/files",
        f"{API}/file-versions/{version.pk}/download",
    ):
        response = as_caller.get(url)
        assert response.status_code in {403, 404}, url
        assert CANARY not in b"".join(getattr(response, "streaming_content", [response.content]))
    assert as_caller.post(f"/cmdb/licences/{licence.pk}/files/upload/", {"file": _upload()}).status_code in {
        403,
        404,
    }
    assert as_caller.post(f"{API}/{licence.pk}/files", {"file": _upload()}).status_code in {403, 404}
    assert as_caller.delete(f"{API}/file-versions/{version.pk}").status_code in {403, 404}
    assert as_caller.post(f"/cmdb/licences/files/{version.pk}/delete/", {"confirm": "on"}).status_code in {
        403,
        404,
    }
    assert LicenceFileVersion.objects.count() == 1


def test_the_files_panel_reads_two_queries_whatever_it_holds(licence: Licence, operator: User) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            files = licence_files(licence, operator)
            _ = [v.uploaded_by for f in files for v in f.shown_versions]  # type: ignore[attr-defined]
        return len(ctx.captured_queries)

    services.upload_licence_file(licence, actor=operator, upload=_upload(), name="a")
    few = count()
    for n in range(4):
        services.upload_licence_file(licence, actor=operator, upload=_upload(), name=f"f{n % 2}")
    assert count() == few == 2
