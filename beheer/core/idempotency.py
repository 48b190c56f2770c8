"""Idempotency-Key handling: a retried POST with the same key gets the first answer, not a second object."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 200


def run_once(
    *, user: Any, scope: str, key: str, request_hash: str, produce: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Run `produce` once per (user, scope, key); later calls replay the stored status and body.

    Without a key `produce` simply runs. With one, the record and whatever `produce` writes commit
    together, so a failed attempt leaves the key unused. A key reused with a different request body
    is refused.
    """
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(_("Idempotency-Key is too long."), field_errors={"Idempotency-Key": _("Too long.")})
    if not key:
        return produce()
    existing = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
    if existing is not None:
        return _replay(existing, request_hash)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, scope=scope, key=key, request_hash=request_hash
            )
            status, body = produce()
            record.status_code = status
            record.response = json.loads(json.dumps(body, default=str))
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        # A concurrent retry with the same key committed first.
        existing = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
        if existing is None:
            raise
        return _replay(existing, request_hash)
    return status, body


def _replay(record: IdempotencyRecord, request_hash: str) -> tuple[int, dict[str, Any]]:
    if record.request_hash != request_hash:
        raise DomainError(
            _("This Idempotency-Key was used for a different request."),
            field_errors={"Idempotency-Key": _("Reused with a different body.")},
        )
    return 200, record.response
