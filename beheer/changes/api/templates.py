"""JSON adapter for the standard change templates (/api/v1/change-templates): list, read, add,
change (with the version read and the activity lines) and archive; coordinators only, like the
settings screens."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import get_row, ref, version_sent
from beheer.core.errors import NotFound
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, TextLine, errors

from .. import services
from ..models import ChangeTemplate, TemplateActivity
from ..schemas_templates import TemplateArchiveIn, TemplateIn, TemplateOut, TemplatePage

router = access.declare(Router(tags=["changes"]), access.COORDINATORS)

ORDER = (SortKey("name"), SortKey("id"))
PAGE_SIZE = 50


def _rows(request: HttpRequest) -> Any:
    return (
        ChangeTemplate.objects.visible_to(current_user(request))
        .select_related("operator_group")
        .prefetch_related(
            Prefetch("activities", queryset=TemplateActivity.objects.select_related("operator_group"))
        )
    )


def template_out(t: ChangeTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "title": t.title,
        "description": t.description,
        "operator_group": ref(t.operator_group),
        "active": t.active,
        "activities": [
            {
                "title": a.title,
                "estimate_minutes": a.estimate_minutes,
                "operator_group": ref(a.operator_group),
                "order": a.order,
            }
            for a in t.activities.all()
        ],
        "version": t.version,
    }


def _template(request: HttpRequest, pk: int) -> ChangeTemplate:
    found = _rows(request).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Template not found."))
    return found


def _group(pk: int | None, field: str) -> OperatorGroup | None:
    return get_row(OperatorGroup, pk, field, rows=OperatorGroup.objects.filter(active=True))


def _lines(payload: TemplateIn) -> list[services.ActivityLine] | None:
    if payload.activities is None:
        return None
    return [
        services.ActivityLine(
            title=line.title,
            estimate_minutes=line.estimate_minutes,
            operator_group=_group(line.operator_group_id, f"activities.{n}.operator_group_id"),
        )
        for n, line in enumerate(payload.activities)
    ]


@router.get("", response={200: TemplatePage, **errors(400, 403)}, summary="Standard change templates by name")
def list_templates(
    request: HttpRequest, cursor: TextLine | None = None, archived: bool = False
) -> dict[str, Any]:
    """Active templates; with `archived=true` the archived ones instead."""
    rows = _rows(request).filter(active=not archived)
    page = keyset_page(rows, ORDER, cursor=cursor, size=PAGE_SIZE)
    return {"items": [template_out(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get("/{template_id}", response={200: TemplateOut, **errors(403, 404)}, summary="One template")
def get_template(request: HttpRequest, template_id: Id) -> dict[str, Any]:
    return template_out(_template(request, template_id))


@router.post("", response={201: TemplateOut, **errors(400, 403)}, summary="Add a standard change template")
def create_template(request: HttpRequest, payload: TemplateIn) -> Answer[dict[str, Any]]:
    template = services.create_template(
        actor=current_user(request),
        name=payload.name,
        title=payload.title,
        description=payload.description,
        operator_group=_group(payload.operator_group_id, "operator_group_id"),
        activities=_lines(payload),
    )
    return Answer(201, template_out(_template(request, template.pk)))


@router.put(
    "/{template_id}",
    response={200: TemplateOut, **errors(400, 403, 404, 409)},
    summary="Change a template (with the version you read); activities replace the old ones when sent",
)
def update_template(request: HttpRequest, template_id: Id, payload: TemplateIn) -> dict[str, Any]:
    template = _template(request, template_id)
    services.update_template(
        template,
        actor=current_user(request),
        expected_version=version_sent(payload.version),
        name=payload.name,
        title=payload.title,
        description=payload.description,
        operator_group=_group(payload.operator_group_id, "operator_group_id"),
        active=payload.active,
        activities=_lines(payload),
    )
    return template_out(_template(request, template_id))


@router.post(
    "/{template_id}/archive",
    response={200: TemplateOut, **errors(400, 403, 404, 409)},
    summary="Archive a template: no longer offered for new standard changes",
)
def archive_template(request: HttpRequest, template_id: Id, payload: TemplateArchiveIn) -> dict[str, Any]:
    template = _template(request, template_id)
    services.archive_template(template, actor=current_user(request), expected_version=payload.version)
    return template_out(_template(request, template_id))
