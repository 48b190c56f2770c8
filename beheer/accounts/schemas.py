"""The shapes of the accounts API (the current user, API tokens, a password change): types and
lengths only; the services check the rules."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from beheer.core.schemas import Schema


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    language: str
    operator_groups: list[str]
    security_officer: bool
    privacy_officer: bool


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class PasswordIn(Schema):
    current_password: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str
