"""The notifications API, mounted under /api/v1/notifications by beheer/api.py.

The outbox is for coordinators and administrators (403 for others, 404 for an unknown message);
retrying, discarding in bulk, the time to live per event and template previews are for
administrators; everybody manages their own preferences.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router

from beheer.core import access, clock
from beheer.core.errors import DomainError, NotFound
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, errors

from . import services
from .events import EVENTS, LANGUAGES
from .models import MessageStatus, OutboxDiscard, OutgoingMessage
from .schemas import (
    DiscardIn,
    DiscardOut,
    DiscardParams,
    DiscardPreviewOut,
    MessageDetailOut,
    MessageOut,
    MessagePage,
    OutboxParams,
    PreferencesIn,
    PreferencesOut,
    PreviewIn,
    PreviewOut,
    SummaryOut,
    TtlIn,
    TtlOut,
)

router = access.declare(Router(tags=["notifications"]), access.SIGNED_IN)
OUTBOX = access.Gate(
    access.Audience.COORDINATOR, message=gettext_lazy("The outbox is for coordinators and administrators.")
)
ORDER = (SortKey("created_at", descending=True), SortKey("id", descending=True))


def _message(request: HttpRequest, message_id: int) -> OutgoingMessage:
    msg = OutgoingMessage.objects.visible_to(request.user).filter(pk=message_id).first()
    if msg is None:
        raise NotFound(_("Message not found."))
    return msg


@access.gate(OUTBOX)
@router.get(
    "/outbox",
    response={200: MessagePage, **errors(400, 403)},
    summary="Outbox messages, newest first (coordinators)",
)
def outbox(request: HttpRequest, params: Query[OutboxParams]) -> dict[str, Any]:
    if not 1 <= params.limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    qs = OutgoingMessage.objects.visible_to(request.user).for_list()
    if params.status:
        if params.status not in MessageStatus.values:
            raise DomainError(_("Unknown status."), field_errors={"status": _("Unknown status.")})
        qs = qs.filter(status=params.status)
    if params.event:
        if params.event not in EVENTS:
            raise DomainError(_("Unknown event."), field_errors={"event": _("Unknown event.")})
        qs = qs.filter(event=params.event)
    if params.object_type:
        qs = qs.filter(object_type=params.object_type)
        if params.object_id is not None:
            qs = qs.filter(object_id=params.object_id)
    page = keyset_page(qs, ORDER, cursor=params.cursor, size=params.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@access.gate(OUTBOX)
@router.get(
    "/outbox/summary",
    response={200: SummaryOut, **errors(403)},
    summary="Waiting, failed and expired messages (coordinators)",
)
def outbox_summary(request: HttpRequest) -> services.OutboxSummary:
    return services.outbox_summary()


def _discard_filter(params: DiscardParams) -> services.DiscardFilter:
    return services.DiscardFilter(
        status=params.status, event=params.event, older_than_hours=params.older_than_hours
    )


@access.gate(access.ADMINISTRATORS)
@router.get(
    "/outbox/discard",
    response={200: DiscardPreviewOut, **errors(400, 403)},
    summary="How many messages a discard takes (admins)",
)
def discard_preview(request: HttpRequest, params: Query[DiscardParams]) -> dict[str, Any]:
    moment = clock.now()
    count = services.discard_candidates(_discard_filter(params), created_before=moment).count()
    return {"count": count, "created_before": moment}


@access.gate(access.ADMINISTRATORS)
@router.post(
    "/outbox/discard",
    response={200: DiscardOut, **errors(400, 403)},
    summary="Discard waiting or failed messages in bulk (admins)",
)
def discard(request: HttpRequest, payload: DiscardIn) -> OutboxDiscard:
    actor: Any = request.user
    return services.discard_messages(
        _discard_filter(payload), actor=actor, created_before=payload.created_before
    )


@access.gate(access.ADMINISTRATORS)
@router.get(
    "/time-to-live",
    response={200: TtlOut, **errors(403)},
    summary="Hours a message of each event may wait (admins)",
)
def ttl(request: HttpRequest) -> dict[str, Any]:
    return {"hours": services.ttl_settings()}


@access.gate(access.ADMINISTRATORS)
@router.put(
    "/time-to-live",
    response={200: TtlOut, **errors(400, 403)},
    summary="Change the time to live of events (admins)",
)
def set_ttl(request: HttpRequest, payload: TtlIn) -> dict[str, Any]:
    return {"hours": services.set_ttl_hours(actor=request.user, hours=payload.hours)}  # type: ignore[arg-type]


@access.gate(OUTBOX)
@router.get(
    "/outbox/{message_id}",
    response={200: MessageDetailOut, **errors(403, 404)},
    summary="One outbox message (coordinators)",
)
def message_detail(request: HttpRequest, message_id: Id) -> OutgoingMessage:
    return _message(request, message_id)


@access.gate(access.ADMINISTRATORS)
@router.post(
    "/outbox/{message_id}/retry",
    response={200: MessageOut, **errors(403, 404, 409)},
    summary="Send a permanently failed message again (admins)",
)
def message_retry(request: HttpRequest, message_id: Id) -> OutgoingMessage:
    msg = _message(request, message_id)
    return services.retry_message(msg, actor=request.user)  # type: ignore[arg-type]


@router.get("/preferences", response=PreferencesOut, summary="My notification preferences")
def my_preferences(request: HttpRequest) -> dict[str, Any]:
    return {"preferences": services.preferences_of(request.user)}  # type: ignore[arg-type]


@router.put(
    "/preferences",
    response={200: PreferencesOut, **errors(400)},
    summary="Change my notification preferences",
)
def set_my_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    user: Any = request.user
    return {"preferences": services.set_preferences(user, preferences=payload.preferences, actor=user)}


@access.gate(access.ADMINISTRATORS)
@router.post(
    "/templates/preview",
    response={200: PreviewOut, **errors(400, 403)},
    summary="Render a template with sample data (admins)",
)
def template_preview(request: HttpRequest, payload: PreviewIn) -> dict[str, str]:
    if payload.language not in LANGUAGES:
        raise DomainError(
            _("Choose Dutch or English."), field_errors={"language": _("Choose Dutch or English.")}
        )
    rendered = services.preview_template(
        event=payload.event,
        language=payload.language,
        subject=payload.subject,
        body=payload.body,
        body_html=payload.body_html,
    )
    return {"subject": rendered.subject, "body_text": rendered.body_text, "body_html": rendered.body_html}
