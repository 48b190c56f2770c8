"""Input and output shapes of the licence API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

from . import CmdbRefOut

LicenceModel = Literal["per_device", "per_user", "concurrent", "site", "subscription"]
State = Literal["ok", "over", "under"]


class ComplianceOut(Schema):
    entitlements: int | None
    assigned: int
    unlimited: bool
    available: int | None = Field(description="Entitlements minus assignments; negative: short")
    state: State
    state_label: str


class LicenceSummaryOut(Schema):
    id: int
    product: str
    licence_model: str
    entitlements: int | None
    assigned: int
    state: State
    supplier: CmdbRefOut | None
    expiry_date: date | None
    version: int


class LicencePage(Schema):
    items: list[LicenceSummaryOut]
    next_cursor: str | None


class LicenceOut(Schema):
    id: int
    product: str
    application: CmdbRefOut | None
    licence_model: str
    entitlements: int | None
    supplier: CmdbRefOut | None
    owner: CmdbRefOut | None
    start_date: date
    expiry_date: date | None
    cost: Decimal | None
    reference: str
    notes: str
    remind_days: int
    compliance: ComplianceOut
    created_at: datetime
    updated_at: datetime
    version: int


class LicenceIn(Schema):
    product: TextLine = Field(min_length=1, max_length=200)
    application_id: Id | None = None
    licence_model: LicenceModel
    entitlements: int | None = Field(None, ge=0, le=10_000_000, description="Empty for a site licence")
    supplier_id: Id | None = None
    owner_id: Id | None = None
    start_date: date
    expiry_date: date | None = None
    cost: Decimal | None = Field(None, ge=0, lt=Decimal("1e10"), max_digits=12, decimal_places=2)
    reference: TextLine = Field("", max_length=80)
    notes: Text = Field("", max_length=20_000)
    remind_days: int = Field(60, ge=0, le=365)
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class LicenceListParams(Schema):
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class VersionParams(Schema):
    version: Int64 | None = Field(None, description="The version you read; a stale one is a 409")


class AssignmentIn(Schema):
    ci_id: Id | None = Field(None, description="A configuration item (per-device and other models)")
    person_id: Id | None = Field(None, description="A person (per-user and other models)")


class AssignmentOut(Schema):
    id: int
    ci: CmdbRefOut | None
    person: CmdbRefOut | None
    assigned_at: datetime
    assigned_by: CmdbRefOut | None


class OverviewOut(Schema):
    licences: int
    ok: int
    over: int
    under: int


class LicenceFileVersionOut(Schema):
    id: int
    number: int
    original_name: str
    content_type: str
    size: int
    note: str
    uploaded_by: CmdbRefOut | None
    uploaded_at: datetime
    download_url: str


class LicenceFileOut(Schema):
    id: int
    name: str
    versions: list[LicenceFileVersionOut] = Field(description="newest first")


class LicenceFileForm(Schema):
    """The form fields beside the uploaded file: the name (empty: the file's own) and a note."""

    name: TextLine = ""
    note: Text = ""
