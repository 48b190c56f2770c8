"""Import and export of CIs on screen, through the API and the `import` command."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.utils import translation
from openpyxl import load_workbook

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import AttributeKind, CiHistoryEntry, CiType, ConfigurationItem, ImportJob
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

GOOD = "name;type;asset_tag\nLT 1;laptop;A-1\nLT 2;laptop;A-2\n"
BAD = GOOD + "LT 3;nothing;A-3\n"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def upload(text: str, name: str = "cis.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def body(response: object) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    return response.content.decode()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------
# screens


def test_screen_dry_run_then_confirm(operator: User, django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(operator)
    page = client.get("/cmdb/import/")
    assert page.status_code == 200
    assert 'href="/cmdb/import/"' in page.content.decode()
    checked = client.post(
        "/cmdb/import/", {"file": upload(GOOD), "kind": "cis", "key": "asset_tag"}, follow=True
    )
    html = checked.content.decode()
    assert checked.status_code == 200
    assert html.count('data-action="create"') == 2
    assert "data-import-confirm" in html
    assert ConfigurationItem.objects.count() == 0
    job = ImportJob.objects.get()
    assert (job.state, job.dry_run, job.done, job.total) == ("finished", True, 2, 2)
    assert bytes(job.data)  # the file waits for the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(f"/cmdb/import/{job.pk}/confirm/")
    assert queued.status_code == 302
    done = client.get(f"/cmdb/import/{job.pk}/")
    assert "data-import-done" in done.content.decode()
    assert ConfigurationItem.objects.count() == 2
    job.refresh_from_db()
    assert (job.state, job.dry_run) == ("finished", False)
    assert not bytes(job.data)  # no file left behind
    assert job.report is not None
    assert job.report["counts"]["create"] == 2
    again = client.post(f"/cmdb/import/{job.pk}/confirm/")
    assert again.status_code == 302
    assert ConfigurationItem.objects.count() == 2


def test_screen_shows_refused_rows_and_offers_no_confirmation(operator: User) -> None:
    client = client_for(operator)
    checked = client.post(
        "/cmdb/import/", {"file": upload(BAD), "kind": "cis", "key": "asset_tag"}, follow=True
    )
    html = checked.content.decode()
    assert 'data-action="reject"' in html
    assert "Onbekend type." in html  # the reader's language (Dutch)
    assert "data-import-confirm" not in html
    assert not bytes(ImportJob.objects.get().data)  # a file that cannot be imported is not kept
    bad_file = client.post(
        "/cmdb/import/",
        {"file": upload("colour\nred\n"), "kind": "cis", "key": "asset_tag"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Unknown column: colour." in bad_file.content.decode()
    assert ImportJob.objects.count() == 1


def test_callers_are_refused(caller: User) -> None:
    client = client_for(caller)
    for url in ("/cmdb/import/", "/cmdb/export.csv", "/cmdb/export.xlsx"):
        assert client.get(url).status_code in (302, 403, 404)
    assert client.post("/api/v1/cmdb/imports", {"file": upload(GOOD)}).status_code == 403
    assert client.get("/api/v1/cmdb/export").status_code == 403
    assert ConfigurationItem.objects.count() == 0


# --------------------------------------------------------------------------------------------------
# API


def test_api_import_dry_run_and_import(operator: User) -> None:
    client = client_for(operator)
    dry = client.post("/api/v1/cmdb/imports", {"file": upload(BAD), "dry_run": "true", "partial": "true"})
    assert dry.status_code == 200
    report = dry.json()
    assert report["counts"] == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert report["rows"][2]["errors"] == [{"column": "type", "message": "Onbekend type."}]
    assert not report["written"]
    assert ConfigurationItem.objects.count() == 0
    done = client.post("/api/v1/cmdb/imports", {"file": upload(GOOD)}).json()
    assert done["written"]
    assert ConfigurationItem.objects.count() == 2
    refused = client.post("/api/v1/cmdb/imports", {"file": upload("colour\nred\n")})
    assert refused.status_code == 400
    assert "file" in str(refused.json())


# --------------------------------------------------------------------------------------------------
# the command


def test_command_exit_status(operator: User, administrator: User, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "cis", str(good), "--dry-run", stdout=out, stderr=err)
    assert "2 created" in out.getvalue()
    assert "2/2" in err.getvalue()
    assert ConfigurationItem.objects.count() == 0
    call_command("import", "cis", str(good), stdout=out, stderr=err)
    assert ConfigurationItem.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD.replace("A-1", "A-7"))
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import", "cis", str(bad), stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 1
    assert "row 4 type: Unknown type." in err.getvalue()
    assert ConfigurationItem.objects.count() == 2
    history = CiHistoryEntry.objects.count()
    relations = tmp_path / "rel.csv"
    relations.write_text("source,kind,target\nA-1,depends_on,A-2\n")
    call_command("import", "relations", str(relations), stdout=io.StringIO(), stderr=io.StringIO())
    assert CiHistoryEntry.objects.count() == history + 2


# --------------------------------------------------------------------------------------------------
# exports


@pytest.fixture
def listed(operator: User, administrator: User) -> CiType:
    laptop = CiType.objects.get(code="laptop")
    services.save_attribute(
        None,
        actor=administrator,
        ci_type=laptop,
        data=services.AttributeData(
            code="ram", label_nl="Geheugen", label_en="RAM", kind=AttributeKind.NUMBER
        ),
    )
    server = CiType.objects.get(code="server")
    services.create_item(
        actor=operator,
        data=services.ItemData(
            name="=HYPERLINK(1)", ci_type=laptop, asset_tag="A-1", attributes={"ram": "16"}
        ),
    )
    services.create_item(
        actor=operator, data=services.ItemData(name="Web", ci_type=server, host_name="web01")
    )
    return laptop


def test_csv_export_applies_filters_and_neutralises(operator: User, listed: CiType) -> None:
    client = client_for(operator)
    response = client.get(f"/cmdb/export.csv?type={listed.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body(response)), delimiter=";"))
    assert rows[0][0] == "Naam"  # the reader's language (Dutch)
    assert rows[0][-1] == "attr.ram"
    assert len(rows) == 2
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][-1] == "16"
    everything = list(csv.reader(io.StringIO(body(client.get("/cmdb/export.csv"))), delimiter=";"))
    assert len(everything) == 3
    assert "attr.ram" not in everything[0]


def test_export_reimports_unchanged(operator: User, listed: CiType) -> None:
    client = client_for(operator)
    exported = body(client.get(f"/cmdb/export.csv?type={listed.pk}"))
    plain = exported.replace("'=HYPERLINK(1)", "=HYPERLINK(1)")
    report = services.run_import(actor=operator, data=plain.encode(), filename="x.csv")
    assert [r.action for r in report.rows] == ["unchanged"]


def test_xlsx_export_opens(operator: User, listed: CiType) -> None:
    client = client_for(operator)
    for url in ("/cmdb/export.xlsx", "/api/v1/cmdb/export?format=xlsx"):
        response = client.get(url + f"{'&' if '?' in url else '?'}type={listed.pk}")
        assert response.status_code == 200
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][-1] == "attr.ram"
        assert values[1][0] == "'=HYPERLINK(1)"
        assert len(values) == 2


def test_api_csv_export_with_bad_filter(operator: User, listed: CiType) -> None:
    client = client_for(operator)
    assert "Web" in body(client.get("/api/v1/cmdb/export?q=web"))
    assert client.get("/api/v1/cmdb/export?status=nonsense").status_code == 400
