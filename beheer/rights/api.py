"""JSON adapter for the access rights register, mounted under /api/v1/rights (beheer/api.py).

Anyone signed in lists and reads the rights `visible_to` them (a caller their own, an approver also
those on their applications), requests a right (a caller only for themselves), and approves, rejects
or revokes where the services allow it (403 otherwise). Granting, leavers and campaigns' lists and
reports are for staff; starting a campaign and a CI's access policy for coordinators. Thin: look up
through `visible_to` (missing or hidden -> 404 alike), call one service, serialise. An unknown id in
a body is a 400 on that field.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, act, get_row
from beheer.core.errors import DomainError, NotFound
from beheer.core.history import subject_history_page
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors
from beheer.servicedesk.models import Melding

from . import services
from .models import (
    RIGHT_CI_KINDS,
    AccessPolicy,
    AccessRight,
    AccessRightHistoryEntry,
    ReviewCampaign,
    ReviewItem,
)
from .queries import SELECTED, RightFilter, filter_rights, held_counts, leavers
from .schemas import (
    AccessPolicyIn,
    AccessPolicyOut,
    AccessRightDecisionIn,
    AccessRightGrantIn,
    AccessRightIn,
    AccessRightListParams,
    AccessRightOut,
    AccessRightPage,
    AccessRightRevokeIn,
    ReviewAnswerIn,
    ReviewCampaignIn,
    ReviewCampaignOut,
    ReviewCampaignPage,
    ReviewItemListParams,
    ReviewItemOut,
    ReviewItemPage,
    ReviewReportOut,
    RightsCursorParams,
    RightsLeaverPage,
    RightsRevokeAllIn,
    RightsRevokeAllOut,
)

router = access.declare(Router(tags=["access rights"]), access.SIGNED_IN)
ORDER = (SortKey("id", descending=True),)
ITEM_ORDER = (SortKey("ci_name"), SortKey("person_name"), SortKey("id"))
LEAVER_ORDER = (SortKey("last_name"), SortKey("first_name"), SortKey("id"))
DETAIL = (*SELECTED, "requested_by", "decided_by", "granted_by", "revoked_by")
# The services' field names, as the body names them.
BODY_FIELDS = {"person": "person_id", "ci": "ci_id", "melding": "melding_id", "approver": "approver_id"}


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def _ci(ci: Any) -> dict[str, Any]:
    return {"id": ci.pk, "name": ci.name}


def right_out(r: AccessRight) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person": _person(r.person),
        "ci": _ci(r.ci),
        "right": r.right,
        "status": r.status,
        "melding_id": r.melding_id,
        "reference": r.reference,
        "reason": r.reason,
        "requested_at": r.requested_at,
        "requested_by": _person(r.requested_by),
        "decided_at": r.decided_at,
        "decided_by": _person(r.decided_by),
        "decision_note": r.decision_note,
        "granted_at": r.granted_at,
        "granted_by": _person(r.granted_by),
        "valid_until": r.valid_until,
        "ended_at": r.ended_at,
        "revoked_by": _person(r.revoked_by),
        "revoke_reason": r.revoke_reason,
        "version": r.version,
    }


def _renamed(exc: DomainError) -> DomainError:
    fields = {BODY_FIELDS.get(k, k): v for k, v in exc.field_errors.items()}
    return type(exc)(exc.message, field_errors=fields)


def _right(request: HttpRequest, pk: int) -> AccessRight:
    found = (
        AccessRight.objects.visible_to(current_user(request)).select_related(*DETAIL).filter(pk=pk).first()
    )
    if found is None:
        raise NotFound(_("Access right not found."))
    return found


@router.get("", response={200: AccessRightPage, **errors(400)}, summary="Access rights, newest first")
def list_rights(request: HttpRequest, params: Query[AccessRightListParams]) -> dict[str, Any]:
    """Staff see every right; anybody else their own, and those on the applications they approve."""
    flt = RightFilter(status=params.status or "", ci=params.ci_id, person=params.person_id)
    rows = filter_rights(AccessRight.objects.visible_to(current_user(request)), flt).select_related(*SELECTED)
    page = keyset_page(rows, ORDER, cursor=params.cursor, size=params.limit)
    return {
        "items": [
            {
                "id": r.pk,
                "person": _person(r.person),
                "ci": _ci(r.ci),
                "right": r.right,
                "status": r.status,
                "valid_until": r.valid_until,
                "version": r.version,
            }
            for r in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.post("", response={201: AccessRightOut, **errors(400, 403)}, summary="Request an access right")
def request_right(request: HttpRequest, payload: AccessRightIn) -> Answer[dict[str, Any]]:
    """For yourself (no `person_id`, or your own) or, as staff, for anybody; on an application or
    service CI; the right must be one the CI knows when its policy lists any."""
    user = current_user(request)
    look = Lookup()
    found: dict[str, Any] = {
        "person_id": look.row(User, payload.person_id, "person_id"),
        "ci_id": look.row(ConfigurationItem, payload.ci_id, "ci_id"),
        "melding_id": look.row(Melding.objects.visible_to(user), payload.melding_id, "melding_id"),
    }
    look.done()
    try:
        right = services.request_right(
            actor=user,
            data=services.RequestData(
                person=found["person_id"] or user,
                ci=found["ci_id"],
                right=payload.right,
                melding=found["melding_id"],
                reference=payload.reference,
                reason=payload.reason,
                valid_until=payload.valid_until,
            ),
        )
    except DomainError as exc:
        raise _renamed(exc) from exc
    return Answer(201, right_out(_right(request, right.pk)))


@access.gate(access.STAFF)
@router.get(
    "/leavers", response={200: RightsLeaverPage, **errors(400, 403)}, summary="Leavers who hold rights"
)
def list_leavers(request: HttpRequest, params: Query[RightsCursorParams]) -> dict[str, Any]:
    """Inactive people who still hold granted rights, with how many."""
    page = keyset_page(leavers(), LEAVER_ORDER, cursor=params.cursor, size=params.limit)
    held = held_counts([p.pk for p in page.items])
    return {
        "items": [
            {"person": _person(p), "username": p.username, "held": held.get(p.pk, 0)} for p in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@access.gate(access.STAFF)
@router.post(
    "/leavers/{person_id}/revoke",
    response={200: RightsRevokeAllOut, **errors(400, 403, 404)},
    summary="Revoke every right a leaver holds",
)
def revoke_leaver(request: HttpRequest, person_id: Id, payload: RightsRevokeAllIn) -> dict[str, Any]:
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("Person not found."))
    return {"revoked": services.revoke_all_of(person, actor=current_user(request), reason=payload.reason)}


# --------------------------------------------------------------------------------------------------
# policies


def _application(ci_id: int) -> ConfigurationItem:
    ci = (
        ConfigurationItem.objects.select_related("owner")
        .filter(pk=ci_id, ci_type__kind__in=RIGHT_CI_KINDS)
        .first()
    )
    if ci is None:
        raise NotFound(_("Application not found."))
    return ci


def _policy_out(ci: ConfigurationItem) -> dict[str, Any]:
    policy = AccessPolicy.objects.filter(ci=ci).select_related("approver").first()
    approver = policy.approver if policy is not None else None
    return {
        "ci": _ci(ci),
        "approver": _person(approver),
        "effective_approver": _person(approver or ci.owner),
        "known_rights": policy.rights if policy is not None else [],
        "version": policy.version if policy is not None else None,
    }


@access.gate(access.STAFF)
@router.get(
    "/policies/{ci_id}", response={200: AccessPolicyOut, **errors(403, 404)}, summary="A CI's access policy"
)
def get_policy(request: HttpRequest, ci_id: Id) -> dict[str, Any]:
    return _policy_out(_application(ci_id))


@access.gate(access.COORDINATORS)
@router.put(
    "/policies/{ci_id}",
    response={200: AccessPolicyOut, **errors(400, 403, 404, 409)},
    summary="Set a CI's access approver and known rights",
)
def put_policy(request: HttpRequest, ci_id: Id, payload: AccessPolicyIn) -> dict[str, Any]:
    ci = _application(ci_id)
    approver = get_row(User, payload.approver_id, "approver_id")
    try:
        services.save_access_policy(
            ci,
            actor=current_user(request),
            approver=approver,
            known_rights="\n".join(payload.known_rights),
            expected_version=payload.version,
        )
    except DomainError as exc:
        raise _renamed(exc) from exc
    return _policy_out(ci)


# --------------------------------------------------------------------------------------------------
# campaigns


def campaign_out(c: ReviewCampaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "deadline": c.deadline,
        "all_cis": c.all_cis,
        "status": c.status,
        "created_at": c.created_at,
        "closed_at": c.closed_at,
    }


def _campaign(request: HttpRequest, pk: int) -> ReviewCampaign:
    found = ReviewCampaign.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Review not found."))
    return found


@access.gate(access.STAFF)
@router.get("/campaigns", response={200: ReviewCampaignPage, **errors(400, 403)}, summary="Access reviews")
def list_campaigns(request: HttpRequest, params: Query[RightsCursorParams]) -> dict[str, Any]:
    rows = ReviewCampaign.objects.visible_to(current_user(request))
    page = keyset_page(rows, ORDER, cursor=params.cursor, size=params.limit)
    return {"items": [campaign_out(c) for c in page.items], "next_cursor": page.next_cursor}


@access.gate(access.COORDINATORS)
@router.post(
    "/campaigns", response={201: ReviewCampaignOut, **errors(400, 403)}, summary="Start an access review"
)
def start_campaign(request: HttpRequest, payload: ReviewCampaignIn) -> Answer[dict[str, Any]]:
    """One item per right granted now on the chosen CIs (none: every application and service)."""
    ids = list(dict.fromkeys(payload.ci_ids))
    cis = list(ConfigurationItem.objects.select_related("ci_type").filter(pk__in=ids))
    if len(cis) != len(ids):
        message = _("Unknown %(field)s.") % {"field": "ci_ids"}
        raise DomainError(message, field_errors={"ci_ids": message})
    try:
        campaign = services.start_campaign(
            actor=current_user(request), name=payload.name, deadline=payload.deadline, cis=cis
        )
    except DomainError as exc:
        fields = {"cis": "ci_ids"}
        raise type(exc)(
            exc.message, field_errors={fields.get(k, k): v for k, v in exc.field_errors.items()}
        ) from exc
    return Answer(201, campaign_out(campaign))


@access.gate(access.STAFF)
@router.get(
    "/campaigns/{campaign_id}", response={200: ReviewCampaignOut, **errors(403, 404)}, summary="One review"
)
def get_campaign(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    return campaign_out(_campaign(request, campaign_id))


@access.gate(access.STAFF)
@router.get(
    "/campaigns/{campaign_id}/report",
    response={200: ReviewReportOut, **errors(403, 404)},
    summary="A review's outcome per CI and reviewer",
)
def campaign_report(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    return services.campaign_report(_campaign(request, campaign_id))


def item_out(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "access_right_id": item.access_right_id,
        "ci_name": item.ci_name,
        "person_name": item.person_name,
        "right": item.right,
        "reviewer": _person(item.reviewer),
        "outcome": item.outcome,
        "decided_at": item.decided_at,
        "note": item.note,
    }


@router.get(
    "/campaigns/{campaign_id}/items",
    response={200: ReviewItemPage, **errors(400, 404)},
    summary="A review's items: your own to review (staff: all, or `mine`)",
)
def list_items(request: HttpRequest, campaign_id: Id, params: Query[ReviewItemListParams]) -> dict[str, Any]:
    user = current_user(request)
    rows = ReviewItem.objects.visible_to(user).filter(campaign_id=campaign_id)
    if params.mine:
        rows = rows.filter(reviewer=user)
    if not access.is_staff(user) and not rows.exists():
        raise NotFound(_("Review not found."))
    if access.is_staff(user) and not ReviewCampaign.objects.filter(pk=campaign_id).exists():
        raise NotFound(_("Review not found."))
    page = keyset_page(rows.select_related("reviewer"), ITEM_ORDER, cursor=params.cursor, size=params.limit)
    return {"items": [item_out(i) for i in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/campaigns/{campaign_id}/items/{item_id}",
    response={200: ReviewItemOut, **errors(400, 403, 404)},
    summary="Confirm or revoke a reviewed right",
)
def answer_item(
    request: HttpRequest, campaign_id: Id, item_id: Id, payload: ReviewAnswerIn
) -> dict[str, Any]:
    """`revoked` needs a `note` (the reason) and ends the right through the revoke service."""
    user = current_user(request)
    item = ReviewItem.objects.visible_to(user).filter(pk=item_id, campaign_id=campaign_id).first()
    if item is None:
        raise NotFound(_("Review item not found."))
    done = services.review_item(item, actor=user, outcome=payload.outcome, note=payload.note)
    return item_out(ReviewItem.objects.select_related("reviewer").get(pk=done.pk))


# --------------------------------------------------------------------------------------------------
# one right (after the fixed paths above)


@router.get("/{right_id}", response={200: AccessRightOut, **errors(404)}, summary="One access right")
def get_right(request: HttpRequest, right_id: Id) -> dict[str, Any]:
    return right_out(_right(request, right_id))


def _act(
    request: HttpRequest, right_id: int, service: Any, version: int | None, /, **fields: Any
) -> dict[str, Any]:
    """A decision on a right: `service` on the right (as the user may see it) with the version the
    client read; the right as it is now."""
    act(request, _right(request, right_id), service, version, **fields)
    return right_out(_right(request, right_id))


@router.post(
    "/{right_id}/approve",
    response={200: AccessRightOut, **errors(400, 403, 404, 409)},
    summary="Approve a request (its approver or an administrator)",
)
def approve_right(request: HttpRequest, right_id: Id, payload: AccessRightDecisionIn) -> dict[str, Any]:
    return _act(request, right_id, services.approve_right, payload.version, note=payload.note)


@router.post(
    "/{right_id}/reject",
    response={200: AccessRightOut, **errors(400, 403, 404, 409)},
    summary="Reject a request (its approver or an administrator)",
)
def reject_right(request: HttpRequest, right_id: Id, payload: AccessRightDecisionIn) -> dict[str, Any]:
    return _act(request, right_id, services.reject_right, payload.version, note=payload.note)


@access.gate(access.STAFF)
@router.post(
    "/{right_id}/grant",
    response={200: AccessRightOut, **errors(400, 403, 404, 409)},
    summary="Grant an approved right (staff)",
)
def grant_right(request: HttpRequest, right_id: Id, payload: AccessRightGrantIn) -> dict[str, Any]:
    return _act(request, right_id, services.grant_right, payload.version, valid_until=payload.valid_until)


@router.post(
    "/{right_id}/revoke",
    response={200: AccessRightOut, **errors(400, 403, 404, 409)},
    summary="Revoke a granted right",
)
def revoke_right(request: HttpRequest, right_id: Id, payload: AccessRightRevokeIn) -> dict[str, Any]:
    return _act(request, right_id, services.revoke_right, payload.version, reason=payload.reason)


@router.get(
    "/{right_id}/history",
    response={200: HistoryRecordPage, **errors(400, 404)},
    summary="A right's history, newest first (keyset pagination)",
)
def right_history(
    request: HttpRequest, right_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return subject_history_page(
        AccessRightHistoryEntry,
        right_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Access right not found."),
    )
