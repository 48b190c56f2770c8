"""The time to live of each event's messages: a message still waiting after it is never sent."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock, config_cache
from beheer.core.errors import DomainError

from ..events import EVENTS, MAX_TTL_HOURS, default_ttl_hours
from ..models import WAITING, EventSetting, OutgoingMessage
from ._base import _require_admin

logger = logging.getLogger(__name__)


def ttl_settings() -> dict[str, int]:
    """Every event's time to live in hours (0: no limit): the administrator's, else the default."""
    stored = config_cache.cached(  # configuration: kept per process for a few seconds
        ("notification_ttl",), lambda: dict(EventSetting.objects.values_list("event", "ttl_hours"))
    )
    return {code: stored.get(code, default_ttl_hours(code)) for code in EVENTS}


def ttl_hours(event: str) -> int:
    return ttl_settings().get(event, default_ttl_hours(event))


def _expiry(event: str, created_at: datetime) -> datetime | None:
    hours = ttl_hours(event)
    return created_at + timedelta(hours=hours) if hours else None


@transaction.atomic
def set_ttl_hours(*, actor: User, hours: Mapping[str, int]) -> dict[str, int]:
    """Change how long messages of each event may wait (administrators); messages still waiting
    get the new limit too, counted from when they were written."""
    _require_admin(actor)
    errors = {
        code: _("Enter a number of hours from 0 to %(max)d.") % {"max": MAX_TTL_HOURS}
        for code, value in hours.items()
        if code in EVENTS and not 0 <= int(value) <= MAX_TTL_HOURS
    }
    unknown = [code for code in hours if code not in EVENTS]
    if unknown:
        errors[unknown[0]] = _("Unknown event.")
    if errors:
        raise DomainError(_("The times to live are not valid."), field_errors=errors)
    now = clock.now()
    current = ttl_settings()
    for code, value in hours.items():
        value = int(value)
        if value == current[code]:
            continue
        EventSetting.objects.update_or_create(
            event=code, defaults={"ttl_hours": value, "updated_at": now, "updated_by": actor}
        )
        waiting = OutgoingMessage.objects.filter(event=code, status__in=WAITING)
        if value:
            waiting.update(expires_at=F("created_at") + timedelta(hours=value))
        else:
            waiting.update(expires_at=None)
        logger.info("Time to live of %s set to %d hours by %s", code, value, actor.pk)
    transaction.on_commit(config_cache.clear)
    return {**current, **{code: int(value) for code, value in hours.items()}}
