"""Projects: create and edit them; changes join a project through their own edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError

from ..models import Project, ProjectAction, ProjectHistoryEntry, ProjectStatus

FIELDS = ("name", "goal", "plan", "budget", "owner", "client", "start_date", "end_date", "status")


@dataclass(frozen=True)
class ProjectData:
    name: str
    goal: str = ""
    plan: str = ""
    budget: Decimal | None = None
    owner: User | None = None
    client: User | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: str = ProjectStatus.PROPOSED


def _check(data: ProjectData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Required.")
    elif len(name) > 200:
        errors["name"] = _("At most %(limit)d characters.") % {"limit": 200}
    values["name"] = name
    values["goal"] = checks.checked_text(data.goal, field="goal", label=_("Goal"))
    values["plan"] = checks.checked_text(data.plan, field="plan", label=_("Plan"))
    budget = data.budget
    if budget is not None:
        try:
            budget = Decimal(budget)
            if not budget.is_finite() or budget < 0 or budget >= Decimal("1e10"):
                raise InvalidOperation
            budget = budget.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError, TypeError):
            errors["budget"] = _("Enter an amount from 0 up to 10 billion.")
    values["budget"] = budget
    if data.status not in ProjectStatus.values:
        errors["status"] = _("Unknown status.")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors["end_date"] = _("The project cannot end before it starts.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    for name in ("owner", "client", "start_date", "end_date", "status"):
        values[name] = getattr(data, name)
    return values


@transaction.atomic
def create_project(*, actor: User, data: ProjectData) -> Project:
    access.ensure_staff(actor)
    values = _check(data)
    now = clock.now()
    project = Project(created_at=now, updated_at=now, **values)
    project.save()
    history.record(ProjectHistoryEntry, project, actor=actor, action=ProjectAction.CREATED, at=now)
    return project


@transaction.atomic
def update_project(
    project: Project, *, actor: User, data: ProjectData, expected_version: int | None
) -> Project:
    access.ensure_staff(actor)
    current = checks.locked_at(
        Project.objects.all(),
        project.pk,
        expected_version,
        missing=_("Project not found."),
        changed=_("Somebody else changed this project. Reload it and try again."),
    )
    values = _check(data)
    before = history.snapshot(current, FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    changes = history.changes_since(before, current)
    if not changes:
        return current
    current.version += 1
    current.updated_at = clock.now()
    current.save()
    history.record(ProjectHistoryEntry, current, actor=actor, action=ProjectAction.CHANGED, changes=changes)
    return current
