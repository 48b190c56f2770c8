"""Importing and exporting configuration items on screen, for staff.

The import takes two steps: the upload runs a dry run and shows its report per row; confirming runs
the import. Between the two the file waits in a private temporary directory under a random name kept
in the person's session (never the uploaded name); confirming, a new upload or an hour's wait removes
it. The exports download the CI list with its filters applied.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError

from .. import exports, imports, services
from ..forms.imports import ImportForm
from ..models import ConfigurationItem
from ..queries import ItemFilter, filter_items

ACCESS = access.STAFF

SESSION_KEY = "cmdb_import"
MAX_AGE = 3600


def _directory() -> Path:
    path = Path(tempfile.gettempdir()) / "beheer-cmdb-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    if path.is_symlink() or path.stat().st_uid != os.getuid():  # another user's directory: not ours
        raise PermissionError(path)
    return path


def _sweep(directory: Path) -> None:
    """Remove files of imports nobody confirmed within the hour."""
    limit = time.time() - MAX_AGE
    for path in directory.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def _pending_path(token: str) -> Path | None:
    if not token or not token.isalnum():
        return None
    return _directory() / f"{token}.upload"


def _forget(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        path = _pending_path(str(pending.get("token", "")))
        if path is not None:
            path.unlink(missing_ok=True)


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload: a dry run whose report is shown; the file waits for the confirmation."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            form.add_error(
                "file", _("The file is too large: at most %(mb)d MB.") % {"mb": imports.MAX_BYTES // 2**20}
            )
        else:
            data = upload.read()
            options = {k: form.cleaned_data[k] for k in ("kind", "key", "partial")}
            try:
                report = services.run_import(
                    actor=current_user(request), data=data, filename=upload.name, dry_run=True, **options
                )
            except DomainError as exc:
                for name, message in (exc.field_errors or {"file": exc.message}).items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                _forget(request)
            if report is not None and (report.partial or not report.rejected):
                directory = _directory()
                _sweep(directory)
                token = secrets.token_hex(16)
                path = directory / f"{token}.upload"
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                request.session[SESSION_KEY] = {"token": token, "filename": upload.name[:200], **options}
    return render(
        request,
        "cmdb/import_form.html",
        {"form": form, "report": report, "max_mb": imports.MAX_BYTES // 2**20, "max_rows": imports.MAX_ROWS},
    )


@require_POST
def import_confirm(request: HttpRequest) -> HttpResponseBase:
    """Run the import of the file the dry run checked, then remove the file."""
    pending = request.session.get(SESSION_KEY)
    path = _pending_path(str(pending.get("token", ""))) if isinstance(pending, dict) else None
    if pending is None or path is None or not path.is_file():
        _forget(request)
        messages.error(request, _("The uploaded file is gone: upload it again."))
        return redirect("cmdb-import")
    data = path.read_bytes()
    _forget(request)
    try:
        report = services.run_import(
            actor=current_user(request),
            data=data,
            filename=str(pending.get("filename", "")),
            kind=str(pending.get("kind", imports.ITEMS)),
            key=str(pending.get("key", "asset_tag")),
            partial=bool(pending.get("partial")),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cmdb-import")
    counts = report.counts
    summary = (
        _("%(create)d created, %(update)d updated, %(unchanged)d unchanged, %(reject)d refused.") % counts
    )
    if report.rejected and not report.partial:
        messages.error(request, _("Nothing was imported: %(summary)s") % {"summary": summary})
    else:
        messages.success(request, _("Imported: %(summary)s") % {"summary": summary})
    return render(request, "cmdb/import_done.html", {"report": report})


def _filtered(request: HttpRequest) -> tuple[object, int | None]:
    flt = ItemFilter.from_query(request.GET)
    rows = ConfigurationItem.objects.visible_to(request.user)
    return filter_items(rows, flt), flt.ci_type


@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    try:
        rows, ci_type = _filtered(request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cmdb-items")
    return exports.csv_response(rows, ci_type)


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    try:
        rows, ci_type = _filtered(request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cmdb-items")
    return exports.xlsx_response(rows, ci_type)
