"""Scheduling maintenance windows: create, change, delete and end now.

Who: operators, coordinators and administrators, the people who define checks. Every rule is
checked here and reported per field (`name`, `start`, `time_zone`, `duration_minutes`, `rule`,
`checks`, `tags`, `hosts`).

A window's `start` is its first start as a local wall time in `time_zone` (stored as the instant it
stands for). A start given with a time-zone offset is converted to that local time first; one
without is taken as local time. A local time that does not exist (the spring-forward hour) is
refused, so the wall time shown is always the one the rule repeats.

A recurrence rule (RRULE) must be one that `windows.Window` evaluates (at most hourly), must start at
least 15 minutes apart and must occur at all (a rule such as "every 30 February" is refused: it would
make every evaluation walk the calendar to the year 9999).

`end_window_now` ends what is running, the way an administrator who finished early expects:

- a one-off window that is running is shortened so that it ends now (it stays as the record of the
  maintenance that took place); one that started less than a minute ago is made inactive;
- a one-off window that has not started yet is cancelled: made inactive;
- a recurring window that is running ends its current occurrence only: its first start moves to
  its next occurrence (a COUNT is reduced by the occurrences already past), so next week's patch
  night stays planned; without a next occurrence it is made inactive;
- a window that is not running and has no planned start of its own (a one-off that is over, a
  recurring window between occurrences, an inactive window) is left as it is: ending twice is
  harmless. To stop a recurring window altogether, make it inactive (or delete it).

Every change is recorded in the window's history (`MaintenanceWindowHistoryEntry`: who, when, what,
old -> new) in the change's transaction. Every change clears the per-process configuration cache, so
recording sees it at once in this process and within `BEHEER_CONFIG_CACHE_SECONDS` in the others.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import rrule as du
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.calendars.windows import MAX_RULE_LENGTH, Window, WindowError, anchored, parse_rule, to_instant
from beheer.cmdb.models import CiStatus, ConfigurationItem
from beheer.core import access, clock, config_cache, history
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.core.timezones import installation_time_zone

from ..models import Check, MaintenanceWindow, MaintenanceWindowHistoryEntry, WindowAction

NAME_MAX = 120
TIME_ZONE_MAX = 64
MAX_DURATION_MINUTES = 31 * 24 * 60
TAG_MAX = 50  # one tag
HOST_MAX = 200  # one host name (as long as a check's host field)
TAGS_MAX = 200  # all tags, as stored
HOSTS_MAX = 500  # all hosts, as stored
MAX_CHECKS = 1000
MAX_CIS = 200
MIN_GAP = timedelta(minutes=15)  # the most frequent start a rule may have
FIRST_YEAR, LAST_YEAR = 2000, 2999

_SEPARATORS = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class WindowData:
    """What a person schedules; the services check every rule.

    `start` is the first start: a naive datetime is a local wall time in `time_zone`, an aware one
    is converted to it. `checks` are check ids; `tags` and `hosts` are comma-separated.
    """

    name: str
    start: datetime | None
    duration_minutes: int
    time_zone: str = ""  # empty: the installation's time zone
    rule: str = ""
    checks: Sequence[int] = ()
    tags: str = ""
    hosts: str = ""
    active: bool = True
    cis: Sequence[int] = ()  # configuration item ids: the checks linked to them are covered
    include_dependants: bool = False  # ... and the checks of every CI that rests on them


class Ending(StrEnum):
    """What `end_window_now` did (or would do) to a window."""

    SHORTENED = "shortened"  # a running one-off window now ends now
    CANCELLED = "cancelled"  # made inactive: a one-off not started yet, or nothing left to run
    NEXT_OCCURRENCE = "next_occurrence"  # a recurring window: this occurrence ended, the next stays
    UNCHANGED = "unchanged"  # nothing was running or planned to end


@dataclass(frozen=True)
class EndPlan:
    """How a window would be ended at `now`: the outcome and the new values it needs."""

    outcome: Ending
    duration_minutes: int | None = None
    start: datetime | None = None  # aware: the new first start (a recurring window)
    rule: str | None = None


# --------------------------------------------------------------------------------------------------
# rules


def _require_scheduler(actor: User) -> None:
    """The people who define checks schedule their maintenance: operators, coordinators and
    administrators (the same rule as `checks._require_definer`)."""
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators and administrators schedule maintenance windows."))


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    """The IANA time zone names this machine knows (read once per process)."""
    return frozenset(available_timezones() | {"UTC"})


def known_zone(name: str) -> ZoneInfo | None:
    if not name or len(name) > TIME_ZONE_MAX or name not in time_zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def normalise_list(text: str | Sequence[str]) -> list[str]:
    """Comma-separated (or a list) -> stripped, lower-case items without empties or repeats."""
    parts = _SEPARATORS.split(text) if isinstance(text, str) else [str(p) for p in text]
    items: list[str] = []
    for part in parts:
        item = part.strip().lower()
        if item and item not in items:
            items.append(item)
    return items


def _list_error(items: list[str], *, host: bool, item_max: int, total_max: int) -> str | None:
    for item in items:
        if not item.isprintable():
            return _("Use letters, digits and punctuation only.")
        if host and any(ch.isspace() for ch in item):
            return _("A host name has no spaces; separate hosts with commas.")
        if len(item) > item_max:
            return _("Each item is at most %(max)s characters: %(item)s") % {
                "max": item_max,
                "item": item[:30] + "…",
            }
    if len(", ".join(items)) > total_max:
        return _("At most %(max)s characters in all.") % {"max": total_max}
    return None


def normalise_rule(text: str) -> str:
    rule = (text or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:].strip()
    return rule.upper()


def _shifted_start(rule: du.rrule) -> datetime:
    """A start late in the calendar with the same pattern of occurrences as the rule's own.

    The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks), so a
    rule without COUNT and UNTIL moved by a common multiple of that and its own period has the same
    occurrences, moved. Starting close to the year 9999 bounds the walk of a rule that never occurs.
    """
    start: datetime = rule._dtstart
    freq, step = rule._freq, rule._interval
    if freq in (du.YEARLY, du.MONTHLY):
        shift_months = math.lcm(4800, step * (12 if freq == du.YEARLY else 1))
        k = (9990 - start.year) * 12 // shift_months - 1
        return start + relativedelta(months=shift_months * k) if k > 0 else start
    hours = step * {du.WEEKLY: 7 * 24, du.DAILY: 24, du.HOURLY: 1}[freq]
    shift = timedelta(hours=math.lcm(146097 * 24, hours))
    k = (datetime(9990, 1, 1) - start) // shift - 1
    return start + shift * k if k > 0 else start


def rule_problem(rule: du.rrule) -> str | None:
    """Why a parsed rule cannot be a maintenance window's recurrence, or None."""
    if rule._interval < 1:
        return _("INTERVAL must be 1 or more.")
    pattern = rule.replace(count=None, until=None)
    moved = _shifted_start(pattern)
    if pattern.replace(dtstart=moved).after(moved, inc=True) is None:
        return _("This rule never occurs (for example: every 30 February).")
    if rule.after(rule._dtstart, inc=True) is None:
        return _("This rule has no occurrence: its UNTIL lies before the first start.")
    horizon = pattern._dtstart + timedelta(days=800)
    previous: datetime | None = None
    for count, occurrence in enumerate(pattern):
        if occurrence > horizon or count >= 5000:
            break
        if previous is not None and occurrence - previous < MIN_GAP:
            return _("A maintenance window may start at most every 15 minutes.")
        previous = occurrence
    return None


# --------------------------------------------------------------------------------------------------
# create, update, delete


def _pick_cis(
    ids: list[int], *, actor: User, current: set[int], errors: dict[str, str]
) -> list[ConfigurationItem]:
    """The CIs `ids` name, as `actor` may see them; a field error for an unknown or invisible CI
    (they answer alike) and for a retired one the window does not have already."""
    if len(ids) > MAX_CIS:
        errors["cis"] = _("At most %(max)s configuration items.") % {"max": MAX_CIS}
        return []
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        errors["cis"] = _("No such configuration item.")
        return []
    cis = list(ConfigurationItem.objects.visible_to(actor).filter(pk__in=ids).only("pk", "name", "status"))
    missing = sorted(set(ids) - {c.pk for c in cis})
    retired = sorted(c.name for c in cis if c.status == CiStatus.RETIRED and c.pk not in current)
    if missing:
        errors["cis"] = _("No such configuration item: %(ids)s.") % {
            "ids": ", ".join(str(i) for i in missing[:10])
        }
    elif retired:
        errors["cis"] = _("Retired; choose configuration items that are in use: %(names)s.") % {
            "names": ", ".join(retired[:10])
        }
    return cis


def _apply(
    window: MaintenanceWindow, data: WindowData, *, actor: User, current_cis: set[int] | None = None
) -> tuple[list[Check], list[ConfigurationItem]]:
    """Validate `data` and copy it onto `window` (not saved); DomainError with every field message.
    Returns the checks and the configuration items the window covers directly."""
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("At most %(max)s characters.") % {"max": NAME_MAX}

    zone_name = (data.time_zone or "").strip() or installation_time_zone()
    zone = known_zone(zone_name)
    if zone is None:
        errors["time_zone"] = _("Unknown time zone; use a name such as Europe/Amsterdam.")

    minutes = data.duration_minutes
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = _("Give a duration from 1 minute to 31 days (44640 minutes).")
        minutes = 0

    local: datetime | None = None
    if data.start is None:
        errors["start"] = _("Enter the first start.")
    elif zone is not None:
        try:
            local = data.start.astimezone(zone).replace(tzinfo=None) if data.start.tzinfo else data.start
        except (OverflowError, ValueError):
            local = None
        if local is None or not FIRST_YEAR <= local.year <= LAST_YEAR:
            errors["start"] = _("Give a start between the years %(first)s and %(last)s.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
            local = None
        else:
            local = local.replace(microsecond=0)
            if to_instant(local, zone).astimezone(zone).replace(tzinfo=None) != local:
                errors["start"] = _(
                    "This local time does not exist in %(zone)s: the clocks skip it for daylight saving time."
                ) % {"zone": zone_name}
                local = None

    rule = normalise_rule(data.rule)
    if len(rule) > MAX_RULE_LENGTH:
        errors["rule"] = _("At most %(max)s characters.") % {"max": MAX_RULE_LENGTH}
    elif rule:
        try:
            if local is not None and zone is not None and minutes:
                parsed = Window(
                    start=local, duration=timedelta(minutes=minutes), time_zone=zone_name, rule=rule
                ).parsed
            else:  # the rest is wrong: still say whether the rule itself is
                parsed = parse_rule(rule, datetime(2026, 1, 1, 2, 0), zone or ZoneInfo("UTC"))
            problem = rule_problem(parsed) if parsed is not None else None
        except (WindowError, ValueError, OverflowError, TypeError, KeyError, IndexError) as exc:
            problem = _("This recurrence rule is not valid: %(error)s") % {"error": exc}
        if problem:
            errors["rule"] = problem

    tags = normalise_list(data.tags)
    if message := _list_error(tags, host=False, item_max=TAG_MAX, total_max=TAGS_MAX):
        errors["tags"] = message
    hosts = normalise_list(data.hosts)
    if message := _list_error(hosts, host=True, item_max=HOST_MAX, total_max=HOSTS_MAX):
        errors["hosts"] = message

    ids = list(dict.fromkeys(data.checks))
    checks: list[Check] = []
    if len(ids) > MAX_CHECKS:
        errors["checks"] = _("At most %(max)s checks; use a tag or a host for more.") % {"max": MAX_CHECKS}
    elif ids:
        checks = list(Check.objects.visible_to(actor).filter(pk__in=ids).only("pk", "name"))
        missing = sorted(set(ids) - {c.pk for c in checks})
        if missing:
            errors["checks"] = _("No such check: %(ids)s.") % {"ids": ", ".join(str(i) for i in missing[:10])}
    ci_ids = list(dict.fromkeys(data.cis))
    cis = _pick_cis(ci_ids, actor=actor, current=current_cis or set(), errors=errors) if ci_ids else []
    if not ids and not tags and not hosts and not ci_ids:
        errors.setdefault(
            "checks",
            _(
                "Choose at least one check, tag or host, or a configuration item: "
                "a window that covers nothing has no effect."
            ),
        )

    if errors:
        raise DomainError(_("The maintenance window is not valid."), field_errors=errors)
    assert local is not None
    assert zone is not None
    window.name = name
    window.start = to_instant(local, zone)
    window.time_zone = zone_name
    window.duration_minutes = minutes
    window.rule = rule
    window.tags = ", ".join(tags)
    window.hosts = ", ".join(hosts)
    window.active = bool(data.active)
    window.include_dependants = bool(data.include_dependants)
    return checks, cis


# What the window's history compares before and after a change; `checks` follows as their names.
HISTORY_FIELDS = (
    "name",
    "start",
    "time_zone",
    "duration_minutes",
    "rule",
    "tags",
    "hosts",
    "include_dependants",
    "active",
)


def _check_names(checks: Iterable[Check]) -> list[str]:
    return sorted(c.name for c in checks)


def _ci_names(cis: Iterable[ConfigurationItem]) -> list[str]:
    return sorted(c.name for c in cis)


def _record(
    window: MaintenanceWindow, *, actor: User, action: str, changes: list[history.Change] | None = None
) -> None:
    history.record(MaintenanceWindowHistoryEntry, window, actor=actor, action=action, changes=changes)


def _changed() -> None:
    config_cache.clear()
    transaction.on_commit(config_cache.clear)


@transaction.atomic
def create_window(*, actor: User, data: WindowData) -> MaintenanceWindow:
    """A new maintenance window."""
    _require_scheduler(actor)
    window = MaintenanceWindow()
    checks, cis = _apply(window, data, actor=actor)
    window.save()
    window.checks.set(checks)
    window.cis.set(cis)
    _record(window, actor=actor, action=WindowAction.CREATED)
    _changed()
    return window


@transaction.atomic
def update_window(
    window: MaintenanceWindow, *, actor: User, data: WindowData, expected_version: int | None
) -> MaintenanceWindow:
    """Change a window (every field); Conflict when somebody saved it since `expected_version`."""
    _require_scheduler(actor)
    current = MaintenanceWindow.objects.select_for_update().filter(pk=window.pk).first()
    if current is None:
        raise NotFound(_("The maintenance window no longer exists."))
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            _("Somebody else changed this maintenance window; reload it and make your change again.")
        )
    had_cis = list(current.cis.only("pk", "name"))
    before = history.snapshot(
        current,
        HISTORY_FIELDS,
        extra={"checks": _check_names(current.checks.only("pk", "name")), "cis": _ci_names(had_cis)},
    )
    checks, cis = _apply(current, data, actor=actor, current_cis={c.pk for c in had_cis})
    current.version = current.version + 1
    current.save()
    current.checks.set(checks)
    current.cis.set(cis)
    changes = history.changes_since(
        before, current, extra={"checks": _check_names(checks), "cis": _ci_names(cis)}
    )
    _record(current, actor=actor, action=WindowAction.CHANGED, changes=changes)
    _changed()
    return current


@transaction.atomic
def delete_window(window: MaintenanceWindow, *, actor: User) -> None:
    """Remove a window. Results recorded during it stay flagged as in maintenance."""
    _require_scheduler(actor)
    current = MaintenanceWindow.objects.select_for_update().filter(pk=window.pk).first()
    if current is None:
        raise NotFound(_("The maintenance window no longer exists."))
    _record(current, actor=actor, action=WindowAction.DELETED)  # the trail stays, with the name
    deleted, _rows = MaintenanceWindow.objects.filter(pk=current.pk).delete()
    if not deleted:
        raise NotFound(_("The maintenance window no longer exists."))
    _changed()


# --------------------------------------------------------------------------------------------------
# end now


def _next_local_start(pure: Window, now: datetime) -> datetime | None:
    """The local wall time of the first occurrence that starts after `now` (one that falls in a
    daylight-saving gap is passed over: it could not be stored as a wall time)."""
    assert pure.parsed is not None
    tz = pure.tz
    local_now = now.astimezone(tz).replace(tzinfo=None)
    rule = anchored(pure.parsed, local_now - timedelta(days=1))
    candidate = rule.after(local_now - timedelta(hours=2), inc=True)
    for _step in range(1000):
        if candidate is None:
            return None
        instant = to_instant(candidate, tz)
        if instant > now and instant.astimezone(tz).replace(tzinfo=None) == candidate:
            return candidate
        candidate = rule.after(candidate, inc=False)
    return None


def _rule_from(pure: Window, text: str, next_start: datetime) -> str:
    """The rule for a window that now starts at `next_start`: a COUNT loses the past occurrences."""
    parsed = pure.parsed
    if parsed is None or parsed._count is None:
        return text
    past = 0
    for occurrence in parsed:
        if occurrence >= next_start:
            break
        past += 1
    remaining = max(1, parsed._count - past)
    return re.sub(r"COUNT=\d+", f"COUNT={remaining}", text, flags=re.IGNORECASE)


def plan_end(window: MaintenanceWindow, now: datetime) -> EndPlan:
    """What ending `window` at `now` does (see the module docstring); changes nothing."""
    if not window.active:
        return EndPlan(Ending.UNCHANGED)
    pure = window.window()
    if pure is None:  # a stored rule that cannot be evaluated (edited in the Django admin)
        return EndPlan(Ending.CANCELLED)
    if pure.parsed is None:
        first = to_instant(pure.start, pure.tz)
        if now < first:
            return EndPlan(Ending.CANCELLED)
        if now >= first + pure.duration:
            return EndPlan(Ending.UNCHANGED)
        minutes = int((now - first).total_seconds() // 60)
        return (
            EndPlan(Ending.SHORTENED, duration_minutes=minutes) if minutes >= 1 else EndPlan(Ending.CANCELLED)
        )
    if pure.occurrence_at(now) is None:
        return EndPlan(Ending.UNCHANGED)
    following = _next_local_start(pure, now)
    if following is None:
        return EndPlan(Ending.CANCELLED)
    return EndPlan(
        Ending.NEXT_OCCURRENCE,
        start=to_instant(following, pure.tz),
        rule=_rule_from(pure, window.rule, following),
    )


@transaction.atomic
def end_window_now(window: MaintenanceWindow, *, actor: User) -> tuple[MaintenanceWindow, Ending]:
    """End what the window covers now (see the module docstring); returns the window and what was
    done. Nothing to end is not an error: the window comes back unchanged."""
    _require_scheduler(actor)
    current = MaintenanceWindow.objects.select_for_update().filter(pk=window.pk).first()
    if current is None:
        raise NotFound(_("The maintenance window no longer exists."))
    plan = plan_end(current, clock.now())
    if plan.outcome == Ending.UNCHANGED:
        return current, plan.outcome
    before = history.snapshot(current, HISTORY_FIELDS)
    if plan.outcome == Ending.CANCELLED:
        current.active = False
    elif plan.outcome == Ending.SHORTENED:
        assert plan.duration_minutes is not None
        current.duration_minutes = plan.duration_minutes
    else:
        assert plan.start is not None
        assert plan.rule is not None
        current.start = plan.start
        current.rule = plan.rule
    current.version = current.version + 1
    current.save()
    _record(
        current,
        actor=actor,
        action=_ENDING_ACTIONS[plan.outcome],
        changes=history.changes_since(before, current) or None,  # the action's row in any case
    )
    _changed()
    return current, plan.outcome


_ENDING_ACTIONS = {
    Ending.SHORTENED: WindowAction.ENDED_EARLY,
    Ending.CANCELLED: WindowAction.CANCELLED,
    Ending.NEXT_OCCURRENCE: WindowAction.OCCURRENCE_ENDED,
}
