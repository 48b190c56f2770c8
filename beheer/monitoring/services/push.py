"""Push (heartbeat) checks: the secret ping URL and the sweep for pings that are late."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.core.loops import isolated

from .. import states
from ..models import (
    Check,
    CheckKind,
    CheckResult,
    CheckState,
)
from .recording import record_result


def issue_push_token(check: Check, *, actor: User) -> str:
    """Give a push check a new secret URL token (the old URL stops working)."""
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators manage checks."))
    if check.kind != CheckKind.PUSH:
        raise DomainError(_("Only push checks have a ping URL."))
    token = secrets.token_urlsafe(24)
    Check.objects.filter(pk=check.pk).update(push_token=token)
    check.push_token = token
    return token


@transaction.atomic
def receive_push(token: str, *, ok: bool, detail: str = "", at: datetime | None = None) -> CheckResult:
    """A ping from a cron job or backup script; NotFound for an unknown or inactive token.

    Every ping is recorded, in the order the pings arrive: a success a moment after a failure (a
    job that retried) brings the check up at once. Without `at` the ping is timed when the check's
    state row is locked (see `record_result`)."""
    check = (
        Check.objects.filter(push_token=token, active=True, kind=CheckKind.PUSH).first() if token else None
    )
    if check is None:
        raise NotFound(_("Unknown ping URL."))
    # details, meldingen and errors in the installation's language, not that of the pinging client
    with translation.override(settings.LANGUAGE_CODE):
        if not detail:
            detail = _("Ping") if ok else _("Failure reported")
        return record_result(check, ok=ok, at=at, detail=detail)


def _overdue(check: Check, state: CheckState | None, now: datetime) -> bool:
    last = state.last_result_at if state else None
    if state is not None and state.status == states.Status.DOWN and last is not None:
        due = last + timedelta(seconds=check.interval_seconds)  # one failure per silent period
    else:
        due = (last or check.created_at) + timedelta(seconds=check.interval_seconds + check.grace_seconds)
    return now >= due


def sweep_overdue_pushes(*, now: datetime | None = None) -> int:
    """Record a failure for every push check whose ping is later than its period plus grace.

    Each check in a savepoint of its own: one that fails is rolled back alone, logged and counted
    on the job's run, and the others are swept. The check is judged again under its state row's
    lock, so a ping that arrived a moment ago is not followed by a "no ping" failure."""
    now = now or clock.now()
    made = 0
    candidates = Check.objects.filter(active=True, kind=CheckKind.PUSH).select_related("state")
    for check in candidates.iterator(chunk_size=500):
        if not _overdue(check, getattr(check, "state", None), now):
            continue
        with isolated("check", check.pk):
            made += _record_silence(check, now)
    return made


def _record_silence(check: Check, now: datetime) -> int:
    state = CheckState.objects.select_for_update().filter(pk=check.pk).first()
    if not _overdue(check, state, now):
        return 0
    last_ping = (
        CheckResult.objects.filter(check_obj=check, ok=True)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    when = (last_ping or check.created_at).isoformat(timespec="seconds")
    with translation.override(settings.LANGUAGE_CODE):  # a result detail: the installation's language
        detail = _("No ping since %(since)s.") % {"since": when}
        record_result(check, ok=False, at=now, detail=detail)
    return 1
