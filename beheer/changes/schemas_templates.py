"""Input and output shapes of the standard change templates in the API (/api/v1/change-templates)."""

from __future__ import annotations

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

from .schemas import ChangeRefOut


class TemplateActivityIn(Schema):
    title: TextLine = Field(min_length=1, max_length=200)
    estimate_minutes: int = Field(0, ge=0, le=60 * 24 * 365)
    operator_group_id: Id | None = None


class TemplateActivityOut(Schema):
    title: str
    estimate_minutes: int
    operator_group: ChangeRefOut | None
    order: int


class TemplateIn(Schema):
    name: TextLine = Field(min_length=1, max_length=200)
    title: TextLine = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=20_000)
    operator_group_id: Id | None = None
    active: bool = True
    activities: list[TemplateActivityIn] | None = Field(
        None, max_length=100, description="The activities in order; omit to keep them when changing"
    )
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class TemplateArchiveIn(Schema):
    version: Int64


class TemplateOut(Schema):
    id: int
    name: str
    title: str
    description: str
    operator_group: ChangeRefOut | None
    active: bool
    activities: list[TemplateActivityOut]
    version: int


class TemplatePage(Schema):
    items: list[TemplateOut]
    next_cursor: str | None
