"""Schemas of the CMDB import API (`api/imports.py`)."""

from __future__ import annotations

from typing import Literal

from ninja import Field

from beheer.core.schemas import Schema


class ImportErrorOut(Schema):
    column: str
    message: str


class ImportRowOut(Schema):
    row: int
    action: Literal["create", "update", "unchanged", "reject"]
    key: str
    errors: list[ImportErrorOut]


class ImportCountsOut(Schema):
    create: int
    update: int
    unchanged: int
    reject: int


class ImportReportOut(Schema):
    kind: Literal["cis", "relations", "licences", "people"]
    key: str
    dry_run: bool
    partial: bool
    written: bool
    counts: ImportCountsOut
    rows: list[ImportRowOut]


class ImportJobOut(Schema):
    id: int
    kind: Literal["cis", "relations", "licences", "people"]
    key: str
    filename: str
    state: Literal["queued", "running", "finished", "failed"]
    dry_run: bool = Field(description="true while the job is the check of the file, false for the import")
    done: int
    total: int
    error: str
    report: ImportReportOut | None = Field(description="when the job is finished")
