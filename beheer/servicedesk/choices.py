"""Choices for the servicedesk's selects, read from the configuration cache (core/config_cache.py).

Statuses, operator groups and their members, operators, categories, call types, impacts, urgencies,
closure codes and suppliers are small tables that hardly change: each process keeps them for a few
seconds, so rendering an action form or the melding page costs no query for its selects.
`core.forms.LookupField` is a ModelChoiceField over such cached rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from beheer.accounts.forms import operators
from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import Supplier
from beheer.core import config_cache

from .models import Category, Melding, Status


def _cached(name: str, load: Callable[[], Any]) -> Any:
    return config_cache.cached(("servicedesk.forms", name), load)


def cached_rows(model: Any) -> list[Any]:
    """Every row of a small lookup table (call types, impacts, urgencies, closure codes), in order."""
    return _cached(model._meta.label, lambda: list(model.objects.order_by("order", "id")))


def cached_statuses() -> list[Status]:
    return _cached("statuses", lambda: list(Status.objects.order_by("order", "id")))


def cached_next_statuses() -> dict[int, set[int]]:
    """The configured next statuses per status (empty: the kind rules alone decide)."""

    def load() -> dict[int, set[int]]:
        through = Status.allowed_next.through
        result: dict[int, set[int]] = {}
        for from_id, to_id in through.objects.values_list("from_status_id", "to_status_id"):
            result.setdefault(from_id, set()).add(to_id)
        return result

    return _cached("next_statuses", load)


def allowed_next_statuses(melding: Melding) -> list[Status]:
    """The working statuses an operator may pick next: the kind rules (workflow.RULES), narrowed by
    the configured next statuses when there are any (queries.allowed_statuses, from the cache).
    The service checks the same rule."""
    from .workflow import RULES, Action, Kind

    current = melding.status
    kinds = {str(k) for k in RULES[Action.CHANGE].get(Kind(current.kind), frozenset())}
    configured = cached_next_statuses().get(current.pk, set())
    return [
        s
        for s in cached_statuses()
        if s.active and s.kind in kinds and s.pk != current.pk and (not configured or s.pk in configured)
    ]


def cached_groups() -> list[OperatorGroup]:
    """The active operator groups, by name."""
    return _cached("groups", lambda: list(OperatorGroup.objects.active().order_by("name", "id")))


def cached_operators() -> list[User]:
    return _cached("operators", lambda: list(operators()))


def cached_members() -> dict[int, frozenset[int]]:
    """The members (user ids) of every operator group."""

    def load() -> dict[int, frozenset[int]]:
        pairs: dict[int, set[int]] = {}
        through = OperatorGroup.members.through
        for group_id, user_id in through.objects.values_list("operatorgroup_id", "user_id"):
            pairs.setdefault(group_id, set()).add(user_id)
        return {group_id: frozenset(ids) for group_id, ids in pairs.items()}

    return _cached("members", load)


def cached_categories() -> list[Category]:
    """The active categories: main categories in their order, then subcategories by parent."""

    def load() -> list[Category]:
        rows = list(Category.objects.filter(active=True).select_related("parent"))
        mains = sorted((c for c in rows if c.parent_id is None), key=lambda c: (c.order, c.name))
        subs = sorted(
            (c for c in rows if c.parent_id is not None and c.parent is not None),
            key=lambda c: (c.parent.order, c.parent.name, c.order, c.name),  # type: ignore[union-attr]
        )
        return mains + subs

    return _cached("categories", load)


def main_categories() -> list[Category]:
    return [c for c in cached_categories() if c.parent_id is None]


def subcategories(category_id: Any = None) -> list[Category]:
    raw = str(getattr(category_id, "pk", category_id) or "")
    return [
        c for c in cached_categories() if c.parent_id is not None and (not raw or str(c.parent_id) == raw)
    ]


def cached_suppliers() -> list[Supplier]:
    return _cached("suppliers", lambda: list(Supplier.objects.filter(active=True).order_by("name", "id")))


def group_operators(group_id: Any) -> list[User] | None:
    """The operators of an active group (None: no group chosen, so every operator applies)."""
    raw = str(getattr(group_id, "pk", group_id) or "")
    if not raw.isdigit():
        return None
    if not any(g.pk == int(raw) for g in cached_groups()):
        return []  # unknown or inactive: nobody to choose
    members = cached_members().get(int(raw), frozenset())
    return [person for person in cached_operators() if person.pk in members]


class StatusSelect(forms.Select):
    """Marks the statuses that ask for the supplier, so the page can show the supplier field."""

    asks_supplier: set[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks_supplier = set()

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.asks_supplier:
            option["attrs"]["data-asks-supplier"] = True
        return option
