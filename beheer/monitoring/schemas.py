"""The shapes of the monitoring API (checks, pings, alerts, maintenance windows): types and lengths
only; the services check the rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine


class PingOut(Schema):
    ok: bool
    stored: bool  # always true: every ping is recorded (kept for clients that read it)


class CiRef(Schema):
    """A configuration item a check or window is linked to (its page is /cmdb/<id>/)."""

    id: int
    name: str


class CheckOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    host: str
    active: bool
    status: str
    hard_status: str
    flapping: bool
    last_result_at: Any = None
    melding_id: int | None = None
    availability_target: float
    latency_target_ms: int | None = None
    error: str = ""  # why the last result could not be recorded as it should; "" when it was
    error_at: Any = None
    ci_id: int | None = None
    ci: CiRef | None = None


class CheckPage(Schema):
    items: list[CheckOut]
    next_cursor: str | None


class AlertsOut(Schema):
    opened: int
    repeated: int
    resolved: int
    ignored: int


class CheckIn(Schema):
    name: TextLine
    kind: TextLine
    target: TextLine = ""
    host: TextLine = ""
    interval_seconds: Int64 = 60
    timeout_seconds: Int64 = 10
    max_attempts: Int64 = 3
    retry_interval_seconds: Int64 = 10
    grace_seconds: Int64 = 300
    parent: Id | None = None
    tags: TextLine = ""
    impact: Id | None = None
    urgency: Id | None = None
    operator_group: Id | None = None
    resolve_on_recovery: bool = True
    active: bool = True
    options: dict[str, Any] = {}
    availability_target: Decimal = Field(default=Decimal("99.9"), ge=0, le=100, decimal_places=3)
    latency_target_ms: Int64 | None = Field(default=None, ge=1, le=600_000)
    ci_id: Id | None = Field(
        default=None, description="The configuration item the check watches; null for none"
    )


class CheckUpdateIn(CheckIn):
    version: Int64 | None = None


class WindowIn(Schema):
    name: TextLine = Field(max_length=1000)
    start: datetime
    duration_minutes: Int64
    time_zone: TextLine = Field(default="", max_length=200, description="Empty: the installation's time zone")
    rule: Text = Field(default="", max_length=2000)
    checks: list[Id] = Field(default=[], max_length=5000)
    tags: TextLine | list[TextLine] = Field(default="", max_length=5000)
    hosts: TextLine | list[TextLine] = Field(default="", max_length=5000)
    ci_ids: list[Id] = Field(
        default=[], max_length=5000, description="Configuration items: the checks linked to them are covered"
    )
    include_dependants: bool = Field(
        default=False, description="Also the checks of every configuration item that rests on them"
    )
    active: bool = True


class WindowUpdateIn(WindowIn):
    version: Int64 | None = None


class WindowOut(Schema):
    id: int
    name: str
    start: datetime
    time_zone: str
    duration_minutes: int
    rule: str
    checks: list[int]
    tags: str
    hosts: str
    ci_ids: list[int]
    cis: list[CiRef]
    include_dependants: bool
    active: bool
    version: int
    next_start: datetime | None
    running: bool


class WindowPage(Schema):
    items: list[WindowOut]
    next_cursor: str | None


class WindowEndOut(WindowOut):
    outcome: str
