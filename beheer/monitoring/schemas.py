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


# --------------------------------------------------------------------------------------------------
# discovery over SNMP


class DiscoveryIn(Schema):
    address: TextLine = Field(
        default="",
        max_length=300,
        description="host or host:port; empty: the SNMP check's target, else the host name or address",
    )
    version: TextLine = Field(default="2c", max_length=2, description="2c or 3")
    community: TextLine = Field(default="", max_length=100, description="Empty: the CI's SNMP check's")
    username: TextLine = Field(default="", max_length=100)
    auth_protocol: TextLine = Field(default="", max_length=10, description="MD5, SHA, SHA224 ... SHA512")
    auth_key: TextLine = Field(default="", max_length=200, description="Empty: the CI's SNMP check's")
    priv_protocol: TextLine = Field(default="", max_length=10, description="DES, AES, AES192, AES256")
    priv_key: TextLine = Field(default="", max_length=200, description="Empty: the CI's SNMP check's")
    timeout_seconds: int = Field(default=5, ge=1, le=8, description="For the whole reading")
    apply: bool = Field(default=False, description="Apply the diff; false: only show it")
    disable: list[Id] = Field(default=[], max_length=5000, description="Gone interfaces to disable")
    remove: list[Id] = Field(
        default=[], max_length=5000, description="Gone interfaces to remove (a linked one is disabled)"
    )
    fill_item: bool = Field(default=False, description="Fill the CI's empty host name and description")
    expected_basis: TextLine | None = Field(
        default=None,
        max_length=64,
        description="The basis of a diff read before: 409 when the CI changed since",
    )


class DiscoveryDeviceOut(Schema):
    name: str
    description: str
    object_id: str
    location: str
    contact: str


class DiscoveryInterfaceOut(Schema):
    if_index: int
    name: str
    kind: str
    speed_mbit: int | None = None
    mac_address: str
    enabled: bool
    description: str
    operational: bool | None = None


class DiscoveryChangeOut(Schema):
    field: str
    old: str
    new: str


class DiscoveryChangedOut(Schema):
    interface_id: int
    name: str
    found: DiscoveryInterfaceOut
    changes: list[DiscoveryChangeOut]


class DiscoveryGoneOut(Schema):
    interface_id: int
    name: str
    enabled: bool
    linked: bool


class DiscoverySkippedOut(Schema):
    if_index: int
    name: str
    reason: str


class DiscoveryFailureOut(Schema):
    name: str
    reason: str


class DiscoveryAppliedOut(Schema):
    created: list[str]
    updated: list[str]
    disabled: list[str]
    removed: list[str]
    kept_linked: list[str]
    failed: list[DiscoveryFailureOut]
    item_changed: list[str]


class DiscoveryOut(Schema):
    device: DiscoveryDeviceOut
    basis: str
    truncated: bool
    new: list[DiscoveryInterfaceOut]
    changed: list[DiscoveryChangedOut]
    unchanged: int
    gone: list[DiscoveryGoneOut]
    skipped: list[DiscoverySkippedOut]
    item_changes: list[DiscoveryChangeOut]
    applied: DiscoveryAppliedOut | None = None
