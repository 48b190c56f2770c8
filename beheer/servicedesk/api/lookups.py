"""The servicedesk's configuration lists for API clients (call types, statuses, impacts, urgencies,
priorities, closure codes, categories, operator groups) and the caller lookup."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access
from beheer.core.schemas import Int64, TextLine, errors

from ..models import CallType, Category, ClosureCode, Impact, Priority, Status, Urgency
from ..schemas import CategoryOut, GroupOut, LevelLookupOut, LookupOut, PersonOut, StatusLookupOut

router = access.declare(Router(tags=["meldingen"]), access.SIGNED_IN)
PUBLISHED_IN = "beheer.servicedesk.api"  # the operation ids of before the split (beheer/api.py)


def _lookups(model: Any, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"id": o.pk, "code": o.code, "name": o.name, **{f: getattr(o, f) for f in extra}}
        for o in model.objects.filter(active=True).order_by("order", "id")
    ]


@router.get("/call-types", response=list[LookupOut], tags=["configuration"])
def call_types(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(CallType)


@router.get("/statuses", response=list[StatusLookupOut], tags=["configuration"])
def statuses(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Status, ("kind", "pauses_sla"))


@router.get("/impacts", response=list[LevelLookupOut], tags=["configuration"])
def impacts(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Impact, ("level",))


@router.get("/urgencies", response=list[LevelLookupOut], tags=["configuration"])
def urgencies(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Urgency, ("level",))


@router.get("/priorities", response=list[LevelLookupOut], tags=["configuration"])
def priorities(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Priority, ("level",))


@router.get("/closure-codes", response=list[LookupOut], tags=["configuration"])
def closure_codes(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(ClosureCode)


@router.get("/categories", response=list[CategoryOut], tags=["configuration"])
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "name": c.display_name, "parent_id": c.parent_id}
        for c in Category.objects.filter(active=True).order_by("parent_id", "order", "name")[:2000]
    ]


@access.gate(access.OPERATORS_ONLY)
@router.get("/operator-groups", response={200: list[GroupOut], **errors(403)}, tags=["configuration"])
def operator_groups(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": g.pk, "name": g.name, "is_first_line": g.is_first_line, "is_second_line": g.is_second_line}
        for g in OperatorGroup.objects.active()
    ]


@access.gate(access.OPERATORS_ONLY)
@router.get(
    "/persons",
    response={200: list[PersonOut], **errors(403)},
    tags=["people"],
    summary="Caller lookup (operators only)",
)
def persons(request: HttpRequest, q: TextLine = "", limit: Int64 = 20) -> list[dict[str, Any]]:
    limit = max(1, min(limit, 100))
    q = q.replace("\x00", "")
    qs = User.objects.visible_to(request.user).callers().search(q).select_related("department", "branch")
    return [
        {
            "id": u.pk,
            "name": str(u),
            "email": u.email,
            "department": u.department.name if u.department else None,
            "branch": u.branch.name if u.branch else None,
        }
        for u in qs.order_by("last_name", "first_name", "id")[:limit]
    ]
