"""(to be written)"""

from __future__ import annotations

from ninja import Router

from beheer.core import access

router = access.declare(Router(tags=["testing"]), access.STAFF)

portal_router = access.declare(Router(tags=["portal"]), access.SIGNED_IN)
