"""JSON adapter for the CMDB import and export, for staff.

POST /api/v1/cmdb/imports   a file (multipart `file`) with `kind` (cis, relations, licences or
                            people), `key` (empty: the kind's usual key), `dry_run` and `partial`:
                            the report per row (`services.run_import`), answered when the import
                            has run (synchronous). A file that cannot be read at all is a 400 on
                            `file`; people only for coordinators and administrators (403).
GET  /api/v1/cmdb/imports/jobs/{job_id}
                            an import started on screen (run in the background): its state,
                            progress and, when finished, its report. Own jobs only (administrators
                            all); another's answers 404.
GET  /api/v1/cmdb/export    the CI list as CSV or XLSX (`format`), with the list's filters
                            (type, status, q, owner, attr.<code>).
GET  /api/v1/cmdb/export/<list>  licences, contracts, vlans, prefixes or addresses, the same way.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, Router
from ninja.files import UploadedFile

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError, NotFound
from beheer.core.schemas import Id, errors, file_answer

from .. import exports, imports, services
from ..models import ConfigurationItem, ImportJob
from ..queries import ItemFilter, filter_items
from ..schemas.imports import ImportJobOut, ImportReportOut
from ..services.imports import jobs
from ..tables import TABLES

ImportKey = Literal[
    "", "asset_tag", "name", "serial_number", "host_name", "username", "email", "reference", "product"
]
GATE = access.Gate(access.Audience.STAFF, message=gettext_lazy("The CMDB is for operators."))
router = access.declare(Router(tags=["cmdb"]), GATE)
export_router = access.declare(Router(tags=["cmdb"]), GATE)


@router.post(
    "",
    response={200: ImportReportOut, **errors(400, 403)},
    summary="Import CIs, relations, licences or people",
)
def import_file(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[Literal["cis", "relations", "licences", "people"]] = "cis",
    key: Form[
        Literal[
            "", "asset_tag", "name", "serial_number", "host_name", "username", "email", "reference", "product"
        ]
    ] = "",
    dry_run: Form[bool] = False,
    partial: Form[bool] = False,
) -> Any:
    if file.size is not None and file.size > imports.MAX_BYTES:
        message = _("The file is too large: at most %(mb)d MB.") % {"mb": imports.MAX_BYTES // 2**20}
        raise DomainError(message, field_errors={"file": message})
    report = services.run_import(
        actor=current_user(request),
        data=file.read(),
        filename=file.name or "",
        kind=kind,
        key=key or None,
        dry_run=dry_run,
        partial=partial,
    )
    return report.as_dict()


@router.get(
    "/jobs/{job_id}", response={200: ImportJobOut, **errors(403, 404)}, summary="An import job's progress"
)
def import_job(request: HttpRequest, job_id: Id) -> Any:
    job = ImportJob.objects.visible_to(request.user).defer("data").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("Import not found."))
    done, total = jobs.progress_of(job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "key": job.key,
        "filename": job.filename,
        "state": job.state,
        "dry_run": job.dry_run,
        "done": done,
        "total": total,
        "error": job.error,
        "report": job.report,
    }


@export_router.get(
    "",
    response=errors(400, 403),
    summary="Export the CI list",
    openapi_extra=file_answer(
        "text/csv",
        "The list as CSV, or as XLSX with format=xlsx",
        200,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
)
def export_items(request: HttpRequest, format: Literal["csv", "xlsx"] = "csv") -> Any:
    flt = ItemFilter.from_query(request.GET)
    rows = filter_items(ConfigurationItem.objects.visible_to(request.user), flt)
    if format == "xlsx":
        return exports.xlsx_response(rows, flt.ci_type)
    return exports.csv_response(rows, flt.ci_type)


def _export_table(table: str) -> None:
    """GET /export/<table>: one operation per table, so each is documented and measured on its own."""

    def export(request: HttpRequest, format: Literal["csv", "xlsx"] = "csv") -> Any:
        return TABLES[table].response(format, request.user)

    export_router.get(
        f"/{table}",
        response=errors(400, 403),
        summary=f"Export the {table} list",
        operation_id=f"cmdb_export_{table}",
        openapi_extra=file_answer(
            "text/csv",
            "The list as CSV, or as XLSX with format=xlsx",
            200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    )(export)


for _table in TABLES:
    _export_table(_table)
