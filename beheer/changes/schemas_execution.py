"""API shapes of a change's execution: activities with their state, the installation log,
documents and proposed CMDB updates (beheer/changes/api/execution.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from beheer.core.schemas import Id, Schema, Text, TextLine

from .schemas import ChangeRefOut

State = Literal["open", "late", "done", "deviating"]
Decision = Literal["accept", "rework", "roll_back"]
UpdateStatus = Literal["proposed", "applied", "failed"]


class ExecutionActivityOut(Schema):
    id: int
    title: str
    state: State = Field(
        description="done; deviating (a deviation noted, not done); "
        "late (past its planned end, else the change's); open"
    )
    assignee: ChangeRefOut | None
    planned_end: datetime | None
    done_at: datetime | None
    done_by: ChangeRefOut | None
    deviation: str
    deviation_decision: Decision | Literal[""]
    deviation_decision_text: str
    deviation_decided_by: ChangeRefOut | None
    deviation_decided_at: datetime | None
    cmdb_updates: list[int] = Field(description="ids of the activity's proposed CMDB updates")


class DeviationDecisionIn(Schema):
    decision: Decision
    explanation: Text = Field("", max_length=4000)
    deviation: Text = Field(
        "", max_length=4000, description="the deviation; may be left empty when the activity has one already"
    )


class LogEntryIn(Schema):
    text: Text = Field(min_length=1, max_length=4000)
    activity_id: Id | None = None


class LogEntryOut(Schema):
    id: int
    at: datetime
    author: ChangeRefOut | None
    activity: ChangeRefOut | None
    text: str


class LogPage(Schema):
    items: list[LogEntryOut] = Field(description="newest first")
    next_cursor: str | None


class DocumentForm(Schema):
    """The form field beside the uploaded file."""

    note: Text = Field("", max_length=500)


class DocumentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    note: str
    uploaded_by: ChangeRefOut | None
    uploaded_at: datetime
    download_url: str


class NewCiIn(Schema):
    kind: Literal["new_ci"]
    activity_id: Id
    name: TextLine = Field(min_length=1, max_length=200)
    type_id: Id
    attributes: dict[Annotated[str, Field(max_length=40)], Any] = Field(
        default_factory=dict, description="custom attributes by code", max_length=50
    )


class AttributeChangeIn(Schema):
    kind: Literal["attribute"]
    activity_id: Id
    ci_id: Id
    field: TextLine = Field(
        min_length=1,
        max_length=60,
        description="name, status, host_name, serial_number, asset_tag, addresses, description, "
        "or a custom attribute's code (also as attributes.<code>)",
    )
    value: Text = Field("", max_length=20_000, description="empty removes a custom attribute")


class ProposedRelationIn(Schema):
    kind: Literal["relation"]
    activity_id: Id
    relation_kind: TextLine = Field(max_length=20)
    source_ci_id: Id | None = None
    source_update_id: Id | None = Field(None, description="a new CI proposed for this change, as the source")
    target_ci_id: Id | None = None
    target_update_id: Id | None = Field(None, description="a new CI proposed for this change, as the target")


CmdbUpdateIn = Annotated[NewCiIn | AttributeChangeIn | ProposedRelationIn, Field(discriminator="kind")]


class CmdbUpdateOut(Schema):
    id: int
    kind: Literal["new_ci", "attribute", "relation"]
    status: UpdateStatus
    activity: ChangeRefOut
    summary: str
    ci: ChangeRefOut | None = Field(description="the CI to change, or the relation's source")
    ci_name: str
    ci_type: ChangeRefOut | None
    name: str
    attributes: dict[str, Any]
    field: str
    old_value: str = Field(description="the value when the update was proposed")
    new_value: str
    relation_kind: str
    target: ChangeRefOut | None
    target_name: str
    source_update_id: int | None
    target_update_id: int | None
    result_ci: ChangeRefOut | None
    message: str = Field(description="why the update failed")
    applied_at: datetime | None
    proposed_by: ChangeRefOut | None
    proposed_at: datetime
