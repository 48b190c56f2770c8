"""Secret option values (custom HTTP header values, SNMP community and keys) encrypted at rest.

Stored values carry the prefix `fernet:` and are encrypted with the Fernet key that also protects
the SMTP password (beheer/notifications/crypto.py, BEHEER_ENCRYPTION_KEY). A value without the prefix
is taken as plain text, so a value written some other way still works (and is sealed on its next save).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from beheer.notifications import crypto

from .options import map_secrets

PREFIX = "fernet:"


def _seal_one(value: str) -> str:
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + crypto.encrypt(value)


def _reveal_one(value: str) -> str:
    return crypto.decrypt(value[len(PREFIX) :]) if value.startswith(PREFIX) else value


def seal(kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """`options` with every secret value encrypted."""
    return map_secrets(kind, options, _seal_one)


def reveal(kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """`options` with every secret value decrypted; UnreadableSecret when the key changed."""
    return map_secrets(kind, options, _reveal_one)
