"""Input and output shapes of the contract API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

from . import CmdbRefOut

ContractKind = Literal["maintenance", "support", "lease", "subscription"]


class ContractSummaryOut(Schema):
    id: int
    title: str
    kind: str
    supplier: CmdbRefOut
    end_date: date
    notice_date: date
    auto_renewal: bool
    version: int


class ContractPage(Schema):
    items: list[ContractSummaryOut]
    next_cursor: str | None


class ContractOut(Schema):
    id: int
    title: str
    kind: str
    reference: str
    supplier: CmdbRefOut
    start_date: date
    end_date: date
    notice_days: int
    notice_date: date
    auto_renewal: bool
    response_time: str
    contacts: str
    covered_cis: list[CmdbRefOut]
    owner: CmdbRefOut | None
    cost: Decimal | None
    notes: str
    remind_days: int
    created_at: datetime
    updated_at: datetime
    version: int


class ContractIn(Schema):
    title: TextLine = Field(min_length=1, max_length=200)
    supplier_id: Id
    kind: ContractKind
    reference: TextLine = Field("", max_length=80)
    start_date: date
    end_date: date
    notice_days: int = Field(0, ge=0, le=3650)
    auto_renewal: bool = False
    response_time: TextLine = Field("", max_length=120)
    contacts: Text = Field("", max_length=5000)
    covered_ci_ids: list[Id] = Field(default_factory=list, max_length=1000)
    owner_id: Id | None = None
    cost: Decimal | None = Field(None, ge=0, lt=Decimal("1e10"), max_digits=12, decimal_places=2)
    notes: Text = Field("", max_length=20_000)
    remind_days: int = Field(60, ge=0, le=365)
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class ContractListParams(Schema):
    sort: Literal["notice", "end", "title"] = "notice"
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)
