"""JSON adapter for the e-mail channel: mailboxes (administrators) and dead letters (operators).

Mounted under /api/v1/mail/ (beheer/api.py); the schemas are in schemas.py. Thin: authenticate,
look up through `visible_to`, call one service. Mailbox secrets are write-only: the API says whether
one is stored, never returns it, and a mailbox's history says only that one changed. Every route
declares the error answers it gives (`errors`): 403 below its audience, 404 for an unknown mailbox or
dead letter, 400 for bad input or paging, 409 for a stale version or a dead letter already handled.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import version_sent
from beheer.core.errors import DomainError, NotFound
from beheer.core.history import subject_history_page
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors
from beheer.servicedesk.models import CallType, Category

from . import services
from .models import DeadLetter, Mailbox, MailboxHistoryEntry
from .schemas import (
    ConnectionOut,
    ConvertIn,
    DeadLetterDetailOut,
    DeadLetterOut,
    DeadLetterPage,
    DeadLetterParams,
    MailboxIn,
    MailboxOut,
    ResultOut,
)

router = access.declare(Router(tags=["mail"]), access.OPERATORS_ONLY)
# A caller does not learn whether a dead letter exists (the list says 403, an id is "not found").
DEAD_LETTER = access.Gate(access.Audience.STAFF, hidden=True)
MAILBOXES = access.Gate(
    access.Audience.ADMINISTRATOR, message=gettext_lazy("Only administrators may configure mailboxes.")
)

DEAD_LETTER_ORDER = (SortKey("created_at", descending=True), SortKey("id", descending=True))
RAW_PREVIEW_CHARS = 200_000


def _mailbox(request: HttpRequest, pk: int) -> Mailbox:
    box = Mailbox.objects.visible_to(request.user).filter(pk=pk).first()
    if box is None:
        raise NotFound(_("Mailbox not found."))
    return box


def _dead_letter(request: HttpRequest, pk: int) -> DeadLetter:
    dl = DeadLetter.objects.visible_to(request.user).filter(pk=pk).first()
    if dl is None:
        raise NotFound(_("Dead letter not found."))
    return dl


def _lookup(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        message = _("Unknown %(field)s.") % {"field": field}
        raise DomainError(message, field_errors={field: message})
    return obj


def _configure(request: HttpRequest, box: Mailbox | None, payload: MailboxIn) -> Mailbox:
    data = payload.dict()
    return services.configure_mailbox(
        box,
        actor=current_user(request),
        name=data["name"],
        host=data["host"],
        port=data["port"],
        security=data["security"],
        username=data["username"],
        auth=data["auth"],
        secret=data["secret"],
        oauth_client_id=data["oauth_client_id"],
        oauth_client_secret=data["oauth_client_secret"],
        oauth_token_url=data["oauth_token_url"],
        oauth_scope=data["oauth_scope"],
        ca_certificate=data["ca_certificate"],
        folder=data["folder"],
        after_processing=data["after_processing"],
        processed_folder=data["processed_folder"],
        default_call_type=_lookup(CallType, data["default_call_type_id"], "default_call_type_id"),
        default_category=_lookup(Category, data["default_category_id"], "default_category_id"),
        default_operator_group=_lookup(
            OperatorGroup, data["default_operator_group_id"], "default_operator_group_id"
        ),
        rate_limit_count=data["rate_limit_count"],
        rate_limit_minutes=data["rate_limit_minutes"],
        registers=data["registers"],
        active=data["active"],
        expected_version=data["version"],
    )


@access.gate(MAILBOXES)
@router.get(
    "/mailboxes", response={200: list[MailboxOut], **errors(403)}, summary="List mailboxes (administrators)"
)
def list_mailboxes(request: HttpRequest) -> list[Mailbox]:
    return list(Mailbox.objects.visible_to(request.user).order_by("name", "id")[:500])


@access.gate(MAILBOXES)
@router.post("/mailboxes", response={201: MailboxOut, **errors(400, 403)}, summary="Add a mailbox")
def create_mailbox(request: HttpRequest, payload: MailboxIn) -> Answer[Mailbox]:
    return Answer(201, _configure(request, None, payload))


@access.gate(MAILBOXES)
@router.get("/mailboxes/{mailbox_id}", response={200: MailboxOut, **errors(403, 404)})
def get_mailbox(request: HttpRequest, mailbox_id: Id) -> Mailbox:
    return _mailbox(request, mailbox_id)


@access.gate(MAILBOXES)
@router.put(
    "/mailboxes/{mailbox_id}",
    response={200: MailboxOut, **errors(400, 403, 404, 409)},
    summary="Change a mailbox (send its version)",
)
def update_mailbox(request: HttpRequest, mailbox_id: Id, payload: MailboxIn) -> Mailbox:
    version_sent(payload.version)
    return _configure(request, _mailbox(request, mailbox_id), payload)


@access.gate(MAILBOXES)
@router.delete("/mailboxes/{mailbox_id}", response={204: None, **errors(403, 404)})
def delete_mailbox(request: HttpRequest, mailbox_id: Id) -> Answer[None]:
    services.delete_mailbox(_mailbox(request, mailbox_id), actor=request.user)  # type: ignore[arg-type]
    return Answer(204, None)


@access.gate(MAILBOXES)
@router.post(
    "/mailboxes/{mailbox_id}/test",
    response={200: ConnectionOut, **errors(400, 403, 404)},
    summary="Sign in and open the folder",
)
def test_mailbox(request: HttpRequest, mailbox_id: Id) -> dict[str, Any]:
    count = services.check_connection(_mailbox(request, mailbox_id), actor=request.user)  # type: ignore[arg-type]
    return {"ok": True, "messages_waiting": count}


@access.gate(MAILBOXES)
@router.get(
    "/mailboxes/{mailbox_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A mailbox's history, newest first (keyset pagination)",
)
def mailbox_history(
    request: HttpRequest, mailbox_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    """Who created, changed or removed the mailbox or its rules, when, what, old -> new (labels and
    values in the reader's language; the password, refresh token and client secret only as changed),
    `limit` (1-200) per page; pass `next_cursor` as `cursor` for older rows. A mailbox that does not
    exist answers 404."""
    return subject_history_page(
        MailboxHistoryEntry,
        mailbox_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Mailbox not found."),
    )


@router.get(
    "/dead-letters",
    response={200: DeadLetterPage, **errors(400, 403)},
    summary="Messages that could not be processed",
)
def list_dead_letters(request: HttpRequest, params: Query[DeadLetterParams]) -> dict[str, Any]:
    if not 1 <= params.limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    user = current_user(request)
    qs = DeadLetter.objects.visible_to(user).defer("raw")
    if params.status != "all":
        qs = qs.filter(status=params.status)
    page = keyset_page(qs, DEAD_LETTER_ORDER, cursor=params.cursor, size=params.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@access.gate(DEAD_LETTER)
@router.get("/dead-letters/{dead_letter_id}", response={200: DeadLetterDetailOut, **errors(403, 404)})
def get_dead_letter(request: HttpRequest, dead_letter_id: Id) -> dict[str, Any]:
    dl = _dead_letter(request, dead_letter_id)
    fields = {name: getattr(dl, name) for name in DeadLetterOut.model_fields}
    raw_text = bytes(dl.raw)[:RAW_PREVIEW_CHARS].decode("utf-8", "replace")
    return {**fields, "raw_text": raw_text}


@access.gate(DEAD_LETTER)
@router.post(
    "/dead-letters/{dead_letter_id}/retry",
    response={200: ResultOut, **errors(400, 403, 404, 409)},
    summary="Process the message again",
)
def retry_dead_letter(request: HttpRequest, dead_letter_id: Id) -> dict[str, Any]:
    result = services.retry_dead_letter(_dead_letter(request, dead_letter_id), actor=request.user)  # type: ignore[arg-type]
    return {"outcome": result.outcome, "melding_id": result.melding_id}


@access.gate(DEAD_LETTER)
@router.post(
    "/dead-letters/{dead_letter_id}/convert",
    response={200: ResultOut, **errors(400, 403, 404, 409)},
    summary="Register it as a melding",
)
def convert_dead_letter(request: HttpRequest, dead_letter_id: Id, payload: ConvertIn) -> dict[str, Any]:
    melding = services.convert_dead_letter_to_melding(
        _dead_letter(request, dead_letter_id),
        brief_description=payload.brief_description,
        actor=request.user,  # type: ignore[arg-type]
    )
    return {"outcome": "melding", "melding_id": melding.pk}


@access.gate(DEAD_LETTER)
@router.post(
    "/dead-letters/{dead_letter_id}/discard",
    response={200: DeadLetterOut, **errors(403, 404, 409)},
    summary="Discard (coordinators)",
)
def discard_dead_letter(request: HttpRequest, dead_letter_id: Id) -> DeadLetter:
    dl = _dead_letter(request, dead_letter_id)
    services.discard_dead_letter(dl, actor=request.user)  # type: ignore[arg-type]
    dl.refresh_from_db()
    return dl
