"""The coordinators' configuration of changes: phases, the risk matrix, approval rules and the
templates of standard changes. Each write clears the configuration cache."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import checks, config_cache
from beheer.core.errors import DomainError, PermissionDenied

from .. import workflow
from ..models import (
    ApprovalRule,
    ChangeTemplate,
    DecisionRule,
    Phase,
    RiskLevel,
    RiskMatrixCell,
    TemplateActivity,
)


def _ensure_coordinator(actor: User) -> None:
    if not getattr(actor, "is_coordinator", False):
        raise PermissionDenied(_("Only coordinators may configure changes."))


def _name(value: str, field: str) -> str:
    return checks.checked_text(value, field=field, label=_("Name"), required=True, max_length=80)


@transaction.atomic
def update_phase(
    phase: Phase,
    *,
    actor: User,
    name_nl: str,
    name_en: str,
    order: int,
    active: bool,
    expected_version: int | None,
) -> Phase:
    """Rename, reorder or (for an optional phase) deactivate a phase. The phases with rules keep
    their place relative to each other: request first, closed last."""
    _ensure_coordinator(actor)
    current = checks.locked_at(
        Phase.objects.all(),
        phase.pk,
        expected_version,
        missing=_("Phase not found."),
        changed=_("Somebody else changed this phase. Reload it and try again."),
    )
    if not active and current.code not in workflow.OPTIONAL:
        message = _("This phase has rules and cannot be deactivated.")
        raise DomainError(message, field_errors={"active": message})
    if not 0 <= order <= 10_000:
        raise DomainError(_("Enter an order from 0 to 10000."), field_errors={"order": _("Out of range.")})
    others = {p.code: p.order for p in Phase.objects.exclude(pk=current.pk)}
    others[current.code] = order
    mandatory = [c for c in workflow.PHASES if c not in workflow.OPTIONAL]
    placed = sorted(mandatory, key=lambda c: (others[c], workflow.PHASES.index(c)))
    if placed != mandatory:
        message = _(
            "The phases with rules keep their order: request, assessment, approval, execution, closed."
        )
        raise DomainError(message, field_errors={"order": message})
    current.name_nl = _name(name_nl, "name_nl")
    current.name_en = _name(name_en, "name_en")
    current.order = order
    current.active = active
    current.version += 1
    current.save()
    config_cache.clear()
    return current


@transaction.atomic
def set_risk_cell(*, actor: User, likelihood: int, impact: int, level: RiskLevel) -> RiskMatrixCell:
    _ensure_coordinator(actor)
    if not (1 <= likelihood <= 4 and 1 <= impact <= 4):
        raise DomainError(_("Choose a value from 1 to 4."))
    cell, _created = RiskMatrixCell.objects.update_or_create(
        likelihood=likelihood, impact=impact, defaults={"level": level}
    )
    config_cache.clear()
    return cell


@transaction.atomic
def update_approval_rule(
    rule: ApprovalRule,
    *,
    actor: User,
    operator_group: OperatorGroup | None,
    service_owners: bool,
    decision_rule: str,
    expected_version: int | None,
) -> ApprovalRule:
    _ensure_coordinator(actor)
    current = checks.locked_at(
        ApprovalRule.objects.all(),
        rule.pk,
        expected_version,
        missing=_("Approval rule not found."),
        changed=_("Somebody else changed this rule. Reload it and try again."),
    )
    if decision_rule not in DecisionRule.values:
        raise DomainError(_("Unknown decision rule."), field_errors={"rule": _("Unknown decision rule.")})
    if operator_group is None and not service_owners:
        message = _("Choose an approving group, the service owners, or both.")
        raise DomainError(message, field_errors={"operator_group": message})
    current.operator_group = operator_group
    current.service_owners = service_owners
    current.rule = decision_rule
    current.version += 1
    current.save()
    return current


@dataclass(frozen=True)
class ActivityLine:
    title: str
    estimate_minutes: int = 0
    operator_group: OperatorGroup | None = None


def _lines(lines: list[ActivityLine]) -> list[ActivityLine]:
    if len(lines) > 100:
        raise DomainError(_("A template has at most 100 activities."))
    for line in lines:
        checks.checked_text(
            line.title, field="activities", label=_("Activity"), required=True, max_length=200
        )
        if not 0 <= line.estimate_minutes <= 60 * 24 * 365:
            raise DomainError(
                _("Enter an estimate of at most a year."), field_errors={"activities": _("Out of range.")}
            )
    return lines


def _write_activities(template: ChangeTemplate, lines: list[ActivityLine]) -> None:
    TemplateActivity.objects.filter(template=template).delete()
    TemplateActivity.objects.bulk_create(
        TemplateActivity(
            template=template,
            title=line.title.strip(),
            estimate_minutes=line.estimate_minutes,
            operator_group=line.operator_group,
            order=(n + 1) * 10,
        )
        for n, line in enumerate(lines)
    )


@transaction.atomic
def create_template(
    *,
    actor: User,
    name: str,
    title: str,
    description: str = "",
    operator_group: OperatorGroup | None = None,
    activities: list[ActivityLine] | None = None,
) -> ChangeTemplate:
    _ensure_coordinator(actor)
    name = checks.checked_text(name, field="name", label=_("Name"), required=True, max_length=200)
    if ChangeTemplate.objects.filter(name=name).exists():
        raise DomainError(_("A template with this name exists."), field_errors={"name": _("Taken.")})
    template = ChangeTemplate.objects.create(
        name=name,
        title=checks.checked_text(title, field="title", label=_("Title"), required=True, max_length=200),
        description=checks.checked_text(description, field="description", label=_("Description")),
        operator_group=operator_group,
    )
    _write_activities(template, _lines(activities or []))
    return template


@transaction.atomic
def update_template(
    template: ChangeTemplate,
    *,
    actor: User,
    expected_version: int | None,
    name: str,
    title: str,
    description: str = "",
    operator_group: OperatorGroup | None = None,
    active: bool = True,
    activities: list[ActivityLine] | None = None,
) -> ChangeTemplate:
    _ensure_coordinator(actor)
    current = checks.locked_at(
        ChangeTemplate.objects.all(),
        template.pk,
        expected_version,
        missing=_("Template not found."),
        changed=_("Somebody else changed this template. Reload it and try again."),
    )
    name = checks.checked_text(name, field="name", label=_("Name"), required=True, max_length=200)
    if ChangeTemplate.objects.filter(name=name).exclude(pk=current.pk).exists():
        raise DomainError(_("A template with this name exists."), field_errors={"name": _("Taken.")})
    current.name = name
    current.title = checks.checked_text(title, field="title", label=_("Title"), required=True, max_length=200)
    current.description = checks.checked_text(description, field="description", label=_("Description"))
    current.operator_group = operator_group
    current.active = active
    current.version += 1
    current.save()
    if activities is not None:
        _write_activities(current, _lines(activities))
    return current
