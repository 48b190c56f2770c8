"""Recording probe results: the SOFT/HARD state machine per result, and what a change reports.

`record_result` is called for every push ping (and by tests); `record_results` records a batch of the
monitor process's outcomes in a few statements; `record_batch` is what the monitor calls: the batch,
and when its transaction fails, check by check. A change worth reporting opens or updates the
outage's melding in the same transaction: one melding per outage, not per result.

No single check stops the recording of the others. A report that fails (the servicedesk refuses the
melding: a second-line operator group, an inactive group) is rolled back to a savepoint and the
result is recorded without it: the state moves on, what was reported stays, so the next result
tries again, and the reason is kept on the check's state row (`error`, `error_at`) until a result
is recorded cleanly. A batch whose transaction fails as a whole (a check deleted while it was
probed, a value the database refuses) is recorded again check by check, each in a savepoint: the
results of deleted checks are dropped, a check that still fails gets its error and its lease back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from beheer.calendars.windows import Window
from beheer.cmdb import impact
from beheer.core import clock, config_cache, loops

from .. import states
from ..models import (
    Check,
    CheckResult,
    CheckState,
    MaintenanceWindow,
)
from .outages import _note, _open_outage, _recovered

logger = logging.getLogger(__name__)

DETAIL_MAX = 500
ERROR_MAX = 500


def describe_error(exc: BaseException) -> str:
    """What is kept on the check's state row about a failure: a domain rule's own message, else
    the kind of error and its text."""
    return loops.describe(exc)[:ERROR_MAX]


@dataclass(frozen=True)
class ActiveWindow:
    """An active maintenance window with what it covers: checks, tags and hosts."""

    window: Window
    checks: frozenset[int]
    tags: frozenset[str]
    hosts: frozenset[str]

    def covers(self, check_id: int, tags: frozenset[str], host: str) -> bool:
        return check_id in self.checks or bool(tags & self.tags) or (bool(host) and host in self.hosts)


def _active_windows() -> list[ActiveWindow]:
    """Every active window with the checks, tags and hosts it covers; configuration, kept per
    process for a few seconds, so recording a result does not read every window again.

    A window's configuration items count as the checks linked to them (and, with
    `include_dependants`, to every CI that rests on them): resolved to check ids here, when the
    windows are loaded, so a probe never asks the CMDB. Bounded: the windows with their checks and
    CIs, one walk per window with dependants, and one read of the checks on all those CIs."""
    return config_cache.cached("maintenance_windows", _load_windows)


def _load_windows() -> list[ActiveWindow]:
    rows = [
        (w, pure)
        for w in MaintenanceWindow.objects.filter(active=True).prefetch_related("checks", "cis")
        if (pure := w.window()) is not None
    ]
    cis_of: dict[int, set[int]] = {}
    for w, _pure in rows:
        own = {ci.pk for ci in w.cis.all()}
        cis_of[w.pk] = impact.reach(own, impact.UP) if own and w.include_dependants else own
    every_ci = set().union(*cis_of.values()) if cis_of else set()
    checks_on: dict[int, set[int]] = {}
    if every_ci:
        for check_id, ci_id in Check.objects.filter(ci_id__in=every_ci).values_list("pk", "ci_id"):
            checks_on.setdefault(ci_id, set()).add(check_id)
    return [
        ActiveWindow(
            pure,
            frozenset(
                {c.pk for c in w.checks.all()}.union(*(checks_on.get(ci, set()) for ci in cis_of[w.pk]))
            ),
            frozenset(w.tag_list),
            frozenset(w.host_list),
        )
        for w, pure in rows
    ]


def windows_covering(check: Check) -> list[Window]:
    """The active windows that apply to the check (directly, through a tag or through its host)."""
    tags, host = frozenset(check.tag_list), check.host.strip().lower()
    return [w.window for w in _active_windows() if w.covers(check.pk, tags, host)]


def in_maintenance(check: Check, at: datetime) -> bool:
    return _in_maintenance(check.pk, frozenset(check.tag_list), check.host.strip().lower(), at)


def _in_maintenance(check_id: int, tags: frozenset[str], host: str, at: datetime) -> bool:
    return _covered(_active_windows(), check_id, tags, host, at)


def _covered(
    windows: list[ActiveWindow], check_id: int, tags: frozenset[str], host: str, at: datetime
) -> bool:
    return any(w.covers(check_id, tags, host) and w.window.active_at(at) for w in windows)


def _parent_down(check: Check) -> bool:
    if check.parent_id is None:
        return False
    parent_state = CheckState.objects.filter(check_obj_id=check.parent_id).values_list(
        "hard_status", flat=True
    )
    return bool(parent_state) and parent_state[0] == states.Status.DOWN


def _reports(before: states.State, after: states.State, events: list[states.Event], *, quiet: bool) -> bool:
    """Whether this step tells people something (a melding opened, noted or resolved): the rare case
    that needs the check and its melding from the database. What people were told is decided here,
    not by the state machine alone: a check that went down during maintenance or behind a down
    parent is reported once that ends, if it is still down; a recovery is always reported when a
    melding is open (also one opened before a parent failed)."""
    if after is before or after.flapping:
        return any(e.kind == states.EventKind.FLAPPING_STARTED for e in events)
    if after.hard_status == states.Status.DOWN:
        return before.reported != states.Status.DOWN and not quiet
    return before.reported == states.Status.DOWN


def _step(
    check: Check,
    state_row: CheckState,
    *,
    ok: bool,
    at: datetime,
    latency_ms: int | None,
    detail: str,
    suppressed: bool,
    report: bool = True,
) -> CheckResult:
    """Apply one result to the locked state row (changed in memory, not saved) and report what
    changed. Returns the result; it is saved here only when a report needs it in the database.
    With `report` off nothing is reported and what was last reported stays, so the next result
    tries the report again."""
    result = CheckResult(
        check_obj=check,
        at=at,
        ok=ok,
        latency_ms=latency_ms,
        detail=_clean_detail(detail),
        in_maintenance=in_maintenance(check, at),
        suppressed=suppressed,
    )
    before = state_row.as_state()
    after, events = states.step(before, ok, check.policy())
    if after.hard_status != before.hard_status or state_row.hard_changed_at is None:
        state_row.hard_changed_at = at  # since when it is up or down (also from the first result)
    reported = before.reported
    quiet = result.in_maintenance or suppressed
    if report and _reports(before, after, events, quiet=quiet):
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
    if after.reported != reported:
        after = replace(after, reported=reported)
    state_row.status = after.status
    state_row.hard_status = after.hard_status
    state_row.attempt = after.attempt
    state_row.recent = list(after.recent)
    state_row.flapping = after.flapping
    state_row.reported = after.reported
    state_row.last_result_at = at
    return result


def _clean_detail(detail: str) -> str:
    return detail.replace("\x00", "")[:DETAIL_MAX]


@transaction.atomic
def record_result(
    check: Check, *, ok: bool, at: datetime | None = None, latency_ms: int | None = None, detail: str = ""
) -> CheckResult:
    """Store one result and act on what it changes (see the module docstring).

    Without `at` the result is timed when the check's state row is locked, and never before the
    previous result: results of one check are recorded in the order they arrive. A report that
    fails is rolled back alone; the result is then stored without it and the reason kept on the
    state row."""
    state_row, _created = CheckState.objects.get_or_create(check_obj=check)
    state_row = CheckState.objects.select_for_update().get(pk=state_row.pk)
    if at is None:
        at = clock.now()
        if state_row.last_result_at is not None and at < state_row.last_result_at:
            at = state_row.last_result_at  # the clock stepped back: keep the order of arrival
    suppressed = _parent_down(check)
    error = ""
    try:
        with transaction.atomic():  # a savepoint: a refused melding costs only the report
            result = _step(
                check, state_row, ok=ok, at=at, latency_ms=latency_ms, detail=detail, suppressed=suppressed
            )
            if result.pk is None:
                result.save()
    except Exception as exc:
        logger.exception("Reporting the result of check %s failed; recorded without the report", check.pk)
        error = describe_error(exc)
        state_row = CheckState.objects.select_for_update().get(pk=state_row.pk)
        result = _step(
            check,
            state_row,
            ok=ok,
            at=at,
            latency_ms=latency_ms,
            detail=detail,
            suppressed=suppressed,
            report=False,
        )
        result.save()
    state_row.error, state_row.error_at = error, (clock.now() if error else None)
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


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """What probing and recording need of a check, without the model (a monitor process keeps one
    per check, by the check's version, instead of loading the check for every probe)."""

    pk: int
    version: int
    active: bool
    kind: str
    interval_seconds: int
    retry_interval_seconds: int
    parent_id: int | None
    tags: frozenset[str]
    host: str  # lower case: maintenance windows may name hosts
    policy: states.Policy

    @classmethod
    def of(cls, check: Check) -> CheckPlan:
        return cls(
            pk=check.pk,
            version=check.version,
            active=check.active,
            kind=str(check.kind),
            interval_seconds=check.interval_seconds,
            retry_interval_seconds=check.retry_interval_seconds,
            parent_id=check.parent_id,
            tags=frozenset(check.tag_list),
            host=check.host.strip().lower(),
            policy=check.policy(),
        )


@dataclass(slots=True)
class Claimed:
    """A check's state row as its monitor claimed it: while the lease is the monitor's nobody else
    writes the row, so recording does not read it again."""

    plan: CheckPlan
    state: states.State
    melding_id: int | None
    due_at: datetime | None
    lease_owner: str

    @property
    def pk(self) -> int:
        return self.plan.pk


# the state columns a claim returns, in the order `state_from_row` reads them
CLAIMED_COLUMNS = (
    "check_obj_id",
    "status",
    "hard_status",
    "attempt",
    "recent",
    "flapping",
    "reported",
    "melding_id",
    "next_due_at",
    "lease_owner",
)


def state_from_row(row: tuple[Any, ...]) -> tuple[int, states.State, int | None, datetime | None, str]:
    """(check id, state, melding id, due time, lease owner) from a row of CLAIMED_COLUMNS."""
    check_id, status, hard, attempt, recent, flapping, reported, melding_id, due, owner = row[:10]
    if isinstance(recent, str):
        recent = json.loads(recent)
    state = states.State(
        status=states.Status(status),
        hard_status=states.Status(hard),
        attempt=attempt,
        recent=tuple(bool(x) for x in recent or ()),
        flapping=bool(flapping),
        reported=states.Status(reported),
    )
    return check_id, state, melding_id, _aware(due), owner or ""


def _aware(value: Any) -> datetime | None:
    """A datetime from a raw row (SQLite returns text for expression columns)."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def claimed_rows(ids: list[int], *, lock: bool) -> dict[int, Claimed]:
    """The state rows of `ids` with their checks' plans (locked with `lock`), for recording."""
    if not ids:
        return {}
    table = connection.ops.quote_name(CheckState._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    locking = (
        " ORDER BY check_obj_id FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(CLAIMED_COLUMNS)} FROM {table} WHERE check_obj_id IN ({marks}){locking}",  # noqa: S608
            ids,
        )
        rows = cursor.fetchall()
    plans = {c.pk: CheckPlan.of(c) for c in Check.objects.filter(pk__in=[r[0] for r in rows])}
    claimed: dict[int, Claimed] = {}
    for row in rows:
        check_id, state, melding_id, due, owner = state_from_row(row)
        if check_id in plans:
            claimed[check_id] = Claimed(plans[check_id], state, melding_id, due, owner)
    return claimed


@transaction.atomic
def record_results(
    outcomes: list[Outcome], *, owner: str, now: datetime, claimed: dict[int, Claimed] | None = None
) -> int:
    """Record a batch of probe outcomes of the monitor process `owner` in one transaction.

    `claimed` are the state rows as the monitor read them when it claimed the checks: while `owner`
    holds the lease nobody else writes them, so they are not read again, and each is written back
    only if the lease is still the owner's. Without `claimed` the rows are read and locked here.
    A few statements for the whole batch: the parents' states, one insert of the results and one
    update of the state rows. A check whose lease passed to another monitor is recorded but not
    rescheduled; an inactive or deleted check is not recorded. Only a change worth reporting costs
    more: that check's row and melding are read and handled one by one (`_step`). Returns the
    number of results stored.
    """
    if not outcomes:
        return 0
    if claimed is None:
        claimed = claimed_rows(sorted({o.check_id for o in outcomes}), lock=True)
    parent_ids = {c.plan.parent_id for c in claimed.values() if c.plan.parent_id}
    parents_down = (
        set(
            CheckState.objects.filter(pk__in=parent_ids, hard_status=states.Status.DOWN).values_list(
                "pk", flat=True
            )
        )
        if parent_ids
        else set()
    )
    results: list[tuple[Any, ...]] = []
    # per check: (state, result time, hard change time, next due, state changed since the claim)
    writes: dict[int, tuple[states.State, datetime | None, datetime | None, datetime, bool]] = {}
    reporting: list[tuple[Claimed, Outcome, bool]] = []
    reporting_ids: set[int] = set()
    windows = _active_windows() if outcomes else []  # read once per batch, never per result
    for outcome in sorted(outcomes, key=lambda o: (o.check_id, o.at)) if len(outcomes) > 1 else outcomes:
        row = claimed.get(outcome.check_id)
        if row is None:
            continue
        plan, before, at = row.plan, row.state, outcome.at
        earlier = writes.get(plan.pk)
        if not plan.active:
            writes[plan.pk] = (
                before,
                None,
                None,
                next_due(plan, before, outcome, now),
                bool(earlier and earlier[4]),
            )
            continue
        suppressed = plan.parent_id in parents_down
        maintenance = _covered(windows, plan.pk, plan.tags, plan.host, at)
        after, events = states.step(before, outcome.ok, plan.policy)
        if plan.pk in reporting_ids or _reports(before, after, events, quiet=maintenance or suppressed):
            reporting.append((row, outcome, suppressed))  # after this batch's plain writes, in order
            reporting_ids.add(plan.pk)
            continue
        if after.reported != before.reported:
            after = replace(after, reported=before.reported)
        results.append(
            (
                plan.pk,
                at,
                outcome.ok,
                outcome.latency_ms,
                _clean_detail(outcome.detail),
                maintenance,
                suppressed,
            )
        )
        hard_at = at if after.hard_status != before.hard_status else (earlier[2] if earlier else None)
        changed = bool(earlier and earlier[4]) or not (after is before or after == before)
        writes[plan.pk] = (after, at, hard_at, next_due(plan, after, outcome, now), changed)
        row.state = after
    _insert_results(results)
    _save_states(
        [(pk, st, at, hard_at, due) for pk, (st, at, hard_at, due, changed) in writes.items() if changed],
        [(pk, at, due) for pk, (_st, at, _hard_at, due, changed) in writes.items() if not changed],
        owner,
    )
    stored = len(results)
    for row, outcome, suppressed in reporting:
        stored += _record_reporting(row, outcome, suppressed=suppressed, owner=owner, now=now)
    return stored


def _record_reporting(row: Claimed, outcome: Outcome, *, suppressed: bool, owner: str, now: datetime) -> int:
    """One result that tells people something, in a savepoint of its own: when the report fails
    (the servicedesk refuses the melding), the result is recorded without it and the reason is
    kept on the state row. Returns the number of results stored (0: the check no longer exists)."""
    before, melding_id = row.state, row.melding_id
    try:
        with transaction.atomic():
            return _record_reported(row, outcome, suppressed=suppressed, owner=owner, now=now, report=True)
    except Exception as exc:
        logger.exception("Reporting the result of check %s failed; recorded without the report", row.pk)
        row.state, row.melding_id = before, melding_id
        return _record_reported(
            row, outcome, suppressed=suppressed, owner=owner, now=now, report=False, error=describe_error(exc)
        )


def _record_reported(
    row: Claimed,
    outcome: Outcome,
    *,
    suppressed: bool,
    owner: str,
    now: datetime,
    report: bool,
    error: str = "",
) -> int:
    """One result with the check and its state row from the database (see `_record_reporting`)."""
    state_row = CheckState.objects.select_related("check_obj").filter(pk=row.pk).first()
    if state_row is None:  # deleted since it was claimed: nothing to record
        return 0
    check = state_row.check_obj
    result = _step(
        check,
        state_row,
        ok=outcome.ok,
        at=outcome.at,
        latency_ms=outcome.latency_ms,
        detail=outcome.detail,
        suppressed=suppressed,
        report=report,
    )
    if result.pk is None:
        result.save()
    state_row.next_due_at = next_due(row.plan, state_row, outcome, now)
    fields = [*_STATE_FIELDS, "melding", "hard_changed_at", "last_result_at", "next_due_at"]
    CheckState.objects.filter(pk=row.pk, lease_owner__in=("", owner)).update(
        **{name: getattr(state_row, name) for name in fields},
        lease_owner="",
        lease_until=None,
        error=error,
        error_at=now if error else None,
    )
    row.state = state_row.as_state()
    row.melding_id = state_row.melding_id
    return 1


@dataclass
class BatchReport:
    """What `record_batch` did: the results stored, and per check that failed, why."""

    recorded: int = 0
    failed: dict[int, str] = field(default_factory=dict)


def record_batch(
    outcomes: list[Outcome], *, owner: str, now: datetime, claimed: dict[int, Claimed] | None = None
) -> BatchReport:
    """Record the monitor's outcomes: the whole batch in one transaction (`record_results`), and
    only when that fails, check by check (`record_one_by_one`). The fast path is unchanged by the
    fallback; the fallback costs a few statements per check."""
    if not outcomes:
        return BatchReport()
    try:
        return BatchReport(record_results(outcomes, owner=owner, now=now, claimed=claimed))
    except Exception:
        logger.exception(
            "Recording %d results in one transaction failed; recording them per check", len(outcomes)
        )
    return record_one_by_one(outcomes, owner=owner, now=now)


@transaction.atomic
def record_one_by_one(outcomes: list[Outcome], *, owner: str, now: datetime) -> BatchReport:
    """Record each check's outcomes in a savepoint of its own, with its state row read (and
    locked) again: the claimed copies may have moved in the failed attempt. Outcomes of checks
    that no longer exist are dropped; a check that fails gets the reason on its state row and its
    lease released, so it is probed again at its next due time."""
    report = BatchReport()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a broken reference fails its own savepoint, not the commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    per_check: dict[int, list[Outcome]] = {}
    for outcome in outcomes:
        per_check.setdefault(outcome.check_id, []).append(outcome)
    claimed = claimed_rows(sorted(per_check), lock=True)
    for check_id, mine in per_check.items():
        row = claimed.get(check_id)
        if row is None:
            logger.warning("Dropped %d result(s) of check %s: it no longer exists", len(mine), check_id)
            continue
        before, melding_id = row.state, row.melding_id
        try:
            report.recorded += record_results(mine, owner=owner, now=now, claimed={check_id: row})
        except Exception as exc:  # record_results is atomic: here a savepoint, rolled back
            logger.exception("Recording %d result(s) of check %s failed", len(mine), check_id)
            row.state, row.melding_id = before, melding_id
            report.failed[check_id] = describe_error(exc)
            last = max(mine, key=lambda o: o.at)
            CheckState.objects.filter(pk=check_id, lease_owner__in=("", owner)).update(
                error=report.failed[check_id],
                error_at=now,
                lease_owner="",
                lease_until=None,
                next_due_at=next_due(row.plan, row.state, last, now),
            )
    return report


_STATE_FIELDS = ("status", "hard_status", "attempt", "recent", "flapping", "reported")
_RESULT_COLUMNS = ("check_obj_id", "at", "ok", "latency_ms", "detail", "in_maintenance", "suppressed")


def _insert_results(rows: list[tuple[Any, ...]]) -> None:
    """The results in one COPY (PostgreSQL) or one multi-row INSERT per 500 (the hot path)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, columns = quote(CheckResult._meta.db_table), ", ".join(quote(c) for c in _RESULT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params = [v for r in chunk for v in (r[0], adapt(r[1]), *r[2:])]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {marks}", params)  # noqa: S608


def _save_states(changed: list[tuple[Any, ...]], moved: list[tuple[Any, ...]], owner: str) -> None:
    """Write the state rows back and release the owner's leases; a row whose lease another monitor
    took meanwhile is left to that monitor (its state is written, its schedule is not). On
    PostgreSQL each kind of row is one UPDATE ... FROM unnest(arrays); elsewhere executemany."""
    table = connection.ops.quote_name(CheckState._meta.db_table)
    owner = owner[:100]
    if connection.vendor == "postgresql":
        _save_states_postgres(table, changed, moved, owner)
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        if changed:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, hard_status = %s, attempt = %s, recent = %s, "  # noqa: S608
                "flapping = %s, reported = %s, last_result_at = %s, "
                "hard_changed_at = COALESCE(%s, hard_changed_at, %s), "
                "next_due_at = %s, lease_owner = '', lease_until = NULL, error = '', error_at = NULL "
                "WHERE check_obj_id = %s AND lease_owner IN ('', %s)",
                [
                    (
                        a.status.value,
                        a.hard_status.value,
                        a.attempt,
                        json.dumps(a.recent),
                        a.flapping,
                        a.reported.value,
                        adapt(at),
                        adapt(hard),
                        adapt(at),
                        adapt(due),
                        pk,
                        owner,
                    )
                    for pk, a, at, hard, due in changed
                ],
            )
        if moved:
            cursor.executemany(
                f"UPDATE {table} SET last_result_at = COALESCE(%s, last_result_at), "  # noqa: S608
                "next_due_at = %s, lease_owner = '', lease_until = NULL, error = '', error_at = NULL "
                "WHERE check_obj_id = %s AND lease_owner IN ('', %s)",
                [(adapt(at), adapt(due), pk, owner) for pk, at, due in moved],
            )


def _save_states_postgres(
    table: str, changed: list[tuple[Any, ...]], moved: list[tuple[Any, ...]], owner: str
) -> None:
    with connection.cursor() as cursor:
        if changed:
            columns = [
                _array(str(pk) for pk, *_rest in changed),
                _array(a.status.value for _pk, a, *_rest in changed),
                _array(a.hard_status.value for _pk, a, *_rest in changed),
                _array(str(a.attempt) for _pk, a, *_rest in changed),
                _array(_json_element(a.recent) for _pk, a, *_rest in changed),
                _array("t" if a.flapping else "f" for _pk, a, *_rest in changed),
                _array(a.reported.value for _pk, a, *_rest in changed),
                _array(_moment(at) for _pk, _a, at, _hard, _due in changed),
                _array(_moment(hard) for _pk, _a, _at, hard, _due in changed),
                _array(_moment(due) for _pk, _a, _at, _hard, due in changed),
            ]
            cursor.execute(
                f"UPDATE {table} AS s SET status = v.status, hard_status = v.hard_status, "  # noqa: S608
                "attempt = v.attempt, recent = CAST(v.recent AS jsonb), flapping = v.flapping, "
                "reported = v.reported, last_result_at = v.at, "
                "hard_changed_at = COALESCE(v.hard_at, s.hard_changed_at, v.at), next_due_at = v.due, "
                "lease_owner = '', lease_until = NULL, error = '', error_at = NULL "
                "FROM unnest(CAST(%s AS integer[]), CAST(%s AS varchar[]), CAST(%s AS varchar[]), "
                "CAST(%s AS integer[]), CAST(%s AS text[]), CAST(%s AS boolean[]), CAST(%s AS varchar[]), "
                "CAST(%s AS timestamptz[]), CAST(%s AS timestamptz[]), CAST(%s AS timestamptz[])) "
                "AS v(id, status, hard_status, attempt, recent, flapping, reported, at, hard_at, due) "
                "WHERE s.check_obj_id = v.id AND s.lease_owner IN ('', %s)",
                [*columns, owner],
            )
        if moved:
            ids = _array(str(pk) for pk, _at, _due in moved)
            ats = _array(_moment(at) for _pk, at, _due in moved)
            dues = _array(_moment(due) for _pk, _at, due in moved)
            cursor.execute(
                f"UPDATE {table} AS s SET last_result_at = COALESCE(v.at, s.last_result_at), "  # noqa: S608
                "next_due_at = v.due, lease_owner = '', lease_until = NULL, error = '', error_at = NULL "
                "FROM unnest(CAST(%s AS integer[]), CAST(%s AS timestamptz[]), CAST(%s AS timestamptz[])) "
                "AS v(id, at, due) WHERE s.check_obj_id = v.id AND s.lease_owner IN ('', %s)",
                [ids, ats, dues, owner],
            )


# Array parameters written as PostgreSQL array literals here: psycopg adapts a Python list element by
# element in Python, which cost more than the rest of recording together.


def _array(elements: Iterable[str]) -> str:
    return "{" + ",".join(elements) + "}"


def _moment(value: datetime | None) -> str:
    return "NULL" if value is None else value.isoformat()  # no spaces: a plain array element


def _json_element(recent: tuple[bool, ...]) -> str:
    return '"[' + ",".join("true" if ok else "false" for ok in recent) + ']"'


def next_due(check: CheckPlan, state: states.State | CheckState, outcome: Outcome, now: datetime) -> datetime:
    """The next probe: an interval after this one was due (no drift), sooner while a failure is being
    confirmed, never in the past; an hour away for a check that is no longer active."""
    if not check.active:
        return now + timedelta(hours=1)
    soft = state.status != state.hard_status
    wait = timedelta(seconds=check.retry_interval_seconds if soft else check.interval_seconds)
    base = outcome.due_at or outcome.at
    return max(base + wait, now)
