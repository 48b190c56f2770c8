"""The security API of this area (staff, /api/v1/security)."""

from __future__ import annotations

from ninja import Router

from beheer.core import access

router = access.declare(Router(tags=["security"]), access.STAFF)
