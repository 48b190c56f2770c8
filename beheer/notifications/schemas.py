"""Shapes of the notifications API (types and lengths only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine


class MessageOut(Schema):
    id: int
    key: str
    event: str
    channel: str
    recipient: str
    recipient_user_id: int | None
    language: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None
    bounced_at: datetime | None
    created_at: datetime
    expires_at: datetime | None
    attachment_count: int
    object_type: str
    object_id: int | None


class MessageDetailOut(MessageOut):
    message_id: str
    headers: dict[str, str]
    body_text: str
    body_html: str


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class OutboxParams(Schema):
    status: TextLine = ""
    event: TextLine = ""
    object_type: TextLine = Field("", max_length=60)
    object_id: Id | None = None
    cursor: TextLine | None = Field(None, max_length=500)
    limit: Int64 = 50


class PreferencesIn(Schema):
    preferences: dict[str, bool]


class PreferencesOut(Schema):
    preferences: dict[str, bool]


class PreviewIn(Schema):
    event: TextLine = Field(..., max_length=40)
    language: TextLine = Field("nl", max_length=5)
    subject: TextLine = Field(..., max_length=500)
    body: Text = Field(..., max_length=20000)
    body_html: Text = Field("", max_length=20000)


class PreviewOut(Schema):
    subject: str
    body_text: str
    body_html: str


class DiscardParams(Schema):
    status: TextLine = Field("", max_length=10, description="pending, retrying or dead; empty: all three")
    event: TextLine = Field("", max_length=40)
    older_than_hours: int = Field(0, ge=0, le=100_000)


class DiscardPreviewOut(Schema):
    count: int
    created_before: datetime = Field(description="Send this back to discard exactly these messages")


class DiscardIn(DiscardParams):
    created_before: datetime


class DiscardOut(Schema):
    id: int
    count: int
    created_at: datetime
    actor_id: int | None
    status: str
    event: str
    created_before: datetime


class TtlOut(Schema):
    hours: dict[str, int] = Field(description="Per event: hours a message may wait; 0: no limit")


class TtlIn(Schema):
    hours: dict[str, int]


class SummaryOut(Schema):
    waiting: int
    failed: int
    expired: int
    days: int = Field(description="failed and expired count the messages of this many days")
    mail_server_configured: bool
    oldest_waiting: datetime | None
