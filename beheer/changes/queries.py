"""The change list's filter, shared by the screen and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from beheer.core.pagination import SortKey

from .models import Change, ChangeCi, ChangeStatus, parse_change_number

ORDER = (SortKey("updated_at", descending=True), SortKey("id", descending=True))
PAGE_SIZE = 25


@dataclass(frozen=True)
class ChangeFilter:
    phase: int | None = None
    kind: str = ""
    state: str = "open"  # open, closed (closed or cancelled), all
    mine: bool = False
    ci: int | None = None
    project: int | None = None
    afterwards: bool = False
    q: str = ""


def filter_changes(user: Any, f: ChangeFilter) -> Any:
    rows = Change.objects.visible_to(user)
    if f.phase is not None:
        rows = rows.filter(phase_id=f.phase)
    if f.kind:
        rows = rows.filter(kind=f.kind)
    if f.state == "open":
        rows = rows.filter(status=ChangeStatus.OPEN)
    elif f.state == "closed":
        rows = rows.exclude(status=ChangeStatus.OPEN)
    if f.mine:
        rows = rows.filter(coordinator_id=user.pk)
    if f.ci is not None:
        rows = rows.filter(pk__in=ChangeCi.objects.filter(ci_id=f.ci).values("change_id"))
    if f.project is not None:
        rows = rows.filter(project_id=f.project)
    if f.afterwards:
        rows = rows.filter(approved_afterwards=True)
    text = f.q.strip()[:200]
    if text:
        number = parse_change_number(text)
        condition = Q(title__icontains=text)
        if number is not None:
            condition |= Q(pk=number)
        rows = rows.filter(condition)
    return rows
