"""What the writes of preventive activities share: limits, input cleaning, who may act, the log.

Each service function takes the object first, keyword-only arguments after and an explicit actor; it
checks the rules, writes the log itself and raises DomainError (or a subclass) when a rule refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import DomainError, PermissionDenied

from ..models import ActivitySeries, LogEntry, Occurrence

NAME_MAX = 120
TEXT_MAX = 20_000
REASON_MAX = 4000
REMARK_MAX = 500
ITEM_MAX = 300
MAX_ITEMS = 50
OBJECT_MAX = 200
MAX_OBJECTS = 50
MAX_LEAD_DAYS = 366
MAX_GRACE_HOURS = 24 * 366
MAX_REMIND_HOURS = 24 * 366
MAX_MINUTES = 24 * 60
# Occurrences missed while no worker ran are created afterwards (as overdue) for this long back.
LOOKBACK = timedelta(days=31)
MAX_PER_RUN = 400  # occurrences per series per run: a daily rule a year ahead fits
PREVIEW_COUNT = 5


def _now() -> datetime:
    return clock.now()


def _clean(value: str, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        message = _("%(label)s is required.") % {"label": label}
        raise DomainError(message, field_errors={field: message})
    if len(text) > max_length:
        message = _("%(label)s is too long: at most %(max)d characters.") % {
            "label": label,
            "max": max_length,
        }
        raise DomainError(message, field_errors={field: message})
    return text


def _clean_list(
    values: Sequence[str], *, field: str, label: str, max_items: int, max_length: int
) -> list[str]:
    cleaned = [(v or "").replace("\x00", "").strip() for v in values]
    cleaned = [v for v in cleaned if v]
    if len(cleaned) > max_items:
        message = _("%(label)s: at most %(max)d lines.") % {"label": label, "max": max_items}
        raise DomainError(message, field_errors={field: message})
    for v in cleaned:
        if len(v) > max_length or "\n" in v or "\r" in v:
            message = _("%(label)s: each line at most %(max)d characters.") % {
                "label": label,
                "max": max_length,
            }
            raise DomainError(message, field_errors={field: message})
    return cleaned


def _bounded(value: int, *, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        message = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        raise DomainError(message, field_errors={field: message})
    return value


def _ensure_manager(actor: User) -> None:
    if not actor.is_active or not actor.is_coordinator:
        raise PermissionDenied(_("Only coordinators and administrators manage preventive activities."))


def _ensure_staff(actor: User) -> None:
    if not actor.is_active or not actor.is_staff_member:
        raise PermissionDenied(_("Only operators carry out preventive activities."))


def _log(
    series: ActivitySeries | int,
    actor: User | None,
    action: str,
    *,
    now: datetime,
    occurrence: Occurrence | None = None,
    detail: str = "",
) -> None:
    LogEntry.objects.create(
        series_id=series if isinstance(series, int) else series.pk,
        occurrence=occurrence,
        actor=actor,
        at=now,
        action=action,
        detail=detail,
    )
