"""(to be written)"""

from __future__ import annotations

from ninja import Router

from beheer.core import access

router = access.declare(Router(tags=["testing"]), access.STAFF)
