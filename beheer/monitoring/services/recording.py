"""Recording probe results: the SOFT/HARD state machine per result, and what a change reports.

`record_result` is called for every push ping (and by tests); `record_results` records a batch of the
monitor process's outcomes in a few statements. A change worth reporting opens or updates the
outage's melding in the same transaction: one melding per outage, not per result."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from beheer.core import clock, config_cache

from .. import states
from ..models import (
    Check,
    CheckResult,
    CheckState,
    MaintenanceWindow,
)
from ..windows import Window
from .outages import _note, _open_outage, _recovered

DETAIL_MAX = 500


def _active_windows() -> list[tuple[Window, frozenset[int], frozenset[str]]]:
    """Every active window with the checks and tags it covers; configuration, kept per process
    for a few seconds, so recording a result does not read every window again."""
    return config_cache.cached(
        "maintenance_windows",
        lambda: [
            (pure, frozenset(c.pk for c in w.checks.all()), frozenset(w.tag_list))
            for w in MaintenanceWindow.objects.filter(active=True).prefetch_related("checks")
            if (pure := w.window()) is not None
        ],
    )


def in_maintenance(check: Check, at: datetime) -> bool:
    tags = set(check.tag_list)
    return any(
        (check.pk in checks or tags & window_tags) and window.active_at(at)
        for window, checks, window_tags in _active_windows()
    )


def _parent_down(check: Check) -> bool:
    if check.parent_id is None:
        return False
    parent_state = CheckState.objects.filter(check_obj_id=check.parent_id).values_list(
        "hard_status", flat=True
    )
    return bool(parent_state) and parent_state[0] == states.Status.DOWN


def _step(
    check: Check,
    state_row: CheckState,
    *,
    ok: bool,
    at: datetime,
    latency_ms: int | None,
    detail: str,
    suppressed: bool,
) -> CheckResult:
    """Apply one result to the locked state row (changed in memory, not saved) and report what
    changed. Returns the result; it is saved here only when a report needs it in the database."""
    result = CheckResult(
        check_obj=check,
        at=at,
        ok=ok,
        latency_ms=latency_ms,
        detail=detail.replace("\x00", "")[:DETAIL_MAX],
        in_maintenance=in_maintenance(check, at),
        suppressed=suppressed,
    )
    before = state_row.as_state()
    after, events = states.step(before, ok, check.policy())
    if after.hard_status != before.hard_status:
        state_row.hard_changed_at = at
    # What people were told is decided here, not by the state machine alone: a check that went down
    # during maintenance or behind a down parent is reported once that ends, if it is still down;
    # a recovery is always reported when a melding is open (also one opened before a parent failed).
    reported = before.reported
    quiet = result.in_maintenance or suppressed
    has_melding = state_row.melding_id is not None  # read the melding only when it is needed
    if any(e.kind == states.EventKind.FLAPPING_STARTED for e in events) and state_row.melding:
        _note(state_row.melding, _("The check is flapping: it keeps changing between up and down."))
    if not after.flapping:
        if after.hard_status == states.Status.DOWN and reported != states.Status.DOWN and not quiet:
            result.save()
            state_row.melding = _open_outage(check, state_row.melding, result)
            reported = states.Status.DOWN
        elif after.hard_status == states.Status.UP and reported == states.Status.DOWN:
            if has_melding and state_row.melding:
                result.save()
                _recovered(check, state_row.melding, result)
            reported = states.Status.UP
    after = replace(after, reported=reported)
    state_row.status = after.status
    state_row.hard_status = after.hard_status
    state_row.attempt = after.attempt
    state_row.recent = list(after.recent)
    state_row.flapping = after.flapping
    state_row.reported = after.reported
    state_row.last_result_at = at
    return result


@transaction.atomic
def record_result(
    check: Check, *, ok: bool, at: datetime | None = None, latency_ms: int | None = None, detail: str = ""
) -> CheckResult:
    """Store one result and act on what it changes (see the module docstring)."""
    at = at or clock.now()
    state_row, _created = CheckState.objects.get_or_create(check_obj=check)
    state_row = CheckState.objects.select_for_update().get(pk=state_row.pk)
    result = _step(
        check, state_row, ok=ok, at=at, latency_ms=latency_ms, detail=detail, suppressed=_parent_down(check)
    )
    if result.pk is None:
        result.save()
    state_row.save()
    return result


@dataclass(frozen=True)
class Outcome:
    """One probe's outcome, as the monitor process hands it over for recording."""

    check_id: int
    ok: bool
    at: datetime
    latency_ms: int | None
    detail: str
    due_at: datetime | None = None  # when the probe was due: the next one is due an interval later


_STATE_COLUMNS = (
    "status",
    "hard_status",
    "attempt",
    "recent",
    "flapping",
    "reported",
    "last_result_at",
    "hard_changed_at",
    "melding_id",
    "next_due_at",
    "lease_owner",
    "lease_until",
)
_RESULT_COLUMNS = ("check_obj_id", "at", "ok", "latency_ms", "detail", "in_maintenance", "suppressed")


@transaction.atomic
def record_results(
    outcomes: list[Outcome], *, owner: str, now: datetime, claimed: dict[int, CheckState] | None = None
) -> int:
    """Record a batch of probe outcomes of the monitor process `owner` in one transaction.

    `claimed` are the state rows (with their checks) as the monitor read them when it claimed the
    checks: while `owner` holds the lease nobody else writes them, so they are not read again, and
    each is written back only if the lease is still the owner's. Without `claimed` the rows are
    read and locked here. A few statements for the whole batch: the parents' states, one insert of
    the results and one update per state row (executemany). A check whose lease passed to another
    monitor is recorded but not rescheduled; an inactive or deleted check is not recorded. Only a
    change worth reporting costs more (a melding). Returns the number of results stored.
    """
    if not outcomes:
        return 0
    if claimed is None:
        ids = sorted({o.check_id for o in outcomes})
        claimed = {
            row.pk: row
            for row in CheckState.objects.select_for_update(of=("self",))
            .select_related("check_obj")
            .filter(pk__in=ids)
            .order_by("pk")
        }
    rows = claimed
    parent_ids = {row.check_obj.parent_id for row in rows.values() if row.check_obj.parent_id}
    parents_down = (
        set(
            CheckState.objects.filter(pk__in=parent_ids, hard_status=states.Status.DOWN).values_list(
                "pk", flat=True
            )
        )
        if parent_ids
        else set()
    )
    results: list[CheckResult] = []
    changed: list[CheckState] = []
    for outcome in sorted(outcomes, key=lambda o: (o.check_id, o.at)):
        row = rows.get(outcome.check_id)
        if row is None:
            continue
        check = row.check_obj
        if check.active:
            result = _step(
                check,
                row,
                ok=outcome.ok,
                at=outcome.at,
                latency_ms=outcome.latency_ms,
                detail=outcome.detail,
                suppressed=check.parent_id in parents_down,
            )
            if result.pk is None:
                results.append(result)
        if not row.lease_owner or row.lease_owner == owner:
            row.next_due_at = next_due(check, row, outcome, now)
        changed.append(row)
    _insert_results(results)
    _save_states(changed, owner)
    return len(results)


def _insert_results(results: list[CheckResult]) -> None:
    """One multi-row INSERT per 500 results, without the model machinery (the hot path)."""
    if not results:
        return
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    columns = ", ".join(quote(c) for c in _RESULT_COLUMNS)
    rows = [
        (r.check_obj_id, adapt(r.at), r.ok, r.latency_ms, r.detail, r.in_maintenance, r.suppressed)
        for r in results
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(CheckResult._meta.db_table)} ({columns}) VALUES {marks}",  # noqa: S608
                [value for row in chunk for value in row],
            )


def _save_states(rows: list[CheckState], owner: str) -> None:
    """Write the state rows back (executemany; Django's bulk_update builds a CASE per field and row,
    which costs milliseconds per row) and release the owner's leases; a row whose lease another
    monitor took meanwhile is left to that monitor."""
    if not rows:
        return
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    json_mark = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    assignments = ", ".join(
        f"{quote(c)} = {json_mark if c == 'recent' else '%s'}" for c in _STATE_COLUMNS if c != "lease_owner"
    )
    sql = (
        f"UPDATE {quote(CheckState._meta.db_table)} SET {assignments}, {quote('lease_owner')} = '' "  # noqa: S608
        f"WHERE {quote('check_obj_id')} = %s AND {quote('lease_owner')} IN ('', %s)"
    )
    params = [
        (
            r.status,
            r.hard_status,
            r.attempt,
            json.dumps(r.recent),
            r.flapping,
            r.reported,
            adapt(r.last_result_at),
            adapt(r.hard_changed_at),
            r.melding_id,
            adapt(r.next_due_at),
            None,
            r.pk,
            owner[:100],
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def next_due(check: Check, row: CheckState, outcome: Outcome, now: datetime) -> datetime:
    """The next probe: an interval after this one was due (no drift), sooner while a failure is being
    confirmed, never in the past; an hour away for a check that is no longer active."""
    if not check.active:
        return now + timedelta(hours=1)
    soft = row.status != row.hard_status
    wait = timedelta(seconds=check.retry_interval_seconds if soft else check.interval_seconds)
    base = outcome.due_at or outcome.at
    return max(base + wait, now)
