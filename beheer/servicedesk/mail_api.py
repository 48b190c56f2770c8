"""JSON adapter for the e-mail channel: mailboxes (administrators) and dead letters (operators).

Mounted under /api/v1/mail/. Thin: authenticate, look up through `visible_to`, call one service.
Mailbox secrets are write-only: the API says whether one is stored, never returns it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

from .models import CallType, Category
from .models.mail import DeadLetter, Mailbox
from .services import mail_intake, mailboxes

router = Router(tags=["mail"])

DEAD_LETTER_ORDER = (SortKey("created_at", descending=True), SortKey("id", descending=True))
RAW_PREVIEW_CHARS = 200_000


class MailboxIn(Schema):
    name: TextLine = Field(min_length=1, max_length=100)
    host: TextLine = Field(min_length=1, max_length=255)
    port: int = Field(993, ge=1, le=65535)
    security: Literal["tls", "starttls"] = "tls"
    username: TextLine = Field(min_length=1, max_length=255)
    auth: Literal["password", "xoauth2"] = "password"
    secret: TextLine | None = Field(
        None, max_length=10_000, description="Password or refresh token; omit to keep"
    )
    oauth_client_id: TextLine = Field("", max_length=255)
    oauth_client_secret: TextLine | None = Field(None, max_length=10_000)
    oauth_token_url: TextLine = Field("", max_length=500)
    oauth_scope: TextLine = Field("", max_length=500)
    ca_certificate: Text = Field("", max_length=20_000)
    folder: TextLine = Field("INBOX", min_length=1, max_length=200)
    after_processing: Literal["move", "flag"] = "move"
    processed_folder: TextLine = Field("Beheer", min_length=1, max_length=200)
    default_call_type_id: Id | None = None
    default_category_id: Id | None = None
    default_operator_group_id: Id | None = None
    rate_limit_count: int = Field(20, ge=0, le=100_000)
    rate_limit_minutes: int = Field(60, ge=0, le=10_080)
    active: bool = True
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class MailboxOut(Schema):
    id: int
    name: str
    host: str
    port: int
    security: str
    username: str
    auth: str
    has_secret: bool
    oauth_client_id: str
    oauth_token_url: str
    oauth_scope: str
    folder: str
    after_processing: str
    processed_folder: str
    default_call_type_id: int | None
    default_category_id: int | None
    default_operator_group_id: int | None
    rate_limit_count: int
    rate_limit_minutes: int
    active: bool
    last_poll_at: datetime | None
    last_error: str
    version: int


class ConnectionOut(Schema):
    ok: bool
    messages_waiting: int


class DeadLetterOut(Schema):
    id: int
    mailbox_id: int | None
    sender: str
    subject: str
    reason: str
    reason_label: str = Field(description="The reason in words, in the language of the request")
    detail: str
    status: str
    raw_size: int
    truncated: bool
    created_at: datetime
    resolved_at: datetime | None
    resolved_by_id: int | None
    melding_id: int | None


class DeadLetterDetailOut(DeadLetterOut):
    raw_text: str = Field(description="The raw source decoded as UTF-8 (undecodable bytes replaced)")


class DeadLetterPage(Schema):
    items: list[DeadLetterOut]
    next_cursor: str | None


class DeadLetterParams(Schema):
    status: Literal["open", "retried", "converted", "discarded", "all"] = "open"
    cursor: TextLine | None = None
    limit: Int64 = 50


class ConvertIn(Schema):
    brief_description: TextLine = Field(min_length=1, max_length=80)


class ResultOut(Schema):
    outcome: str
    melding_id: int | None


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_administrator:
        raise PermissionDenied(_("Only administrators may configure mailboxes."))
    return user


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
    return mailboxes.configure_mailbox(
        box,
        actor=_admin(request),
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
        active=data["active"],
        expected_version=data["version"],
    )


@router.get("/mailboxes", response=list[MailboxOut], summary="List mailboxes (administrators)")
def list_mailboxes(request: HttpRequest) -> list[Mailbox]:
    _admin(request)
    return list(Mailbox.objects.visible_to(request.user).order_by("name", "id")[:500])


@router.post("/mailboxes", response={201: MailboxOut}, summary="Add a mailbox")
def create_mailbox(request: HttpRequest, payload: MailboxIn) -> Answer[Mailbox]:
    return Answer(201, _configure(request, None, payload))


@router.get("/mailboxes/{mailbox_id}", response=MailboxOut)
def get_mailbox(request: HttpRequest, mailbox_id: Id) -> Mailbox:
    _admin(request)
    return _mailbox(request, mailbox_id)


@router.put("/mailboxes/{mailbox_id}", response=MailboxOut, summary="Change a mailbox (send its version)")
def update_mailbox(request: HttpRequest, mailbox_id: Id, payload: MailboxIn) -> Mailbox:
    _admin(request)
    if payload.version is None:
        raise DomainError(_("Send the version you read."), field_errors={"version": _("Required.")})
    return _configure(request, _mailbox(request, mailbox_id), payload)


@router.delete("/mailboxes/{mailbox_id}", response={204: None})
def delete_mailbox(request: HttpRequest, mailbox_id: Id) -> Answer[None]:
    _admin(request)
    mailboxes.delete_mailbox(_mailbox(request, mailbox_id), actor=request.user)  # type: ignore[arg-type]
    return Answer(204, None)


@router.post("/mailboxes/{mailbox_id}/test", response=ConnectionOut, summary="Sign in and open the folder")
def test_mailbox(request: HttpRequest, mailbox_id: Id) -> dict[str, Any]:
    _admin(request)
    count = mailboxes.check_connection(_mailbox(request, mailbox_id), actor=request.user)  # type: ignore[arg-type]
    return {"ok": True, "messages_waiting": count}


@router.get("/dead-letters", response=DeadLetterPage, summary="Messages that could not be processed")
def list_dead_letters(request: HttpRequest, params: Query[DeadLetterParams]) -> dict[str, Any]:
    if not 1 <= params.limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    user: User = request.user  # type: ignore[assignment]
    if not user.is_staff_member:
        raise PermissionDenied(_("Only operators may do this."))
    qs = DeadLetter.objects.visible_to(user).defer("raw")
    if params.status != "all":
        qs = qs.filter(status=params.status)
    page = keyset_page(qs, DEAD_LETTER_ORDER, cursor=params.cursor, size=params.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/dead-letters/{dead_letter_id}", response=DeadLetterDetailOut)
def get_dead_letter(request: HttpRequest, dead_letter_id: Id) -> dict[str, Any]:
    dl = _dead_letter(request, dead_letter_id)
    fields = {name: getattr(dl, name) for name in DeadLetterOut.model_fields}
    raw_text = bytes(dl.raw)[:RAW_PREVIEW_CHARS].decode("utf-8", "replace")
    return {**fields, "raw_text": raw_text}


@router.post("/dead-letters/{dead_letter_id}/retry", response=ResultOut, summary="Process the message again")
def retry_dead_letter(request: HttpRequest, dead_letter_id: Id) -> dict[str, Any]:
    result = mail_intake.retry_dead_letter(_dead_letter(request, dead_letter_id), actor=request.user)  # type: ignore[arg-type]
    return {"outcome": result.outcome, "melding_id": result.melding_id}


@router.post("/dead-letters/{dead_letter_id}/convert", response=ResultOut, summary="Register it as a melding")
def convert_dead_letter(request: HttpRequest, dead_letter_id: Id, payload: ConvertIn) -> dict[str, Any]:
    melding = mail_intake.convert_dead_letter_to_melding(
        _dead_letter(request, dead_letter_id),
        brief_description=payload.brief_description,
        actor=request.user,  # type: ignore[arg-type]
    )
    return {"outcome": "melding", "melding_id": melding.pk}


@router.post(
    "/dead-letters/{dead_letter_id}/discard", response=DeadLetterOut, summary="Discard (coordinators)"
)
def discard_dead_letter(request: HttpRequest, dead_letter_id: Id) -> DeadLetter:
    dl = _dead_letter(request, dead_letter_id)
    mail_intake.discard_dead_letter(dl, actor=request.user)  # type: ignore[arg-type]
    dl.refresh_from_db()
    return dl
