"""What the servicedesk's API modules share: a melding and its references as JSON, and the
lookups of the objects a request names (through `visible_to`, or the cached configuration)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import CiStatus, ConfigurationItem, Contract
from beheer.core import access, api_helpers, clock
from beheer.core.errors import DomainError, NotFound

from .. import extensions
from ..configuration_items import covering_contracts
from ..models import CallType, Category, ClosureCode, Impact, Melding, Urgency
from ..queries import relation_counts
from ..services import log_restricted_read

M = TypeVar("M", bound=models.Model)


def ref(obj: Any) -> dict[str, Any] | None:
    """`{id, name}` of a lookup or a person (`core.api_helpers.ref`); a category by its display name."""
    return api_helpers.ref(obj, name=obj.display_name if isinstance(obj, Category) else None)


def melding_out(m: Melding) -> dict[str, Any]:
    return {
        "id": m.pk,
        "number": m.number,
        "brief_description": m.brief_description,
        "entry_type": m.entry_type,
        "call_type": ref(m.call_type),
        "line": m.line,
        "parent_id": m.parent_id,
        "caller": ref(m.caller),
        "caller_name": m.caller_display,
        "category": ref(m.category),
        "subcategory": ref(m.subcategory),
        "object_name": m.object_name,
        "impact": ref(m.impact),
        "urgency": ref(m.urgency),
        "priority": {**(ref(m.priority) or {}), "level": m.priority.level},
        "target_date": m.target_date,
        "operator_group": ref(m.operator_group),
        "operator": ref(m.operator),
        "supplier": ref(m.supplier),
        "status": {**(ref(m.status) or {}), "kind": m.status.kind, "pauses_sla": m.status.pauses_sla},
        "is_open": m.is_open,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "version": m.version,
        "sla_policy": ref(m.sla_policy),
        "sla_state": m.sla_state(clock.now()),
        "response_due": m.response_due,
        "resolution_due": m.resolution_due,
        "response_met": m.response_met,
        "resolution_met": m.resolution_met,
    }


def melding_detail_out(
    m: Melding,
    viewer: Any,
    *,
    new: bool = False,
    relations: tuple[int, int, list[int]] | None = None,
    contracts: dict[int, list[Contract]] | None = None,
) -> dict[str, Any]:
    """The full melding as `viewer` may see it: linked meldingen and partial incidents are counted
    through visible_to (a caller sees neither other callers' meldingen nor partials); the apps above
    the servicedesk add their keys (the problem behind it, staff only) through `extensions`. A
    melding registered in this request has no partials, links or problem.
    `relations`: its (resolved, total, linked ids) from relation_counts(), read for a whole list;
    `contracts`: the covering contracts from `covering_contracts()`, read for a whole list too."""
    if relations is None:
        relations = (0, 0, []) if new else relation_counts([m], viewer)[m.pk]
    done, total, linked = relations
    return {
        **melding_out(m),
        "request": m.request,
        "caller_email": m.caller_email,
        "caller_phone": m.caller_phone,
        "estimated_minutes": m.estimated_minutes,
        "estimated_people": m.estimated_people,
        "estimated_means": m.estimated_means,
        "solution": m.solution,
        "is_workaround": m.is_workaround,
        "closure_code": ref(m.closure_code),
        "merged_into_id": m.merged_into_id,
        "reopen_count": m.reopen_count,
        "first_response_at": m.first_response_at,
        "resolved_at": m.resolved_at,
        "closed_at": m.closed_at,
        "partials_resolved": done,
        "partials_total": total,
        "linked_ids": linked,
        "confirmed_at": m.confirmed_at,
        "satisfaction_rating": m.satisfaction_rating,
        "satisfaction_comment": m.satisfaction_comment,
        "ci": ci_out(m, viewer),
        "contracts": contracts_out(m, viewer, contracts),
        **extensions.detail_fields(m, viewer, new=new),
    }


def ci_out(m: Melding, viewer: Any) -> dict[str, Any] | None:
    """`{id, name}` of the melding's CI, None without one or when `viewer` may not see it (a caller's
    melding on the school's printer they do not own or use): staff read it with the melding, a caller
    with one query."""
    if m.ci_id is None:
        return None
    if access.is_staff(viewer):
        return ref(m.ci)
    return ref(ConfigurationItem.objects.visible_to(viewer).filter(pk=m.ci_id).only("pk", "name").first())


def contracts_out(
    m: Melding, viewer: Any, found: dict[int, list[Contract]] | None
) -> list[dict[str, Any]] | None:
    """The contracts covering the melding's CI with its supplier, for staff; None for callers and
    for a melding without a supplier or a CI."""
    if m.supplier_id is None or m.ci_id is None or not access.is_staff(viewer):
        return None
    if found is None:
        found = covering_contracts([m], viewer)
    return [
        {
            "id": c.pk,
            "reference": c.reference,
            "title": c.title,
            "response_time": c.response_time,
            "end_date": c.end_date,
        }
        for c in found.get(m.pk, [])
    ]


def get_ci(pk: int | None, user: Any, *, current_id: int | None = None) -> ConfigurationItem | None:
    """The CI a request names in `ci_id`: one `user` may see and, for a new link, not retired (the
    melding's current CI stays allowed); an invisible CI answers like an unknown one. The service
    checks the same again."""
    ci = _get(ConfigurationItem, pk, "ci_id", qs=ConfigurationItem.objects.visible_to(user))
    if ci is not None and ci.pk != current_id and ci.status == CiStatus.RETIRED:
        message = _("This configuration item is retired.")
        raise DomainError(message, field_errors={"ci_id": message})
    return ci


LIST_RELATED = (
    "call_type",
    "caller",
    "category",
    "subcategory",
    "impact",
    "urgency",
    "priority",
    "operator_group",
    "operator",
    "supplier",
    "status",
    "sla_policy",
)


def _visible(request: HttpRequest, pk: int) -> Melding:
    m = (
        Melding.objects.visible_to(request.user)
        .select_related(*LIST_RELATED, "closure_code", "ci", *extensions.detail_related())
        .filter(pk=pk)
        .first()
    )
    if m is None:
        raise NotFound(_("Call not found."))
    if m.restricted:
        log_restricted_read(m, reader=request.user, route=request.path)  # type: ignore[arg-type]
    return m


def _visible_id(request: HttpRequest, pk: int) -> int:
    """`pk` when the user may see that melding (a lookup of its key alone: for the lists of its
    notes, history, time and files, which need no columns of the melding itself). A read of a
    security incident's parts is logged."""
    found = Melding.objects.visible_to(request.user).filter(pk=pk).only("pk", "restricted").first()
    if found is None:
        raise NotFound(_("Call not found."))
    if found.restricted:
        log_restricted_read(found, reader=request.user, route=request.path)  # type: ignore[arg-type]
    return pk


CONFIG_MODELS = (CallType, Category, Impact, Urgency, OperatorGroup, ClosureCode)


def _get(model: type[M], pk: int | None, field: str, *, required: bool = False, qs: Any = None) -> Any:
    """The row a request names (`core.api_helpers.get_row`); the configuration tables from the cache."""
    return api_helpers.get_row(model, pk, field, required=required, rows=qs, cached=model in CONFIG_MODELS)


def _operator(pk: int | None, field: str = "operator_id") -> User | None:
    return _get(User, pk, field, qs=User.objects.operators())


def _detail(request: HttpRequest, m: Melding) -> dict[str, Any]:
    return melding_detail_out(_visible(request, m.pk), request.user)
