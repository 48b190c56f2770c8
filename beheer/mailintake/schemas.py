"""Input and output shapes of the e-mail intake API (types and lengths only; the services check
the rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine


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
    registers: TextLine = Field(
        "melding", min_length=1, max_length=30, description="melding, or another kind: change_request"
    )
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
    registers: str
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
