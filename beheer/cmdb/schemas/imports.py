"""Schemas of the CMDB import API (`api/imports.py`)."""

from __future__ import annotations

from typing import Literal

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
    kind: Literal["cis", "relations"]
    key: str
    dry_run: bool
    partial: bool
    written: bool
    counts: ImportCountsOut
    rows: list[ImportRowOut]
