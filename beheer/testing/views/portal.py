"""(to be written)"""

from __future__ import annotations

from typing import Any

from beheer.core import access

ACCESS = access.SIGNED_IN

urlpatterns: list[Any] = []
