"""Shared list filters and sort orders for the UI list, the API list and exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core.pagination import SortKey

from .models import QUEUES, Melding, MeldingQuerySet, parse_number

SORTS: dict[str, tuple[Any, list[SortKey]]] = {
    "priority": (_("Priority, then target date"), [SortKey("priority_level"), SortKey("target_date"), SortKey("id")]),
    "target": (_("Target date"), [SortKey("target_date"), SortKey("id")]),
    "newest": (_("Newest first"), [SortKey("created_at", True), SortKey("id", True)]),
    "oldest": (_("Oldest first"), [SortKey("created_at"), SortKey("id")]),
    "updated": (_("Last changed"), [SortKey("updated_at", True), SortKey("id", True)]),
}
DEFAULT_SORT = "priority"


@dataclass
class MeldingFilter:
    queue: str = "all"
    q: str = ""
    status: int | None = None
    operator_group: int | None = None
    operator: int | None = None
    category: int | None = None
    priority: int | None = None
    call_type: int | None = None
    line: str = ""
    caller: int | None = None
    entry_type: str = ""


def filter_meldingen(qs: MeldingQuerySet, f: MeldingFilter, user: Any) -> MeldingQuerySet:
    qs = qs.visible_to(user)
    if f.queue and f.queue in QUEUES and getattr(user, "is_staff_member", False):
        qs = qs.queue(f.queue, user)
    if f.q.strip():
        number = parse_number(f.q) if f.q.strip()[:1] in "Mm0123456789" else None
        text_matches = qs.search(f.q)
        qs = (qs.filter(Q(pk=number) | Q(pk__in=text_matches.values("pk")))) if number else text_matches
    exact = {
        "status_id": f.status,
        "operator_group_id": f.operator_group,
        "operator_id": f.operator,
        "category_id": f.category,
        "priority_id": f.priority,
        "call_type_id": f.call_type,
        "caller_id": f.caller,
    }
    for field, value in exact.items():
        if value is not None:
            qs = qs.filter(**{field: value})
    if f.line:
        qs = qs.filter(line=f.line)
    if f.entry_type:
        qs = qs.filter(entry_type=f.entry_type)
    return qs


def order_for(sort: str) -> list[SortKey]:
    return SORTS.get(sort, SORTS[DEFAULT_SORT])[1]


def partial_progress(melding: Melding) -> tuple[int, int]:
    """(resolved, total) partial incidents of a main melding."""
    partials = Melding.objects.filter(parent=melding)
    total = partials.count()
    done = partials.filter(is_open=False).count() if total else 0
    return done, total
