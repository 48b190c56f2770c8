"""Configuring service levels: SLA policies with their targets, OLA targets.

Coordinators and administrators do this in the product's screens (`views/sla.py`) and the API
(`api/sla.py`); both call these functions, so the rules below are the only validation. Every write
records `ServiceLevelChange` rows (who, when, what, old -> new) and clears the configuration cache
(`core/config_cache.py`), so the next evaluation uses the new settings. Norms are stored in
business minutes, as the SLA engine reads them; the screens let people enter hours and days.

The business calendars are the calendars app's (`calendars/services.py`, same permission); the
servicedesk takes part in their life through `calendars/extensions.py` (registered in `apps.py`): an
active policy or OLA target keeps its calendar from being archived, a calendar's changes are recorded
here as `ServiceLevelChange` rows and make the OLA figures be recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import Branch, Department, OperatorGroup, User
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.services import ensure_may_configure as ensure_may_configure  # the same people
from beheer.core import clock, config_cache
from beheer.core.errors import Conflict, DomainError

from ..models import (
    CallType,
    Category,
    OlaTarget,
    Priority,
    ServiceLevelChange,
    ServiceLevelSubject,
    SlaPolicy,
    SlaTarget,
)
from .service_level import invalidate_olas

#: The largest norm anyone can enter: a year of round-the-clock minutes.
MAX_MINUTES = 366 * 24 * 60


# --------------------------------------------------------------------------------------------------
# input


@dataclass(frozen=True)
class TargetData:
    priority_id: int
    resolution_minutes: int
    response_minutes: int | None = None
    update_minutes: int | None = None


@dataclass(frozen=True)
class PolicyData:
    name: str
    calendar_id: int
    description: str = ""
    order: int = 100
    at_risk_percent: int = 75
    escalate_on_breach: bool = False
    raise_priority_on_breach: bool = False
    escalation_group_id: int | None = None
    call_type_ids: Sequence[int] = ()
    category_ids: Sequence[int] = ()
    department_ids: Sequence[int] = ()
    branch_ids: Sequence[int] = ()
    targets: Sequence[TargetData] = field(default_factory=tuple)


@dataclass(frozen=True)
class OlaData:
    operator_group_id: int
    minutes: int
    priority_id: int | None = None
    calendar_id: int | None = None
    at_risk_percent: int = 75
    active: bool = True


# --------------------------------------------------------------------------------------------------
# shared helpers


def _fail(field_name: str, message: str) -> DomainError:
    return DomainError(message, field_errors={field_name: message})


def _name(value: str, *, model: type, exclude: int | None) -> str:
    value = (value or "").strip()
    if not value:
        raise _fail("name", _("Enter a name."))
    if len(value) > 100:
        raise _fail("name", _("At most %(max)d characters.") % {"max": 100})
    if model.objects.filter(name__iexact=value).exclude(pk=exclude).exists():  # type: ignore[attr-defined]
        raise _fail("name", _("Another one already has this name."))
    return value


def _percent(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 99:
        raise _fail("at_risk_percent", _("Enter a percentage from 1 to 99."))
    return value


def _norm(value: int | None, field_name: str, *, required: bool) -> int | None:
    if value is None:
        if required:
            raise _fail(field_name, _("Enter a target."))
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _fail(field_name, _("A target must be more than zero."))
    if value > MAX_MINUTES:
        raise _fail(field_name, _("A target can be at most a year."))
    return value


def _ids(model: type, ids: Iterable[int], field_name: str) -> list[int]:
    wanted = sorted(set(ids))
    found = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))  # type: ignore[attr-defined]
    missing = [i for i in wanted if i not in found]
    if missing:
        raise _fail(field_name, _("Unknown: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
    return wanted


def _record(
    subject: str, pk: int, name: str, actor: User, action: str, changes: Iterable[tuple[str, str, str]] = ()
) -> None:
    now = clock.now()
    rows = [
        ServiceLevelChange(
            subject=subject,
            subject_id=pk,
            subject_name=name[:200],
            actor=actor,
            at=now,
            action=action,
            field=name_[:60],
            old_value=old,
            new_value=new,
        )
        for name_, old, new in changes
    ]
    if not rows:
        rows = [
            ServiceLevelChange(
                subject=subject, subject_id=pk, subject_name=name[:200], actor=actor, at=now, action=action
            )
        ]
    ServiceLevelChange.objects.bulk_create(rows)


def _diff(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(key, old.get(key, ""), value) for key, value in new.items() if old.get(key, "") != value]


def _changed_configuration() -> None:
    """New settings apply from the next evaluation: drop this process's cached copies now."""
    config_cache.clear()
    transaction.on_commit(config_cache.clear)


# --------------------------------------------------------------------------------------------------
# business calendars: the servicedesk's part (calendars/extensions.py, registered in apps.py)


def refuse_calendar_archive(calendar: BusinessCalendar) -> None:
    """A calendar is not archived while an active SLA policy or OLA target counts in it."""
    users = [p.name for p in SlaPolicy.objects.filter(calendar=calendar, active=True).order_by("name")[:5]]
    if users:
        raise Conflict(
            _(
                "Active SLA policies count in this calendar: %(names)s. "
                "Choose another calendar for them first."
            )
            % {"names": ", ".join(users)}
        )
    if OlaTarget.objects.filter(calendar=calendar, active=True).exists():
        raise Conflict(_("Active OLA targets count in this calendar. Change them first."))


def calendar_policies(calendar: BusinessCalendar) -> list[str]:
    """The names of the active SLA policies that count in a calendar (shown before archiving it)."""
    return list(
        SlaPolicy.objects.filter(calendar=calendar, active=True)
        .order_by("name")
        .values_list("name", flat=True)[:20]
    )


def calendar_changed(calendar: BusinessCalendar) -> None:
    """Other opening hours or closing days: the OLA figures are recomputed."""
    invalidate_olas()


def record_calendar_change(
    calendar: BusinessCalendar, actor: User, action: str, changes: Sequence[tuple[str, str, str]]
) -> None:
    _record(ServiceLevelSubject.CALENDAR, calendar.pk, calendar.name, actor, action, changes)


def calendar_history(calendar_id: int, limit: int) -> list[ServiceLevelChange]:
    return list(
        ServiceLevelChange.objects.filter(subject=ServiceLevelSubject.CALENDAR, subject_id=calendar_id)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


# --------------------------------------------------------------------------------------------------
# SLA policies


def _policy_fields(policy: SlaPolicy) -> dict[str, str]:
    targets = "; ".join(
        f"{t.priority}: {t.response_minutes or '-'}/{t.resolution_minutes}/{t.update_minutes or '-'} min"
        for t in policy.targets.select_related("priority").order_by("priority__level")
    )

    def names(rel: str) -> str:
        return ", ".join(sorted(str(x) for x in getattr(policy, rel).all()))

    return {
        "name": policy.name,
        "description": policy.description,
        "calendar": str(policy.calendar),
        "order": str(policy.order),
        "at_risk_percent": str(policy.at_risk_percent),
        "escalate_on_breach": str(policy.escalate_on_breach),
        "raise_priority_on_breach": str(policy.raise_priority_on_breach),
        "escalation_group": str(policy.escalation_group or ""),
        "call_types": names("call_types"),
        "categories": names("categories"),
        "departments": names("departments"),
        "branches": names("branches"),
        "targets": targets,
        "active": str(policy.active),
    }


def _check_targets(targets: Sequence[TargetData]) -> list[TargetData]:
    priorities = set(Priority.objects.values_list("pk", flat=True))
    seen: set[int] = set()
    result = []
    for t in targets:
        key = f"target_{t.priority_id}"
        if t.priority_id not in priorities:
            raise _fail("targets", _("Unknown priority: %(id)s.") % {"id": t.priority_id})
        if t.priority_id in seen:
            raise _fail(key, _("One target per priority."))
        seen.add(t.priority_id)
        resolution = _norm(t.resolution_minutes, f"{key}_resolution", required=True)
        response = _norm(t.response_minutes, f"{key}_response", required=False)
        update = _norm(t.update_minutes, f"{key}_update", required=False)
        assert resolution is not None
        if response is not None and response > resolution:
            raise _fail(
                f"{key}_response", _("The response target cannot be longer than the resolution target.")
            )
        result.append(TargetData(t.priority_id, resolution, response, update))
    return result


def _write_policy(policy: SlaPolicy, data: PolicyData, *, exclude: int | None) -> None:
    name = _name(data.name, model=SlaPolicy, exclude=exclude)
    calendar = BusinessCalendar.objects.filter(pk=data.calendar_id).first()
    if calendar is None:
        raise _fail("calendar", _("Choose a business calendar."))
    if not calendar.active and calendar.pk != policy.calendar_id:
        raise _fail("calendar", _("This calendar is archived."))
    if not isinstance(data.order, int) or not 0 <= data.order <= 1_000_000:
        raise _fail("order", _("Enter a number from 0 to 1000000."))
    group = None
    if data.escalation_group_id is not None:
        group = OperatorGroup.objects.filter(pk=data.escalation_group_id).first()
        if group is None:
            raise _fail("escalation_group", _("Unknown operator group."))
        if not group.is_second_line:
            raise _fail("escalation_group", _("Choose a second-line group."))
    if data.escalate_on_breach and group is None:
        raise _fail("escalation_group", _("Choose the second-line group to escalate to."))
    if len(data.description or "") > 5000:
        raise _fail("description", _("At most %(max)d characters.") % {"max": 5000})
    targets = _check_targets(data.targets)
    relations = {
        "call_types": _ids(CallType, data.call_type_ids, "call_types"),
        "categories": _ids(Category, data.category_ids, "categories"),
        "departments": _ids(Department, data.department_ids, "departments"),
        "branches": _ids(Branch, data.branch_ids, "branches"),
    }
    policy.name, policy.description, policy.calendar = name, (data.description or "").strip(), calendar
    policy.order, policy.at_risk_percent = data.order, _percent(data.at_risk_percent)
    policy.escalate_on_breach = bool(data.escalate_on_breach)
    policy.raise_priority_on_breach = bool(data.raise_priority_on_breach)
    policy.escalation_group = group
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        raise _fail("name", _("Another one already has this name.")) from None
    for rel, ids in relations.items():
        getattr(policy, rel).set(ids)
    policy.targets.exclude(priority_id__in=[t.priority_id for t in targets]).delete()
    existing = {t.priority_id: t for t in policy.targets.all()}
    for t in targets:
        row = existing.get(t.priority_id) or SlaTarget(policy=policy, priority_id=t.priority_id)
        row.response_minutes, row.resolution_minutes, row.update_minutes = (
            t.response_minutes,
            t.resolution_minutes,
            t.update_minutes,
        )
        row.save()


@transaction.atomic
def create_policy(*, data: PolicyData, actor: User) -> SlaPolicy:
    ensure_may_configure(actor)
    policy = SlaPolicy()
    _write_policy(policy, data, exclude=None)
    _record(
        ServiceLevelSubject.POLICY,
        policy.pk,
        policy.name,
        actor,
        "created",
        _diff({}, _policy_fields(policy)),
    )
    _changed_configuration()
    return policy


@transaction.atomic
def update_policy(policy: SlaPolicy, *, data: PolicyData, actor: User) -> SlaPolicy:
    ensure_may_configure(actor)
    p = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    before = _policy_fields(p)
    _write_policy(p, data, exclude=p.pk)
    changes = _diff(before, _policy_fields(p))
    if changes:
        _record(ServiceLevelSubject.POLICY, p.pk, p.name, actor, "changed", changes)
        invalidate_olas()
    _changed_configuration()
    return p


@transaction.atomic
def set_policy_active(policy: SlaPolicy, *, active: bool, actor: User) -> SlaPolicy:
    """Archive (active=False) or restore a policy; meldingen keep the deadlines they have."""
    ensure_may_configure(actor)
    p = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    if p.active != active:
        if active and not p.calendar.active:
            raise _fail("calendar", _("Restore the policy's business calendar first."))
        p.active = active
        p.save(update_fields=["active"])
        _record(
            ServiceLevelSubject.POLICY,
            p.pk,
            p.name,
            actor,
            "restored" if active else "archived",
            [("active", str(not active), str(active))],
        )
        _changed_configuration()
    return p


# --------------------------------------------------------------------------------------------------
# OLA targets


def _ola_name(ola: OlaTarget) -> str:
    return str(ola)


def _ola_fields(ola: OlaTarget) -> dict[str, str]:
    return {
        "operator_group": str(ola.operator_group),
        "priority": str(ola.priority or ""),
        "minutes": str(ola.minutes),
        "calendar": str(ola.calendar or ""),
        "at_risk_percent": str(ola.at_risk_percent),
        "active": str(ola.active),
    }


def _write_ola(ola: OlaTarget, data: OlaData) -> None:
    group = OperatorGroup.objects.filter(pk=data.operator_group_id).first()
    if group is None:
        raise _fail("operator_group", _("Choose an operator group."))
    priority = None
    if data.priority_id is not None:
        priority = Priority.objects.filter(pk=data.priority_id).first()
        if priority is None:
            raise _fail("priority", _("Unknown priority."))
    calendar = None
    if data.calendar_id is not None:
        calendar = BusinessCalendar.objects.filter(pk=data.calendar_id).first()
        if calendar is None:
            raise _fail("calendar", _("Unknown business calendar."))
        if not calendar.active and calendar.pk != ola.calendar_id:
            raise _fail("calendar", _("This calendar is archived."))
    minutes = _norm(data.minutes, "minutes", required=True)
    assert minutes is not None
    clash = OlaTarget.objects.filter(operator_group=group, priority=priority).exclude(pk=ola.pk)
    if clash.exists():
        raise _fail(
            "priority",
            _("This group already has a target for this priority.")
            if priority
            else _("This group already has a target for every priority."),
        )
    ola.operator_group, ola.priority, ola.calendar, ola.minutes = group, priority, calendar, minutes
    ola.at_risk_percent, ola.active = _percent(data.at_risk_percent), bool(data.active)
    try:
        with transaction.atomic():
            ola.save()
    except IntegrityError:
        raise _fail("priority", _("This group already has a target for this priority.")) from None


@transaction.atomic
def create_ola(*, data: OlaData, actor: User) -> OlaTarget:
    ensure_may_configure(actor)
    ola = OlaTarget()
    _write_ola(ola, data)
    _record(ServiceLevelSubject.OLA, ola.pk, _ola_name(ola), actor, "created", _diff({}, _ola_fields(ola)))
    invalidate_olas(operator_group_id=ola.operator_group_id)
    _changed_configuration()
    return ola


@transaction.atomic
def update_ola(ola: OlaTarget, *, data: OlaData, actor: User) -> OlaTarget:
    ensure_may_configure(actor)
    row = OlaTarget.objects.select_for_update(of=("self",)).order_by("pk").get(pk=ola.pk)
    before, old_group = _ola_fields(row), row.operator_group_id
    _write_ola(row, data)
    changes = _diff(before, _ola_fields(row))
    if changes:
        _record(ServiceLevelSubject.OLA, row.pk, _ola_name(row), actor, "changed", changes)
        invalidate_olas(operator_group_id=old_group)
        invalidate_olas(operator_group_id=row.operator_group_id)
    _changed_configuration()
    return row


@transaction.atomic
def delete_ola(ola: OlaTarget, *, actor: User) -> None:
    ensure_may_configure(actor)
    row = OlaTarget.objects.select_for_update(of=("self",)).filter(pk=ola.pk).order_by("pk").first()
    if row is None:
        return
    group_id, name = row.operator_group_id, _ola_name(row)
    _record(ServiceLevelSubject.OLA, row.pk, name, actor, "deleted")
    row.delete()
    invalidate_olas(operator_group_id=group_id)
    _changed_configuration()
