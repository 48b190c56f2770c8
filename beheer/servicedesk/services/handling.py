"""Classification, assignment, status, escalation and estimates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem, Supplier
from beheer.core import clock
from beheer.core.access import ensure_staff
from beheer.core.checks import checked_text
from beheer.core.errors import DomainError

from ..models import (
    CallType,
    Category,
    Impact,
    Line,
    Melding,
    Status,
    Urgency,
)
from ..workflow import Action, Kind, allowed_status
from . import notify
from ._base import (
    BRIEF_MAX,
    KEEP_CI,
    KeepCi,
    _check_category,
    _reindex,
    _save,
    check_assignment,
    check_ci,
    lock_melding,
    object_name_for,
    priority_for,
    record_history,
)
from .service_level import apply_sla


@transaction.atomic
def reclassify_melding(
    melding: Melding,
    *,
    actor: User,
    expected_version: int | None,
    brief_description: str,
    request: str,
    call_type: CallType,
    category: Category | None,
    subcategory: Category | None,
    object_name: str,
    impact: Impact,
    urgency: Urgency,
    ci: ConfigurationItem | KeepCi | None = KEEP_CI,
) -> Melding:
    """Change what the melding is about; a new impact or urgency recomputes priority and target date.
    `ci` is the configuration item it is about (any CI not retired; the current one is kept even when
    retired since), left as it is when not given; without an object text the CI's name is the object."""
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    now = clock.now()
    _check_category(category, subcategory)
    if isinstance(ci, KeepCi):
        ci = m.ci
    else:
        check_ci(ci, actor, current_id=m.ci_id)
    object_name = object_name_for(object_name, ci)
    new_values: dict[str, Any] = {
        "brief_description": checked_text(
            brief_description,
            field="brief_description",
            label=_("Brief description"),
            required=True,
            max_length=BRIEF_MAX,
        ),
        "request": checked_text(request, field="request", label=_("Request")),
        "call_type": call_type,
        "category": category,
        "subcategory": subcategory,
        "object_name": checked_text(object_name, field="object_name", label=_("Object"), max_length=200),
        "ci": ci,
        "impact": impact,
        "urgency": urgency,
    }
    changed = []
    for field, value in new_values.items():
        old = getattr(m, field)
        if old != value:
            record_history(m, actor, "changed", now=now, field=field, old=old, new=value)
            setattr(m, field, value)
            changed.append(field)
    if "impact" in changed or "urgency" in changed:
        prio = priority_for(impact, urgency)
        if prio.pk != m.priority_id:
            record_history(m, actor, "changed", now=now, field="priority", old=m.priority, new=prio)
            m.priority, m.priority_level = prio, prio.level
            changed += ["priority", "priority_level"]
            if not m.target_date_manual:
                m.target_date = m.created_at + prio.duration  # the SLA below may move it again
                changed.append("target_date")
    if {"priority", "category", "call_type"} & set(changed):
        old_target = m.target_date
        changed += apply_sla(m, now=now)  # another policy or target; time already spent is kept
        if "target_date" in changed:
            record_history(
                m, actor, "changed", now=now, field="target_date", old=old_target, new=m.target_date
            )
    if changed:
        _save(m, changed, now=now)
        if {"brief_description", "request", "object_name"} & set(changed):
            _reindex(m)
    return m


@transaction.atomic
def set_target_date(
    melding: Melding, *, target_date: datetime, actor: User, expected_version: int | None
) -> Melding:
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    now = clock.now()
    if target_date < m.created_at:
        message = _("The target date lies before the call was registered.")
        raise DomainError(message, field_errors={"target_date": message})
    if target_date != m.target_date:
        record_history(
            m, actor, "changed", now=now, field="target_date", old=m.target_date, new=target_date, public=True
        )
        m.target_date, m.target_date_manual = target_date, True
        _save(m, ["target_date", "target_date_manual"], now=now)
    return m


@transaction.atomic
def assign_melding(
    melding: Melding,
    *,
    operator_group: OperatorGroup | None,
    operator: User | None,
    actor: User,
    expected_version: int | None,
) -> Melding:
    """Give the melding to a group and/or an operator within the melding's line."""
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    now = clock.now()
    if operator_group is None and operator is None:
        message = _("Choose an operator group or an operator.")
        raise DomainError(message, field_errors={"operator_group": message})
    check_assignment(m.line, operator_group, operator)
    changed = []
    if m.operator_group_id != (operator_group.pk if operator_group else None):
        record_history(
            m, actor, "assigned", now=now, field="operator_group", old=m.operator_group, new=operator_group
        )
        m.operator_group = operator_group
        changed.append("operator_group")
    if m.operator_id != (operator.pk if operator else None):
        record_history(m, actor, "assigned", now=now, field="operator", old=m.operator, new=operator)
        m.operator = operator
        changed.append("operator")
    if "operator_group" in changed:
        changed += apply_sla(m, now=now)  # the OLA clock of the old group stops, the new one starts
    if changed:
        _save(m, changed, now=now)
        notify.assigned(
            m, group_changed="operator_group" in changed, operator_changed="operator" in changed, actor=actor
        )
    return m


@transaction.atomic
def change_status(
    melding: Melding,
    *,
    status: Status,
    actor: User,
    expected_version: int | None,
    supplier: Supplier | None = None,
) -> Melding:
    """Move between working statuses (in progress, waiting for caller, waiting for supplier, ...).

    A status that asks for the supplier (waiting for supplier) needs the supplier the melding waits
    for; it is kept on the melding afterwards. Other statuses leave the supplier as it is.
    """
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    now = clock.now()
    same = status.pk == m.status_id
    if same and (not status.asks_supplier or (supplier is not None and supplier.pk == m.supplier_id)):
        return m
    configured = set(m.status.allowed_next.values_list("pk", flat=True))
    if not same and (
        not status.active
        or not allowed_status(
            Action.CHANGE,
            Kind(m.status.kind),
            Kind(status.kind),
            configured_next=configured,
            target_id=status.pk,
        )
    ):
        message = _("A call cannot go from '%(old)s' to '%(new)s' this way.") % {
            "old": m.status,
            "new": status,
        }
        raise DomainError(message, field_errors={"status": message})
    fields = []
    if status.asks_supplier:
        if supplier is None:
            message = _("Choose the supplier the call is waiting for.")
            raise DomainError(message, field_errors={"supplier": message})
        if not supplier.active:
            message = _("This supplier is inactive.")
            raise DomainError(message, field_errors={"supplier": message})
        if supplier.pk != m.supplier_id:
            record_history(
                m, actor, "changed", now=now, field="supplier", old=m.supplier, new=supplier, public=True
            )
            m.supplier = supplier
            fields.append("supplier")
    if same:  # only the supplier the melding waits for changed
        _save(m, fields, now=now)
        return m
    record_history(m, actor, "status", now=now, field="status", old=m.status, new=status, public=True)
    fields.append("status")
    if m.first_response_at is None:
        m.first_response_at = now
        fields.append("first_response_at")
    m.status = status
    fields += apply_sla(m, now=now)  # a waiting status pauses the clock, leaving it resumes it
    _save(m, fields, now=now)
    notify.status_changed(m, status)
    return m


# Why a move to a line (the key) is refused: the melding is closed, not on the other line, or the
# chosen group does not work on the line it goes to.
_LINE_REFUSALS = {
    Line.SECOND: {
        "closed": gettext_lazy("Only an open call can be escalated."),
        "line": gettext_lazy("Only a first-line call can be escalated to the second line."),
        "group": gettext_lazy("Choose a second-line group."),
    },
    Line.FIRST: {
        "closed": gettext_lazy("Only an open call can be de-escalated."),
        "line": gettext_lazy("Only a second-line call can go back to the first line."),
        "group": gettext_lazy("Choose a first-line group."),
    },
}


def _change_line(
    melding: Melding,
    to_line: Line,
    to_group: OperatorGroup,
    operator: User | None,
    reason: str,
    actor: User,
    expected_version: int | None,
) -> Melding:
    """Move an open melding between the first and the second line, with a reason and a new group."""
    refusals = {key: str(message) for key, message in _LINE_REFUSALS[to_line].items()}
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    now = clock.now()
    reason = checked_text(reason, field="reason", label=_("Reason"), required=True, max_length=1000)
    from_line = Line.FIRST if to_line == Line.SECOND else Line.SECOND
    if not m.is_open:
        raise DomainError(refusals["closed"])
    if m.line != from_line:
        raise DomainError(refusals["line"])
    if not (to_group.is_second_line if to_line == Line.SECOND else to_group.is_first_line):
        raise DomainError(refusals["group"], field_errors={"to_group": refusals["group"]})
    check_assignment(to_line, to_group, operator)
    action = "escalated" if to_line == Line.SECOND else "deescalated"
    record_history(
        m, actor, action, now=now, field="line", old=Line(m.line), new=Line(to_line), detail=reason
    )
    record_history(m, actor, "assigned", now=now, field="operator_group", old=m.operator_group, new=to_group)
    if m.operator_id != (operator.pk if operator else None):
        record_history(m, actor, "assigned", now=now, field="operator", old=m.operator, new=operator)
    operator_changed = m.operator_id != (operator.pk if operator else None)
    m.line, m.operator_group, m.operator = to_line, to_group, operator
    _save(m, ["line", "operator_group", "operator", *apply_sla(m, now=now)], now=now)
    notify.assigned(m, group_changed=True, operator_changed=operator_changed, actor=actor)
    return m


@transaction.atomic
def escalate_melding(
    melding: Melding,
    *,
    to_group: OperatorGroup,
    reason: str,
    actor: User,
    expected_version: int | None,
    operator: User | None = None,
) -> Melding:
    """First line -> second line, with a reason."""
    return _change_line(melding, Line.SECOND, to_group, operator, reason, actor, expected_version)


@transaction.atomic
def deescalate_melding(
    melding: Melding,
    *,
    to_group: OperatorGroup,
    reason: str,
    actor: User,
    expected_version: int | None,
    operator: User | None = None,
) -> Melding:
    """Second line -> first line, with a reason."""
    return _change_line(melding, Line.FIRST, to_group, operator, reason, actor, expected_version)


@transaction.atomic
def set_estimates(
    melding: Melding,
    *,
    minutes: int | None,
    people: int | None,
    means: str,
    actor: User,
    expected_version: int | None,
) -> Melding:
    """Estimate the time, people and means the melding needs."""
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    now = clock.now()
    if (minutes is not None and minutes < 0) or (people is not None and people < 0):
        raise DomainError(_("Estimates cannot be negative."))
    means = checked_text(means, field="means", label=_("Means"), max_length=500)
    changed = []
    for field, value in (
        ("estimated_minutes", minutes),
        ("estimated_people", people),
        ("estimated_means", means),
    ):
        if getattr(m, field) != value:
            record_history(m, actor, "changed", now=now, field=field, old=getattr(m, field), new=value)
            setattr(m, field, value)
            changed.append(field)
    if changed:
        _save(m, changed, now=now)
    return m
