"""Input and output shapes of the CMDB API (types and lengths only; the services check the rules).

A CI's custom attributes travel as a JSON object `{code: value}`: a number as a number, a date as
an ISO string, yes/no as true/false, a choice or text as a string, and a reference (a CI or a
person) as an id on the way in and `{id, name}` on the way out.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

Kind = Literal["service", "software", "hardware", "network", "other"]
AttributeKind = Literal["text", "number", "date", "boolean", "choice", "ci", "person"]
Status = Literal["planned", "in_stock", "in_use", "in_repair", "retired"]
Environment = Literal["development", "test", "acceptance", "production", ""]  # "": none
EnvironmentFilter = Literal["development", "test", "acceptance", "production", "none"]
RelationKind = Literal["runs_on", "depends_on", "connected_to", "installed_on", "used_by", "part_of"]


class CmdbRefOut(Schema):
    id: int
    name: str


# --------------------------------------------------------------------------------------------------
# types and attributes


class AttributeOut(Schema):
    id: int
    code: str
    label: str
    label_nl: str
    label_en: str
    kind: str
    choices: list[str]
    required: bool
    order: int
    active: bool
    version: int


class TypeOut(Schema):
    id: int
    code: str
    name: str
    name_nl: str
    name_en: str
    kind: str
    shipped: bool
    order: int
    active: bool
    version: int
    attributes: list[AttributeOut]


class TypeIn(Schema):
    code: TextLine = Field(min_length=1, max_length=40)
    name_nl: TextLine = Field(min_length=1, max_length=80)
    name_en: TextLine = Field(min_length=1, max_length=80)
    kind: Kind = "other"
    order: int = Field(0, ge=0, le=100_000)
    active: bool = True
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class AttributeIn(Schema):
    code: TextLine = Field(min_length=1, max_length=40)
    label_nl: TextLine = Field(min_length=1, max_length=80)
    label_en: TextLine = Field(min_length=1, max_length=80)
    kind: AttributeKind
    choices: list[TextLine] = Field(default_factory=list, max_length=200, description="For a choice")
    required: bool = False
    order: int = Field(0, ge=0, le=100_000)
    active: bool = True
    version: Int64 | None = Field(None, description="The version you read; required when changing")


# --------------------------------------------------------------------------------------------------
# configuration items


class ItemListParams(Schema):
    """`attr.<code>=value` filters on a custom attribute besides these (at most 5)."""

    type: Id | None = Field(None, description="A CI type's id")
    status: Status | None = None
    environment: EnvironmentFilter | None = Field(
        None, description='The CI\'s environment (OTAP); "none" for CIs without one'
    )
    q: TextLine = Field("", max_length=200, description="Name or host name contains, asset tag or serial is")
    owner: Id | None = Field(None, description="The owner's id")
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class ItemSummaryOut(Schema):
    id: int
    name: str
    type: CmdbRefOut
    status: str
    environment: str = Field(description="development, test, acceptance, production or empty")
    owner: CmdbRefOut | None
    host_name: str
    asset_tag: str
    attributes: dict[str, Any] = Field(description="Custom attributes by code, as JSON values")
    version: int


class ItemPage(Schema):
    items: list[ItemSummaryOut]
    next_cursor: str | None


class ItemOut(Schema):
    id: int
    name: str
    type: CmdbRefOut
    status: str
    environment: str = Field(description="development, test, acceptance, production or empty")
    owner: CmdbRefOut | None
    users: list[CmdbRefOut]
    branch: CmdbRefOut | None
    department: CmdbRefOut | None
    location: CmdbRefOut | None
    supplier: CmdbRefOut | None
    asset_tag: str
    serial_number: str
    host_name: str
    addresses: str
    purchase_date: date | None
    warranty_until: date | None
    cost: Decimal | None
    description: str
    attributes: dict[str, Any] = Field(
        description="Custom attributes by code: numbers, ISO dates, booleans, strings, {id, name}"
    )
    created_at: datetime
    updated_at: datetime
    version: int


class ItemIn(Schema):
    name: TextLine = Field(min_length=1, max_length=200)
    type_id: Id
    status: Status = "in_use"
    environment: Environment | None = Field(
        None,
        description='The CI\'s environment (OTAP); "" for none; left out: a new CI has none, a '
        "changed CI keeps its own",
    )
    owner_id: Id | None = None
    user_ids: list[Id] = Field(default_factory=list, max_length=500)
    branch_id: Id | None = None
    department_id: Id | None = None
    location_id: Id | None = None
    supplier_id: Id | None = None
    asset_tag: TextLine = Field("", max_length=60)
    serial_number: TextLine = Field("", max_length=100)
    host_name: TextLine = Field("", max_length=255)
    addresses: Text = Field("", max_length=5000)
    purchase_date: date | None = None
    warranty_until: date | None = None
    cost: Decimal | None = Field(None, ge=0, lt=Decimal("1e10"), max_digits=12, decimal_places=2)
    description: Text = Field("", max_length=20_000)
    attributes: dict[str, Any] = Field(
        default_factory=dict,
        description="Custom attributes by code; a CI or a person by id; null or an empty string removes one",
    )
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class CiDeleteParams(Schema):
    version: Int64 | None = Field(None, description="The version you read")


# --------------------------------------------------------------------------------------------------
# relations and impact


class RelationOut(Schema):
    id: int
    direction: Literal["out", "in"] = Field(description="out: this CI is the source; in: the target")
    kind: str
    label: str = Field(description="How the relation reads from this CI's side")
    reverse_label: str
    other: CmdbRefOut
    description: str
    created_at: datetime


class RelationIn(Schema):
    target_id: Id
    kind: RelationKind
    description: TextLine = Field("", max_length=200)


class ImpactItemOut(Schema):
    id: int
    name: str
    type: str
    kind: str


class ImpactOut(Schema):
    direction: Literal["up", "down"]
    count: int
    service_count: int
    items: list[ImpactItemOut]
    people: list[CmdbRefOut]
    people_count: int
