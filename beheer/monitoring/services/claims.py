"""The monitor's hold on its checks: state rows for new checks, claims with a lease, and claimed
rows set aside when they cannot be probed.

`ensure_check_states` gives every active probed check a state row with a first due time spread over
its interval (`phase_offset`), so a restart never fires every check at once. `claim_due_states`
claims what falls due, in one statement (see the engine). `set_aside` releases the claim on a state
row that cannot be used (a broken row, a check that cannot be planned), keeps the reason on the row
where people see it, and tries again `SET_ASIDE` later.

No single check stops the bootstrap: a check whose first due time cannot be computed is left out
and logged; the state rows of checks deleted meanwhile are dropped before they are written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from beheer.core import loops

from ..models import Check, CheckKind, CheckState
from ._rows import constraints_immediate, insert_for_existing_checks
from .recording import CLAIMED_COLUMNS, ERROR_MAX

PROBED_KINDS = tuple(kind for kind in CheckKind if kind != CheckKind.PUSH)
LEASE = timedelta(seconds=120)
SET_ASIDE = timedelta(minutes=5)  # a broken row is tried again after this (the monitor's plan refresh)
BATCH = 500  # state rows per statement: one statement for 10,000 new checks would need memory for all


def phase_offset(check_id: int, interval_seconds: int) -> int:
    """A stable offset in [0, interval) for the check's first run."""
    digest = hashlib.sha256(f"beheer-check-{check_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(1, interval_seconds)


def _missing_states() -> list[tuple[int, int]]:
    """(id, interval) of the active probed checks without a state row."""
    return list(
        Check.objects.filter(active=True, kind__in=PROBED_KINDS, state__isnull=True).values_list(
            "pk", "interval_seconds"
        )
    )


def ensure_check_states(*, now: datetime) -> int:
    """Every active probed check has a state row with a first due time (phase-offset); returns the
    number of rows written (a row another monitor made a moment earlier counts too). Only a check
    without one costs a transaction (the monitor asks every ten seconds)."""
    rows = []
    for pk, interval in _missing_states():
        try:
            due = now + timedelta(seconds=phase_offset(pk, interval))
        except Exception as exc:  # this check's data breaks the arithmetic: the others go on
            loops.record_failure("check", pk, exc)
            continue
        rows.append(CheckState(check_obj_id=pk, next_due_at=due))
    if not rows:
        return 0
    with transaction.atomic():
        constraints_immediate()
        return len(insert_for_existing_checks(CheckState, rows, batch_size=BATCH, ignore_conflicts=True))


_CLAIM_SQL = (
    "UPDATE monitoring_checkstate SET lease_owner = %s, lease_until = %s "
    "WHERE check_obj_id IN ("
    " SELECT s.check_obj_id FROM monitoring_checkstate s"
    " JOIN monitoring_check c ON c.id = s.check_obj_id"
    " WHERE s.next_due_at <= %s AND (s.lease_until IS NULL OR s.lease_until < %s)"
    " AND c.active AND c.kind IN ({kinds})"
    " ORDER BY s.next_due_at LIMIT %s{lock})"
    " AND (lease_until IS NULL OR lease_until < %s) "
    "RETURNING {columns},"
    " (SELECT c2.version FROM monitoring_check c2 WHERE c2.id = monitoring_checkstate.check_obj_id)"
)


def claim_due_states(
    owner: str, *, now: datetime, limit: int, lookahead: timedelta, lease: timedelta
) -> list[tuple[Any, ...]]:
    """Claim up to `limit` checks due by `now + lookahead` for `owner`: their state rows
    (`CLAIMED_COLUMNS`) and their checks' versions.

    One statement: on PostgreSQL the candidates are locked with SKIP LOCKED, so monitors on several
    machines never claim the same check; SQLite has one writer at a time. Safe with many processes.
    """
    if limit <= 0:
        return []
    postgres = connection.vendor == "postgresql"
    sql = _CLAIM_SQL.format(
        kinds=", ".join(["%s"] * len(PROBED_KINDS)),
        lock=" FOR UPDATE OF s SKIP LOCKED" if postgres else "",
        columns=", ".join(CLAIMED_COLUMNS),
    )
    at = connection.ops.adapt_datetimefield_value
    kinds = [str(kind) for kind in PROBED_KINDS]
    params = [owner[:100], at(now + lease), at(now + lookahead), at(now), *kinds, limit, at(now)]
    with connection.cursor() as cursor:  # one statement: atomic without a transaction around it
        cursor.execute(sql, params)
        return cursor.fetchall()


def set_aside(check_id: int, *, owner: str, now: datetime, error: str) -> None:
    """A claimed state row that cannot be probed: the reason on the row (shown with the check), the
    claim released, and the next try `SET_ASIDE` from now. A row another monitor took over meanwhile
    is left to it."""
    CheckState.objects.filter(pk=check_id, lease_owner__in=("", owner[:100])).update(
        error=error[:ERROR_MAX],
        error_at=now,
        lease_owner="",
        lease_until=None,
        next_due_at=now + SET_ASIDE,
    )
